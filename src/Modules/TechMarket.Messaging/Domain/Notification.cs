namespace TechMarket.Messaging.Domain;

/// <summary>One entry in a member's notification list, rendered in their language when it was raised.</summary>
public sealed class Notification
{
    public long Id { get; private set; }
    public Guid MemberId { get; private set; }
    public string Kind { get; private set; } = "";
    public string Title { get; private set; } = "";
    public string Body { get; private set; } = "";
    public string? Link { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset? ReadAt { get; private set; }

    private Notification()
    {
    }

    public static Notification Raise(Guid memberId, string kind, string title, string body, string? link, DateTimeOffset now) =>
        new() { MemberId = memberId, Kind = kind, Title = title, Body = body, Link = link, CreatedAt = now };

    public void MarkRead(DateTimeOffset now) => ReadAt ??= now;
}

/// <summary>A member's notification settings: the language of notifications and e-mails, and which kinds also go by e-mail.</summary>
public sealed class NotificationPreference
{
    public const string DefaultCulture = "zh-CN";

    /// <summary>Chat messages arrive live and would flood a mailbox; every other kind is e-mailed unless switched off.</summary>
    public static readonly string[] DefaultEmailOff = [Kernel.Notifications.NotificationKinds.Message];

    public Guid MemberId { get; private set; }
    public string Culture { get; private set; } = DefaultCulture;
    public string EmailOffKinds { get; private set; } = string.Join(',', DefaultEmailOff);
    public DateTimeOffset UpdatedAt { get; private set; }

    private NotificationPreference()
    {
    }

    public static NotificationPreference Default(Guid memberId, string? culture, DateTimeOffset now) =>
        new() { MemberId = memberId, Culture = NormalizeCulture(culture), UpdatedAt = now };

    public bool EmailsFor(string kind) => !EmailOffKinds.Split(',', StringSplitOptions.RemoveEmptyEntries).Contains(kind);

    public void Change(string culture, IEnumerable<string> emailKinds, DateTimeOffset now)
    {
        var on = emailKinds.ToHashSet(StringComparer.Ordinal);
        Culture = NormalizeCulture(culture);
        EmailOffKinds = string.Join(',', Kernel.Notifications.NotificationKinds.All.Where(k => !on.Contains(k)));
        UpdatedAt = now;
    }

    public static string NormalizeCulture(string? culture) =>
        culture is not null && culture.StartsWith("en", StringComparison.OrdinalIgnoreCase) ? "en" : DefaultCulture;
}

/// <summary>
/// A queued e-mail (transactional outbox): written in the same SaveChanges as the notification, sent by
/// <c>EmailOutboxSender</c> with retries and exponential backoff until it goes through or gives up.
/// </summary>
public sealed class EmailOutboxItem
{
    public const int MaxAttempts = 8;

    public long Id { get; private set; }
    public Guid? MemberId { get; private set; }
    public string To { get; private set; } = "";
    public string Subject { get; private set; } = "";
    public string TextBody { get; private set; } = "";
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset NextAttemptAt { get; private set; }
    public DateTimeOffset? LockedUntil { get; private set; }
    public int Attempts { get; private set; }
    public DateTimeOffset? SentAt { get; private set; }
    public bool GaveUp { get; private set; }
    public string? LastError { get; private set; }

    private EmailOutboxItem()
    {
    }

    public static EmailOutboxItem Queue(Guid? memberId, string to, string subject, string textBody, DateTimeOffset now) =>
        new() { MemberId = memberId, To = to, Subject = subject, TextBody = textBody, CreatedAt = now, NextAttemptAt = now };

    public void Sent(DateTimeOffset now)
    {
        Attempts++;
        SentAt = now;
        LockedUntil = null;
        LastError = null;
    }

    public void Failed(string error, DateTimeOffset now, TimeSpan firstDelay)
    {
        Attempts++;
        LockedUntil = null;
        LastError = error.Length > 500 ? error[..500] : error;
        GaveUp = Attempts >= MaxAttempts;
        // 1×, 2×, 4×… the first delay, capped at an hour.
        var delay = TimeSpan.FromTicks(Math.Min(firstDelay.Ticks * (1L << Math.Min(Attempts - 1, 20)), TimeSpan.FromHours(1).Ticks));
        NextAttemptAt = now + delay;
    }
}
