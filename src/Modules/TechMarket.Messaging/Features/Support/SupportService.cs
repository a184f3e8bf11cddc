using Microsoft.EntityFrameworkCore;
using TechMarket.Kernel.Auditing;
using TechMarket.Messaging.Domain;
using TechMarket.Messaging.Features.Chat;
using TechMarket.Messaging.Persistence;
using TechMarket.Messaging.Realtime;

namespace TechMarket.Messaging.Features.Support;

public sealed record SupportQueueItem(ConversationDto Conversation, TimeSpan? Waiting);

public enum SupportFailure
{
    None,
    NotFound,
    InvalidState,
    Empty,
    NotAnOperator,
}

/// <summary>Who may answer support (operators and administrators); implemented by the host next to the member accounts.</summary>
public interface ISupportOperators
{
    Task<bool> IsOperatorAsync(Guid memberId, CancellationToken cancellationToken = default);
}

/// <summary>Member ↔ platform support (I2): members open, operators take, answer (through chat), hand over and close.</summary>
public sealed class SupportService(MessagingDbContext db, ChatService chat, Push push, ISupportOperators operators, TimeProvider clock)
{
    public async Task<(ConversationDto? Conversation, SupportFailure Failure)> OpenAsync(Guid memberId, string subject, string firstMessage, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(subject) || string.IsNullOrWhiteSpace(firstMessage) || subject.Trim().Length > 200)
        {
            return (null, SupportFailure.Empty);
        }

        var conversation = Conversation.Support(memberId, subject.Trim(), clock.GetUtcNow());
        db.Conversations.Add(conversation);
        db.AuditLog.Add(AuditEntry.Record(clock.GetUtcNow(), memberId, "support.opened", nameof(Conversation), conversation.Id.ToString()));
        await db.SaveChangesAsync(cancellationToken);
        await chat.SendAsync(memberId, isStaff: false, conversation.Id, firstMessage, cancellationToken);
        return (await chat.ToDtoAsync(conversation, memberId, cancellationToken), SupportFailure.None);
    }

    public async Task<IReadOnlyList<SupportQueueItem>> QueueAsync(Guid operatorId, bool includeClosed, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        var query = db.Conversations.AsNoTracking().Include(c => c.Members).Where(c => c.Kind == ConversationKind.Support);
        if (!includeClosed)
        {
            query = query.Where(c => c.Status != SupportStatus.Closed);
        }

        // Oldest waiting first; conversations nobody waits on go last.
        var rows = await query.OrderBy(c => c.WaitingSince == null).ThenBy(c => c.WaitingSince).ThenByDescending(c => c.LastMessageAt).Take(200).ToListAsync(cancellationToken);
        var items = new List<SupportQueueItem>();
        foreach (var row in rows)
        {
            items.Add(new SupportQueueItem(await chat.ToDtoAsync(row, operatorId, cancellationToken), row.WaitingSince is { } since ? now - since : null));
        }

        return items;
    }

    public Task<SupportFailure> TakeAsync(Guid operatorId, Guid conversationId, CancellationToken cancellationToken = default) =>
        ChangeAsync(operatorId, conversationId, "support.taken", c => c.Take(operatorId), null, cancellationToken);

    public async Task<SupportFailure> HandOverAsync(Guid operatorId, Guid conversationId, Guid toOperator, CancellationToken cancellationToken = default)
    {
        // Only staff may read and answer support conversations: handing one to a member would show them someone else's.
        if (!await operators.IsOperatorAsync(toOperator, cancellationToken))
        {
            return SupportFailure.NotAnOperator;
        }

        return await ChangeAsync(operatorId, conversationId, "support.handed-over", c => c.HandOver(operatorId, toOperator), toOperator.ToString(), cancellationToken);
    }

    public Task<SupportFailure> CloseAsync(Guid operatorId, Guid conversationId, CancellationToken cancellationToken = default) =>
        ChangeAsync(operatorId, conversationId, "support.closed", c => c.Close(), null, cancellationToken);

    private async Task<SupportFailure> ChangeAsync(Guid operatorId, Guid conversationId, string action, Func<Conversation, bool> change, string? detail, CancellationToken cancellationToken)
    {
        var conversation = await db.Conversations.Include(c => c.Members).SingleOrDefaultAsync(c => c.Id == conversationId && c.Kind == ConversationKind.Support, cancellationToken);
        if (conversation is null)
        {
            return SupportFailure.NotFound;
        }

        if (!change(conversation))
        {
            return SupportFailure.InvalidState;
        }

        db.AuditLog.Add(AuditEntry.Record(clock.GetUtcNow(), operatorId, action, nameof(Conversation), conversationId.ToString(), detail));
        await db.SaveChangesAsync(cancellationToken);
        await push.ToOperatorsAsync("support-queue", new { conversationId }, cancellationToken);
        return SupportFailure.None;
    }
}
