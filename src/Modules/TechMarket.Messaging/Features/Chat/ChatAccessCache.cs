using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using TechMarket.Kernel.Members;
using TechMarket.Messaging.Domain;
using TechMarket.Messaging.Persistence;

namespace TechMarket.Messaging.Features.Chat;

/// <summary>Who takes part in a direct conversation: fixed once the conversation exists.</summary>
public sealed record DirectConversation(Guid Id, Guid[] MemberIds)
{
    public bool Includes(Guid memberId) => Array.IndexOf(MemberIds, memberId) >= 0;
}

/// <summary>
/// What every chat message would otherwise ask the database again: the members of a direct conversation and
/// whether the sender's identity is verified. Direct conversations never change members, so they are kept while
/// used; a verification is kept only for <see cref="VerifiedFor"/> and only when positive (a member who just got
/// verified is never refused because of the cache), and is forgotten at once when Identity reports a review decision.
/// Verification only ever rises (there is no withdrawal), so the positive answer can be kept for minutes; a short
/// TTL made every active member's entry expire every 30 s, which the 10,000-connection benchmark showed as waves of
/// queries.
/// Support conversations change hands and are always read from the database.
/// </summary>
public sealed class ChatAccessCache : IDisposable
{
    public static readonly TimeSpan VerifiedFor = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan ConversationIdleFor = TimeSpan.FromMinutes(10);

    private readonly MemoryCache cache = new(new MemoryCacheOptions { ExpirationScanFrequency = TimeSpan.FromMinutes(1) });

    /// <summary>The direct conversation's members; null when it does not exist or is a support conversation.</summary>
    public async ValueTask<DirectConversation?> GetDirectAsync(MessagingDbContext db, Guid conversationId, CancellationToken cancellationToken)
    {
        if (cache.TryGetValue(("conversation", conversationId), out DirectConversation? known))
        {
            return known;
        }

        var row = await db.Conversations.AsNoTracking()
            .Where(c => c.Id == conversationId && c.Kind == ConversationKind.Direct)
            .Select(c => new { c.Id, Members = c.Members.Select(m => m.MemberId).ToList() })
            .SingleOrDefaultAsync(cancellationToken);
        if (row is null)
        {
            return null;
        }

        var direct = new DirectConversation(row.Id, [.. row.Members]);
        cache.Set(("conversation", conversationId), direct, new MemoryCacheEntryOptions { SlidingExpiration = ConversationIdleFor });
        return direct;
    }

    public async ValueTask<bool> IsVerifiedAsync(IMemberDirectory directory, Guid memberId, CancellationToken cancellationToken)
    {
        if (cache.TryGetValue(("verified", memberId), out _))
        {
            return true;
        }

        var verified = await directory.IsVerifiedAsync(memberId, cancellationToken);
        if (verified)
        {
            cache.Set(("verified", memberId), true, VerifiedFor);
        }

        return verified;
    }

    /// <summary>The member's verification changed (a review decision): ask Identity again on the next message.</summary>
    public void ForgetVerification(Guid memberId) => cache.Remove(("verified", memberId));

    public void Dispose() => cache.Dispose();
}
