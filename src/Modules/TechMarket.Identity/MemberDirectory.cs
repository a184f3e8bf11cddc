using Microsoft.EntityFrameworkCore;
using TechMarket.Identity.Domain;
using TechMarket.Identity.Persistence;
using TechMarket.Kernel.Members;

namespace TechMarket.Identity;

internal sealed class MemberDirectory(AccountsDbContext db) : IMemberDirectory
{
    public async Task<IReadOnlyDictionary<Guid, MemberCard>> GetAsync(IReadOnlyCollection<Guid> memberIds, CancellationToken cancellationToken = default) =>
        await db.Users.AsNoTracking()
            .Where(m => memberIds.Contains(m.Id))
            .Select(m => new MemberCard(m.Id, m.DisplayName, m.VerificationLevel != VerificationLevel.None, m.VerificationLevel == VerificationLevel.Enterprise, m.VerifiedName))
            .ToDictionaryAsync(m => m.Id, cancellationToken);

    public Task<bool> IsVerifiedAsync(Guid memberId, CancellationToken cancellationToken = default) =>
        db.Users.AnyAsync(m => m.Id == memberId && m.VerificationLevel != VerificationLevel.None, cancellationToken);
}
