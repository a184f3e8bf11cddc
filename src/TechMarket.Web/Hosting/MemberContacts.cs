using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using TechMarket.Identity.Domain;
using TechMarket.Kernel.Members;
using TechMarket.Kernel.Security;
using TechMarket.Messaging.Features.Support;

namespace TechMarket.Web.Hosting;

/// <summary>
/// IMemberContacts and ISupportOperators for the Messaging module, read through Identity's public UserManager. Lives in the host so
/// Messaging never touches Identity's tables; belongs next to MemberDirectory in Identity when that module is next edited.
/// </summary>
internal sealed class MemberContacts(UserManager<Member> users) : IMemberContacts, ISupportOperators
{
    public async Task<bool> IsOperatorAsync(Guid memberId, CancellationToken cancellationToken = default)
    {
        var member = await users.FindByIdAsync(memberId.ToString());
        return member is not null && (await users.IsInRoleAsync(member, Roles.Operator) || await users.IsInRoleAsync(member, Roles.Administrator));
    }

    public async Task<MemberContact?> GetAsync(Guid memberId, CancellationToken cancellationToken = default) =>
        await users.Users.AsNoTracking()
            .Where(m => m.Id == memberId)
            .Select(m => new MemberContact(m.Id, m.Email, m.PreferredCulture))
            .SingleOrDefaultAsync(cancellationToken);

    public async Task<IReadOnlyDictionary<Guid, MemberContact>> GetManyAsync(IReadOnlyCollection<Guid> memberIds, CancellationToken cancellationToken = default) =>
        await users.Users.AsNoTracking()
            .Where(m => memberIds.Contains(m.Id))
            .Select(m => new MemberContact(m.Id, m.Email, m.PreferredCulture))
            .ToDictionaryAsync(c => c.Id, cancellationToken);

    public async Task<IReadOnlyList<MemberCard>> FindVerifiedByNameAsync(string term, int take, CancellationToken cancellationToken = default) =>
        await users.Users.AsNoTracking()
            .Where(m => m.VerificationLevel != VerificationLevel.None && (m.DisplayName.Contains(term) || (m.VerifiedName != null && m.VerifiedName.Contains(term))))
            .OrderBy(m => m.DisplayName)
            .Take(take)
            .Select(m => new MemberCard(m.Id, m.DisplayName, true, m.VerificationLevel == VerificationLevel.Enterprise, m.VerifiedName))
            .ToListAsync(cancellationToken);
}
