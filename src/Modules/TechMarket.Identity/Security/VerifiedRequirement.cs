using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using TechMarket.Identity.Domain;
using TechMarket.Kernel.Members;
using TechMarket.Kernel.Security;

namespace TechMarket.Identity.Security;

/// <summary>Met by a member whose identity has been verified. Read from the database so an approval takes effect at once.</summary>
public sealed class VerifiedRequirement : IAuthorizationRequirement;

/// <summary>
/// Members seen verified on this node in the last <see cref="KeptFor"/>: the one cache of that fact, read by the
/// <c>Verified</c> policy and by <see cref="IMemberDirectory.IsVerifiedAsync"/> (chat, listings). Verification only
/// rises in the normal course (an approval sets the level, a rejection leaves it as it was), so only a positive answer
/// is kept, a negative one is always re-read and an approval on any node is honoured on the next request. Lowering a
/// level (an operator withdrawing a verification) is forgotten at once on the node that saves it
/// (<see cref="VerificationWithdrawals"/>) and within <see cref="KeptFor"/> on the others. Saves a database round trip
/// on every trading request and chat message.
/// </summary>
internal sealed class VerifiedMembers(TimeProvider clock)
{
    public static readonly TimeSpan KeptFor = TimeSpan.FromMinutes(10);
    private const int Capacity = 100_000;
    private readonly ConcurrentDictionary<Guid, DateTimeOffset> known = new();

    public bool IsKnown(Guid memberId) => known.TryGetValue(memberId, out var until) && until > clock.GetUtcNow();

    public void Remember(Guid memberId)
    {
        if (known.Count >= Capacity)
        {
            known.Clear(); // crude but bounded; the next request per member re-reads one row
        }

        known[memberId] = clock.GetUtcNow() + KeptFor;
    }

    public void Forget(Guid memberId) => known.TryRemove(memberId, out _);
}

/// <summary>
/// Forgets a member's cached verification when their level is lowered, after the change is saved (forgetting only
/// before, a request in between could re-read the old level and remember it again).
/// </summary>
internal sealed class VerificationWithdrawals(VerifiedMembers verifiedMembers) : SaveChangesInterceptor
{
    private readonly ConditionalWeakTable<DbContext, Guid[]> lowered = new();

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Collect(eventData.Context);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Collect(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        ForgetCollected(eventData.Context);
        return result;
    }

    public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        ForgetCollected(eventData.Context);
        return ValueTask.FromResult(result);
    }

    private void Collect(DbContext? context)
    {
        if (context is null)
        {
            return;
        }

        var ids = context.ChangeTracker.Entries<Member>()
            .Where(e => e.State == EntityState.Modified && e.Property(m => m.VerificationLevel) is { IsModified: true } p && p.CurrentValue < p.OriginalValue)
            .Select(e => e.Entity.Id)
            .ToArray();
        if (ids.Length > 0)
        {
            lowered.AddOrUpdate(context, ids);
        }
    }

    private void ForgetCollected(DbContext? context)
    {
        if (context is not null && lowered.TryGetValue(context, out var ids))
        {
            lowered.Remove(context);
            foreach (var id in ids)
            {
                verifiedMembers.Forget(id);
            }
        }
    }
}

/// <summary>Asks the member directory, which answers from <see cref="VerifiedMembers"/> before the database.</summary>
internal sealed class VerifiedRequirementHandler(IMemberDirectory directory) : AuthorizationHandler<VerifiedRequirement>
{
    protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, VerifiedRequirement requirement)
    {
        if (context.User.MemberId() is { } id && await directory.IsVerifiedAsync(id))
        {
            context.Succeed(requirement);
        }
    }
}
