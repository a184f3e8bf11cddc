using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using TechMarket.Kernel.Auditing;
using TechMarket.Kernel.Members;
using TechMarket.Messaging.Domain;
using TechMarket.Messaging.Features.Notifications;
using TechMarket.Messaging.Persistence;
using TechMarket.Messaging.Realtime;

namespace TechMarket.Messaging.Features.Chat;

public sealed record ChatMessageDto(long Id, Guid ConversationId, Guid SenderId, string Body, DateTimeOffset SentAt);

public sealed record ParticipantDto(Guid MemberId, string DisplayName, bool IsVerified, bool IsEnterprise, long LastReadMessageId);

public sealed record ConversationDto(
    Guid Id,
    ConversationKind Kind,
    ConversationContext? Context,
    IReadOnlyList<ParticipantDto> Participants,
    int Unread,
    DateTimeOffset LastMessageAt,
    SupportStatus? Status,
    Guid? OperatorId,
    DateTimeOffset? WaitingSince);

public sealed record ChatHistory(IReadOnlyList<ChatMessageDto> Messages, bool HasMore);

public enum ChatFailure
{
    None,
    NotFound,
    Empty,
    TooLong,
    RateLimited,
    RecipientNotVerified,
    NotVerified,
    Closed,
}

public sealed record SendResult(ChatMessageDto? Message, ChatFailure Failure, int RetryAfterSeconds = 0);

public sealed record StartResult(ConversationDto? Conversation, ChatFailure Failure);

internal static class ChatErrors
{
    public static string Describe(SendResult result, IStringLocalizer text) => result.Failure switch
    {
        ChatFailure.RateLimited => text["Chat.Error.RateLimited", result.RetryAfterSeconds],
        _ => text[$"Chat.Error.{result.Failure}"],
    };
}

/// <summary>
/// Per-member flood control for chat: at most N messages per fixed window, counted from the member's first message.
/// In memory per node, which bounds a member to N × nodes at worst. Windows that have ended are swept out (at most
/// once per window length, by whichever call comes first), so the table holds only members active in the last window.
/// </summary>
public sealed class ChatRateLimiter(MessagingOptions options, TimeProvider clock)
{
    private readonly ConcurrentDictionary<Guid, Window> windows = new();
    private long nextSweepTicks;

    /// <summary>How many members are tracked right now (for tests and diagnostics).</summary>
    internal int Tracked => windows.Count;

    public bool TryAcquire(Guid memberId, out int retryAfterSeconds)
    {
        var now = clock.GetUtcNow();
        SweepIfDue(now);
        var window = windows.GetOrAdd(memberId, _ => new Window());
        lock (window)
        {
            if (now >= window.EndsAt)
            {
                window.EndsAt = now + options.ChatWindow;
                window.Count = 0;
            }

            if (window.Count < options.ChatMessagesPerWindow)
            {
                window.Count++;
                retryAfterSeconds = 0;
                return true;
            }

            retryAfterSeconds = Math.Max(1, (int)Math.Ceiling((window.EndsAt - now).TotalSeconds));
            return false;
        }
    }

    private void SweepIfDue(DateTimeOffset now)
    {
        var due = Interlocked.Read(ref nextSweepTicks);
        if (now.UtcTicks < due || Interlocked.CompareExchange(ref nextSweepTicks, now.UtcTicks + options.ChatWindow.Ticks, due) != due)
        {
            return;
        }

        foreach (var (memberId, window) in windows)
        {
            // Only ended windows go; a member writing at this very moment at worst starts a fresh window a little early.
            bool ended;
            lock (window)
            {
                ended = now >= window.EndsAt;
            }

            if (ended)
            {
                windows.TryRemove(new KeyValuePair<Guid, Window>(memberId, window));
            }
        }
    }

    private sealed class Window
    {
        public DateTimeOffset EndsAt { get; set; }

        public int Count { get; set; }
    }
}

/// <summary>One-to-one chats (I1) and the message side of support chats (I2).</summary>
public sealed class ChatService(
    MessagingDbContext db,
    IMemberDirectory directory,
    ChatRateLimiter limiter,
    Push push,
    ChatAccessCache access,
    ChatMessageWriter writer,
    ChatNotifier notifier,
    TimeProvider clock)
{
    public async Task<StartResult> StartAsync(Guid starter, Guid recipient, ConversationContext? context, CancellationToken cancellationToken = default)
    {
        if (recipient == starter)
        {
            return new StartResult(null, ChatFailure.RecipientNotVerified);
        }

        var members = await directory.GetAsync([starter, recipient], cancellationToken);
        if (!members.TryGetValue(starter, out var me) || !me.IsVerified)
        {
            return new StartResult(null, ChatFailure.NotVerified);
        }

        if (!members.TryGetValue(recipient, out var other) || !other.IsVerified)
        {
            return new StartResult(null, ChatFailure.RecipientNotVerified);
        }

        var key = Conversation.KeyOf(starter, recipient, context);
        var existing = await db.Conversations.Include(c => c.Members).SingleOrDefaultAsync(c => c.PairKey == key, cancellationToken);
        if (existing is null)
        {
            existing = Conversation.Direct(starter, recipient, context, clock.GetUtcNow());
            db.Conversations.Add(existing);
            db.AuditLog.Add(AuditEntry.Record(clock.GetUtcNow(), starter, "chat.started", nameof(Conversation), existing.Id.ToString(), context is null ? null : $"{context.Type}:{context.Id}"));
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException)
            {
                // Both members started it at the same moment: the other insert won, use that one.
                db.ChangeTracker.Clear();
                existing = await db.Conversations.Include(c => c.Members).SingleAsync(c => c.PairKey == key, cancellationToken);
            }
        }

        return new StartResult(await ToDtoAsync(existing, starter, cancellationToken), ChatFailure.None);
    }

    public async Task<IReadOnlyList<ConversationDto>> ListAsync(Guid memberId, ConversationKind? kind, CancellationToken cancellationToken = default)
    {
        var query = db.Conversations.AsNoTracking().Include(c => c.Members).Where(c => c.Members.Any(m => m.MemberId == memberId));
        if (kind is { } k)
        {
            query = query.Where(c => c.Kind == k);
        }

        var conversations = await query.OrderByDescending(c => c.LastMessageAt).Take(200).ToListAsync(cancellationToken);
        return await ToDtosAsync(conversations, memberId, cancellationToken);
    }

    /// <summary>The conversation if the member takes part (staff: any support conversation); null otherwise.</summary>
    public async Task<Conversation?> FindForAsync(Guid memberId, bool isStaff, Guid conversationId, CancellationToken cancellationToken = default)
    {
        var conversation = await db.Conversations.Include(c => c.Members).SingleOrDefaultAsync(c => c.Id == conversationId, cancellationToken);
        if (conversation is null)
        {
            return null;
        }

        var participates = conversation.Members.Any(m => m.MemberId == memberId)
            || (isStaff && conversation.Kind == ConversationKind.Support);
        return participates ? conversation : null;
    }

    public async Task<ConversationDto?> GetAsync(Guid memberId, bool isStaff, Guid conversationId, CancellationToken cancellationToken = default)
    {
        var conversation = await FindForAsync(memberId, isStaff, conversationId, cancellationToken);
        return conversation is null ? null : await ToDtoAsync(conversation, memberId, cancellationToken);
    }

    public async Task<SendResult> SendAsync(Guid senderId, bool isStaff, Guid conversationId, string? body, CancellationToken cancellationToken = default)
    {
        // The hot path: direct chats need no database read per message (membership and verification are cached)
        // and share their INSERT with whoever else is sending at the same moment.
        var direct = await access.GetDirectAsync(db, conversationId, cancellationToken);
        if (direct is null)
        {
            return await SendToSupportAsync(senderId, isStaff, conversationId, body, cancellationToken);
        }

        if (!direct.Includes(senderId))
        {
            return new SendResult(null, ChatFailure.NotFound);
        }

        if (Validate(body, out var text) is { } invalid)
        {
            return invalid;
        }

        // Trading talk needs a verified identity; support is open to every member (e.g. for help with verifying).
        if (!await directory.IsVerifiedAsync(senderId, cancellationToken))
        {
            return new SendResult(null, ChatFailure.NotVerified);
        }

        if (!limiter.TryAcquire(senderId, out var retryAfter))
        {
            return new SendResult(null, ChatFailure.RateLimited, retryAfter);
        }

        var message = ChatMessage.Post(conversationId, senderId, text, clock.GetUtcNow());
        await writer.StoreAsync(message);

        // Stored first, then pushed: a client that misses the push finds the message in the history.
        var dto = ToDto(message);
        await push.ToMembersAsync(direct.MemberIds, "message", dto, cancellationToken);
        var preview = Preview(text);
        foreach (var member in direct.MemberIds.Where(m => m != senderId))
        {
            notifier.Enqueue(new ChatNotice(member, conversationId, senderId, preview));
        }

        return new SendResult(dto, ChatFailure.None);
    }

    private async Task<SendResult> SendToSupportAsync(Guid senderId, bool isStaff, Guid conversationId, string? body, CancellationToken cancellationToken)
    {
        var conversation = await FindForAsync(senderId, isStaff, conversationId, cancellationToken);
        if (conversation is null)
        {
            return new SendResult(null, ChatFailure.NotFound);
        }

        if (Validate(body, out var text) is { } invalid)
        {
            return invalid;
        }

        if (!limiter.TryAcquire(senderId, out var retryAfter))
        {
            return new SendResult(null, ChatFailure.RateLimited, retryAfter);
        }

        var now = clock.GetUtcNow();
        var staffAnswer = isStaff && conversation.RequesterId != senderId;
        if (staffAnswer && conversation.OperatorId is null)
        {
            conversation.Take(senderId);
        }

        var message = ChatMessage.Post(conversation.Id, senderId, text, now);
        db.ChatMessages.Add(message);
        conversation.MessagePosted(senderId, staffAnswer, now);
        // One write: the message and the conversation's new state (taken, waiting, reopened) together.
        await db.SaveChangesAsync(cancellationToken);

        var dto = ToDto(message);
        await push.ToMembersAsync(conversation.Members.Select(m => m.MemberId).ToList(), "message", dto, cancellationToken);
        if (staffAnswer)
        {
            if (conversation.RequesterId is { } requester)
            {
                notifier.Enqueue(new ChatNotice(requester, conversation.Id, senderId, Preview(text), conversation.ContextTitle ?? ""));
            }
        }
        else
        {
            await push.ToOperatorsAsync("support-queue", new { conversationId = conversation.Id }, cancellationToken);
        }

        return new SendResult(dto, ChatFailure.None);
    }

    private static SendResult? Validate(string? body, out string text)
    {
        text = body?.Trim() ?? "";
        return text.Length == 0 ? new SendResult(null, ChatFailure.Empty)
            : text.Length > ChatMessage.MaxLength ? new SendResult(null, ChatFailure.TooLong)
            : null;
    }

    private static string Preview(string text) => text.Length > 80 ? text[..80] + "…" : text;

    public async Task<ChatHistory?> HistoryAsync(Guid memberId, bool isStaff, Guid conversationId, long? before, int take, CancellationToken cancellationToken = default)
    {
        if (await FindForAsync(memberId, isStaff, conversationId, cancellationToken) is null)
        {
            return null;
        }

        take = Math.Clamp(take, 1, 100);
        var query = db.ChatMessages.AsNoTracking().Where(m => m.ConversationId == conversationId);
        if (before is { } b)
        {
            query = query.Where(m => m.Id < b);
        }

        var rows = await query.OrderByDescending(m => m.Id).Take(take + 1).ToListAsync(cancellationToken);
        var page = rows.Take(take).Reverse().Select(ToDto).ToList();
        return new ChatHistory(page, rows.Count > take);
    }

    public async Task<bool> MarkReadAsync(Guid memberId, Guid conversationId, long messageId, CancellationToken cancellationToken = default)
    {
        var conversation = await FindForAsync(memberId, isStaff: false, conversationId, cancellationToken);
        var me = conversation?.Members.SingleOrDefault(m => m.MemberId == memberId);
        if (conversation is null || me is null)
        {
            return false;
        }

        var latest = await db.ChatMessages.Where(m => m.ConversationId == conversationId && m.Id <= messageId).MaxAsync(m => (long?)m.Id, cancellationToken) ?? 0;
        if (me.ReadUpTo(latest))
        {
            await db.SaveChangesAsync(cancellationToken);
            var others = conversation.Members.Where(m => m.MemberId != memberId).Select(m => m.MemberId);
            await push.ToMembersAsync(others, "read", new { conversationId, memberId, messageId = latest }, cancellationToken);
        }

        return true;
    }

    public async Task<bool> TypingAsync(Guid memberId, bool isStaff, Guid conversationId, CancellationToken cancellationToken = default)
    {
        var conversation = await db.Conversations.AsNoTracking().Include(c => c.Members).SingleOrDefaultAsync(c => c.Id == conversationId, cancellationToken);
        if (conversation is null || (conversation.Members.All(m => m.MemberId != memberId) && !(isStaff && conversation.Kind == ConversationKind.Support)))
        {
            return false;
        }

        var others = conversation.Members.Where(m => m.MemberId != memberId).Select(m => m.MemberId);
        await push.ToMembersAsync(others, "typing", new { conversationId, memberId }, cancellationToken);
        return true;
    }

    public async Task<int> UnreadTotalAsync(Guid memberId, CancellationToken cancellationToken = default) =>
        await db.ConversationMembers.Where(m => m.MemberId == memberId)
            .SumAsync(m => db.ChatMessages.Count(c => c.ConversationId == m.ConversationId && c.Id > m.LastReadMessageId && c.SenderId != memberId), cancellationToken);

    internal async Task<ConversationDto> ToDtoAsync(Conversation conversation, Guid viewer, CancellationToken cancellationToken) =>
        (await ToDtosAsync([conversation], viewer, cancellationToken))[0];

    private async Task<IReadOnlyList<ConversationDto>> ToDtosAsync(IReadOnlyList<Conversation> conversations, Guid viewer, CancellationToken cancellationToken)
    {
        var ids = conversations.Select(c => c.Id).ToList();
        var memberIds = conversations.SelectMany(c => c.Members.Select(m => m.MemberId)).Distinct().ToList();
        var cards = await directory.GetAsync(memberIds, cancellationToken);
        var unreadRows = await db.ChatMessages.AsNoTracking()
            .Where(m => ids.Contains(m.ConversationId) && m.SenderId != viewer)
            .Join(db.ConversationMembers.Where(cm => cm.MemberId == viewer), m => m.ConversationId, cm => cm.ConversationId, (m, cm) => new { m.ConversationId, m.Id, cm.LastReadMessageId })
            .Where(x => x.Id > x.LastReadMessageId)
            .GroupBy(x => x.ConversationId)
            .Select(g => new { g.Key, Count = g.Count() })
            .ToListAsync(cancellationToken);
        var unread = unreadRows.ToDictionary(r => r.Key, r => r.Count);
        return conversations.Select(c => new ConversationDto(
            c.Id,
            c.Kind,
            c.Context,
            c.Members.Select(m => cards.TryGetValue(m.MemberId, out var card)
                ? new ParticipantDto(m.MemberId, card.DisplayName, card.IsVerified, card.IsEnterprise, m.LastReadMessageId)
                : new ParticipantDto(m.MemberId, "?", false, false, m.LastReadMessageId)).ToList(),
            unread.GetValueOrDefault(c.Id),
            c.LastMessageAt,
            c.Status,
            c.OperatorId,
            c.WaitingSince)).ToList();
    }

    private static ChatMessageDto ToDto(ChatMessage m) => new(m.Id, m.ConversationId, m.SenderId, m.Body, m.SentAt);
}
