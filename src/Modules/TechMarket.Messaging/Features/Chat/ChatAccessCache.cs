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
/// The members of a direct conversation, which every chat message would otherwise ask the database again. Direct
/// conversations never change members, so they are kept while used. Support conversations change hands and are always
/// read from the database. (Whether the sender is verified is Identity's fact and Identity's cache:
/// <see cref="IMemberDirectory.IsVerifiedAsync"/>.)
/// </summary>
public sealed class ChatAccessCache : IDisposable
{
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

    public void Dispose() => cache.Dispose();
}
