namespace TechMarket.Messaging.Domain;

/// <summary>In-system mail (M1): a message from one verified member to one or more, with attachments.</summary>
public sealed class MailMessage
{
    public const int MaxSubject = 200;
    public const int MaxBody = 20_000;

    public Guid Id { get; private set; }

    /// <summary>The first message's id; replies share it.</summary>
    public Guid ThreadId { get; private set; }
    public Guid SenderId { get; private set; }
    public string Subject { get; private set; } = "";
    public string Body { get; private set; } = "";
    public string? ContextType { get; private set; }
    public string? ContextId { get; private set; }
    public string? ContextTitle { get; private set; }
    public DateTimeOffset SentAt { get; private set; }
    public List<MailRecipient> Recipients { get; private set; } = [];
    public List<MailAttachment> Attachments { get; private set; } = [];

    private MailMessage()
    {
    }

    public static MailMessage Compose(Guid senderId, IEnumerable<Guid> to, string subject, string body, Guid? threadId, ConversationContext? context, DateTimeOffset now)
    {
        var id = Guid.CreateVersion7(now);
        var mail = new MailMessage
        {
            Id = id,
            ThreadId = threadId ?? id,
            SenderId = senderId,
            Subject = subject,
            Body = body,
            ContextType = context?.Type,
            ContextId = context?.Id,
            ContextTitle = context?.Title,
            SentAt = now,
        };
        mail.Recipients.AddRange(to.Distinct().Select(m => new MailRecipient(id, m)));
        return mail;
    }

    public bool CanBeReadBy(Guid memberId) => SenderId == memberId || Recipients.Any(r => r.MemberId == memberId);
}

public sealed class MailRecipient(Guid mailId, Guid memberId)
{
    public Guid MailId { get; private set; } = mailId;
    public Guid MemberId { get; private set; } = memberId;
    public DateTimeOffset? ReadAt { get; private set; }

    public void MarkRead(DateTimeOffset now) => ReadAt ??= now;
}

/// <summary>An attached file; the content lives once in the blob store under its SHA-256.</summary>
public sealed class MailAttachment
{
    public Guid Id { get; private set; }
    public Guid MailId { get; private set; }
    public string FileName { get; private set; } = "";
    public string ContentType { get; private set; } = "";
    public long Length { get; private set; }
    public string Sha256 { get; private set; } = "";

    private MailAttachment()
    {
    }

    public static MailAttachment Of(Guid mailId, string fileName, string contentType, long length, string sha256) =>
        new() { Id = Guid.NewGuid(), MailId = mailId, FileName = fileName, ContentType = contentType, Length = length, Sha256 = sha256 };
}
