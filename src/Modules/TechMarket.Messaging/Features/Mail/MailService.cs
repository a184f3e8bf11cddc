using Microsoft.EntityFrameworkCore;
using TechMarket.Kernel.Auditing;
using TechMarket.Kernel.Files;
using TechMarket.Kernel.Members;
using TechMarket.Kernel.Notifications;
using TechMarket.Messaging.Domain;
using TechMarket.Messaging.Features.Chat;
using TechMarket.Messaging.Features.Notifications;
using TechMarket.Messaging.Persistence;

namespace TechMarket.Messaging.Features.Mail;

public sealed record AttachmentDto(Guid Id, string FileName, string ContentType, long Length, string Sha256);

public sealed record MailPartyDto(Guid MemberId, string DisplayName, bool IsVerified, bool IsEnterprise);

public sealed record MailSummaryDto(Guid Id, Guid ThreadId, MailPartyDto From, IReadOnlyList<MailPartyDto> To, string Subject, DateTimeOffset SentAt, bool Read, int Attachments);

public sealed record MailDto(Guid Id, Guid ThreadId, MailPartyDto From, IReadOnlyList<MailPartyDto> To, string Subject, string Body, ConversationContext? Context, DateTimeOffset SentAt, IReadOnlyList<AttachmentDto> Attachments);

public enum MailBox
{
    Inbox,
    Sent,
}

/// <summary>A draft being received: fields first, then files streamed into the blob store one by one.</summary>
public sealed class MailDraft
{
    public List<Guid> To { get; } = [];
    public string Subject { get; set; } = "";
    public string Body { get; set; } = "";
    public Guid? ReplyTo { get; set; }
    public string? ContextType { get; set; }
    public string? ContextId { get; set; }
    public string? ContextTitle { get; set; }
    public List<(string FileName, string ContentType, ContentBlob Blob)> Files { get; } = [];
}

/// <summary>In-system mail (M1).</summary>
public sealed class MailService(
    MessagingDbContext db,
    IMemberDirectory directory,
    IBlobStore blobs,
    INotificationSender notifications,
    MessagingOptions options,
    TimeProvider clock)
{
    /// <summary>Field errors for the draft's text part; checked before any file is accepted so a refused mail stores nothing.</summary>
    public async Task<Dictionary<string, string>> ValidateAsync(Guid sender, MailDraft draft, CancellationToken cancellationToken = default)
    {
        var errors = new Dictionary<string, string>();
        if (draft.To.Count == 0)
        {
            errors["to"] = "Mail.Error.NoRecipient";
        }
        else if (draft.To.Contains(sender))
        {
            errors["to"] = "Mail.Error.Self";
        }
        else
        {
            var cards = await directory.GetAsync(draft.To.Distinct().ToList(), cancellationToken);
            if (draft.To.Any(id => !cards.TryGetValue(id, out var card) || !card.IsVerified))
            {
                errors["to"] = "Mail.Error.RecipientNotVerified";
            }
        }

        if (string.IsNullOrWhiteSpace(draft.Subject) || draft.Subject.Trim().Length > MailMessage.MaxSubject)
        {
            errors["subject"] = "Mail.Error.Subject";
        }

        if (draft.Body.Length > MailMessage.MaxBody)
        {
            errors["body"] = "Mail.Error.BodyTooLong";
        }

        if (draft.ReplyTo is { } replyTo && await FindReadableAsync(sender, replyTo, cancellationToken) is null)
        {
            errors["replyTo"] = "Mail.Error.ReplyTo";
        }

        return errors;
    }

    public async Task<Guid> SendAsync(Guid sender, MailDraft draft, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        Guid? threadId = null;
        if (draft.ReplyTo is { } replyTo)
        {
            threadId = (await FindReadableAsync(sender, replyTo, cancellationToken))?.ThreadId;
        }

        var context = draft.ContextType is { Length: > 0 } ? new ConversationContext(draft.ContextType, draft.ContextId ?? "", draft.ContextTitle ?? "") : null;
        var mail = MailMessage.Compose(sender, draft.To, draft.Subject.Trim(), draft.Body, threadId, context, now);
        foreach (var (fileName, contentType, blob) in draft.Files)
        {
            mail.Attachments.Add(MailAttachment.Of(mail.Id, fileName, contentType, blob.Length, blob.Sha256));
        }

        db.Mail.Add(mail);
        db.AuditLog.Add(AuditEntry.Record(now, sender, "mail.sent", nameof(MailMessage), mail.Id.ToString(), $"to {mail.Recipients.Count}, {mail.Attachments.Count} files"));
        await db.SaveChangesAsync(cancellationToken);

        var cards = await directory.GetAsync([sender], cancellationToken);
        var senderName = cards.TryGetValue(sender, out var card) ? card.DisplayName : "";
        foreach (var recipient in mail.Recipients)
        {
            await notifications.NotifyAsync(recipient.MemberId, NotificationKinds.Mail, NotificationTemplates.MailReceived, [senderName, mail.Subject], $"/mail/{mail.Id}", cancellationToken);
        }

        return mail.Id;
    }

    public async Task<IReadOnlyList<MailSummaryDto>> ListAsync(Guid memberId, MailBox box, string? search, int page, int pageSize, CancellationToken cancellationToken = default)
    {
        pageSize = Math.Clamp(pageSize, 1, 100);
        page = Math.Max(1, page);
        var query = db.Mail.AsNoTracking().Include(m => m.Recipients).Include(m => m.Attachments).AsSplitQuery();
        query = box == MailBox.Inbox
            ? query.Where(m => m.Recipients.Any(r => r.MemberId == memberId))
            : query.Where(m => m.SenderId == memberId);
        if (!string.IsNullOrWhiteSpace(search))
        {
            var term = search.Trim();
            // Search only ever runs inside the member's own box (filtered above).
            query = query.Where(m => m.Subject.Contains(term) || m.Body.Contains(term) || m.Attachments.Any(a => a.FileName.Contains(term)));
        }

        var rows = await query.OrderByDescending(m => m.SentAt).Skip((page - 1) * pageSize).Take(pageSize).ToListAsync(cancellationToken);
        var cards = await CardsAsync(rows, cancellationToken);
        return rows.Select(m => new MailSummaryDto(
            m.Id,
            m.ThreadId,
            Party(cards, m.SenderId),
            m.Recipients.Select(r => Party(cards, r.MemberId)).ToList(),
            m.Subject,
            m.SentAt,
            box == MailBox.Sent || m.Recipients.Any(r => r.MemberId == memberId && r.ReadAt != null),
            m.Attachments.Count)).ToList();
    }

    public Task<int> UnreadCountAsync(Guid memberId, CancellationToken cancellationToken = default) =>
        db.MailRecipients.CountAsync(r => r.MemberId == memberId && r.ReadAt == null, cancellationToken);

    /// <summary>Opens a mail for a party (marking it read for a recipient); null for anyone else.</summary>
    public async Task<MailDto?> OpenAsync(Guid memberId, Guid mailId, CancellationToken cancellationToken = default)
    {
        var mail = await FindReadableAsync(memberId, mailId, cancellationToken);
        if (mail is null)
        {
            return null;
        }

        if (mail.Recipients.SingleOrDefault(r => r.MemberId == memberId) is { ReadAt: null } recipient)
        {
            recipient.MarkRead(clock.GetUtcNow());
            await db.SaveChangesAsync(cancellationToken);
        }

        var cards = await CardsAsync([mail], cancellationToken);
        return ToDto(mail, cards);
    }

    public async Task<IReadOnlyList<MailDto>> ThreadAsync(Guid memberId, Guid threadId, CancellationToken cancellationToken = default)
    {
        var mails = await db.Mail.AsNoTracking().Include(m => m.Recipients).Include(m => m.Attachments).AsSplitQuery()
            .Where(m => m.ThreadId == threadId && (m.SenderId == memberId || m.Recipients.Any(r => r.MemberId == memberId)))
            .OrderBy(m => m.SentAt)
            .ToListAsync(cancellationToken);
        var cards = await CardsAsync(mails, cancellationToken);
        return mails.Select(m => ToDto(m, cards)).ToList();
    }

    /// <summary>The attachment and its content stream for a party of the mail; null (→ 404) for anyone else.</summary>
    public async Task<(MailAttachment Attachment, Stream Content)?> OpenAttachmentAsync(Guid memberId, Guid mailId, Guid attachmentId, CancellationToken cancellationToken = default)
    {
        var mail = await FindReadableAsync(memberId, mailId, cancellationToken);
        var attachment = mail?.Attachments.SingleOrDefault(a => a.Id == attachmentId);
        if (attachment is null || blobs.OpenRead(attachment.Sha256) is not { } stream)
        {
            return null;
        }

        return (attachment, stream);
    }

    public long MaxAttachmentBytes => options.MaxAttachmentBytes;

    public int MaxAttachments => options.MaxAttachments;

    private async Task<MailMessage?> FindReadableAsync(Guid memberId, Guid mailId, CancellationToken cancellationToken)
    {
        var mail = await db.Mail.Include(m => m.Recipients).Include(m => m.Attachments).AsSplitQuery().SingleOrDefaultAsync(m => m.Id == mailId, cancellationToken);
        return mail is not null && mail.CanBeReadBy(memberId) ? mail : null;
    }

    private Task<IReadOnlyDictionary<Guid, MemberCard>> CardsAsync(IEnumerable<MailMessage> mails, CancellationToken cancellationToken) =>
        directory.GetAsync(mails.SelectMany(m => m.Recipients.Select(r => r.MemberId).Append(m.SenderId)).Distinct().ToList(), cancellationToken);

    private static MailPartyDto Party(IReadOnlyDictionary<Guid, MemberCard> cards, Guid id) =>
        cards.TryGetValue(id, out var c) ? new MailPartyDto(id, c.DisplayName, c.IsVerified, c.IsEnterprise) : new MailPartyDto(id, "?", false, false);

    private static MailDto ToDto(MailMessage m, IReadOnlyDictionary<Guid, MemberCard> cards) => new(
        m.Id,
        m.ThreadId,
        Party(cards, m.SenderId),
        m.Recipients.Select(r => Party(cards, r.MemberId)).ToList(),
        m.Subject,
        m.Body,
        m.ContextType is null ? null : new ConversationContext(m.ContextType, m.ContextId ?? "", m.ContextTitle ?? ""),
        m.SentAt,
        m.Attachments.Select(a => new AttachmentDto(a.Id, a.FileName, a.ContentType, a.Length, a.Sha256)).ToList());
}
