using Microsoft.EntityFrameworkCore;
using TechMarket.Identity.Domain;
using TechMarket.Identity.Persistence;
using TechMarket.Identity.Security;
using TechMarket.Kernel.Members;

namespace TechMarket.Identity;

/// <remarks>
/// Server-side rendering runs sibling components' async initialisation interleaved (the layout's member name and a
/// page's party names ask at the same time), and one scoped DbContext allows one operation at a time, so calls within
/// a scope take turns. Whether a member is verified is answered from <see cref="VerifiedMembers"/>, the cache the
/// <c>Verified</c> policy uses, and fills it.
/// </remarks>
internal sealed class MemberDirectory(AccountsDbContext db, VerifiedMembers verifiedMembers) : IMemberDirectory, IDisposable
{
    private readonly SemaphoreSlim oneAtATime = new(1, 1);

    public async Task<IReadOnlyDictionary<Guid, MemberCard>> GetAsync(IReadOnlyCollection<Guid> memberIds, CancellationToken cancellationToken = default)
    {
        await oneAtATime.WaitAsync(cancellationToken);
        try
        {
            var cards = await db.Users.AsNoTracking()
                .Where(m => memberIds.Contains(m.Id))
                .Select(m => new MemberCard(m.Id, m.DisplayName, m.VerificationLevel != VerificationLevel.None, m.VerificationLevel == VerificationLevel.Enterprise, m.VerifiedName))
                .ToDictionaryAsync(m => m.Id, cancellationToken);
            foreach (var card in cards.Values.Where(c => c.IsVerified))
            {
                verifiedMembers.Remember(card.Id);
            }

            return cards;
        }
        finally
        {
            oneAtATime.Release();
        }
    }

    public async Task<bool> IsVerifiedAsync(Guid memberId, CancellationToken cancellationToken = default)
    {
        if (verifiedMembers.IsKnown(memberId))
        {
            return true;
        }

        await oneAtATime.WaitAsync(cancellationToken);
        try
        {
            var verified = await db.Users.AnyAsync(m => m.Id == memberId && m.VerificationLevel != VerificationLevel.None, cancellationToken);
            if (verified)
            {
                verifiedMembers.Remember(memberId);
            }

            return verified;
        }
        finally
        {
            oneAtATime.Release();
        }
    }

    public void Dispose() => oneAtATime.Dispose();
}
