using System.Collections.Concurrent;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;
using TechMarket.Identity.Domain;
using TechMarket.Identity.Persistence;
using TechMarket.Kernel.Security;

namespace TechMarket.Identity.Security;

/// <summary>Met by a member whose identity has been verified. Read from the database so an approval takes effect at once.</summary>
public sealed class VerifiedRequirement : IAuthorizationRequirement;

/// <summary>
/// Members already seen verified on this node. Verification only ever moves up (an approval sets the level; nothing
/// lowers it), so a positive answer can be remembered without cross-node invalidation, while a negative one is always
/// re-read and an approval on any node is honoured on the next request. Saves a database round trip on every
/// trading request (order, pay, publish, chat).
/// </summary>
internal sealed class VerifiedMembers
{
    private const int Capacity = 100_000;
    private readonly ConcurrentDictionary<Guid, byte> known = new();

    public bool IsKnown(Guid memberId) => known.ContainsKey(memberId);

    public void Remember(Guid memberId)
    {
        if (known.Count >= Capacity)
        {
            known.Clear(); // crude but bounded; the next request per member re-reads one row
        }

        known.TryAdd(memberId, 0);
    }
}

internal sealed class VerifiedRequirementHandler(AccountsDbContext db, VerifiedMembers verifiedMembers) : AuthorizationHandler<VerifiedRequirement>
{
    protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, VerifiedRequirement requirement)
    {
        if (context.User.MemberId() is not { } id)
        {
            return;
        }

        if (verifiedMembers.IsKnown(id))
        {
            context.Succeed(requirement);
            return;
        }

        if (await db.Users.AnyAsync(u => u.Id == id && u.VerificationLevel != VerificationLevel.None))
        {
            verifiedMembers.Remember(id);
            context.Succeed(requirement);
        }
    }
}
