using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Logging;
using TechMarket.Kernel.Members;
using TechMarket.Kernel.Notifications;
using TechMarket.Messaging.Domain;
using TechMarket.Messaging.Features.Chat;
using TechMarket.Messaging.Persistence;
using TechMarket.Messaging.Realtime;

namespace TechMarket.Messaging.Features.Notifications;

public sealed record NotificationDto(long Id, string Kind, string Title, string Body, string? Link, DateTimeOffset CreatedAt, bool Read);

public sealed record NotificationPage(IReadOnlyList<NotificationDto> Items, int Unread);

public sealed record PreferencesDto(string Culture, IReadOnlyList<string> EmailKinds, IReadOnlyList<string> AllKinds);

public sealed class MessagingOptions
{
    public const string Section = "Messaging";

    /// <summary>Absolute site address put in front of links in e-mails (e.g. https://techmarket.example); empty: path only.</summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>How long the e-mail sender waits before its first retry; later retries double it.</summary>
    public TimeSpan EmailRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the e-mail sender looks for due mail when nothing wakes it.</summary>
    public TimeSpan EmailPollInterval { get; set; } = TimeSpan.FromSeconds(10);

    public int ChatMessagesPerWindow { get; set; } = 20;

    public TimeSpan ChatWindow { get; set; } = TimeSpan.FromSeconds(10);

    public long MaxAttachmentBytes { get; set; } = 50L * 1024 * 1024;

    public int MaxAttachments { get; set; } = 10;
}

/// <summary>The I3/M2 service: store, push live, queue e-mail per the member's preferences.</summary>
public sealed class NotificationService(
    MessagingDbContext db,
    IStringLocalizer<MessagingStrings> text,
    IMemberContacts contacts,
    Push push,
    EmailOutboxSignal signal,
    MessagingOptions options,
    TimeProvider clock,
    ILogger<NotificationService> logger) : INotificationSender
{
    public Task NotifyAsync(Guid memberId, string kind, string templateKey, IReadOnlyList<string> args, string? link = null, CancellationToken cancellationToken = default) =>
        NotifyManyAsync([new NotificationRequest(memberId, kind, templateKey, args, link)], cancellationToken);

    public async Task NotifyManyAsync(IReadOnlyList<NotificationRequest> notifications, CancellationToken cancellationToken = default)
    {
        if (notifications.Count == 0)
        {
            return;
        }

        var now = clock.GetUtcNow();
        var memberIds = notifications.Select(n => n.MemberId).Distinct().ToList();
        var found = await contacts.GetManyAsync(memberIds, cancellationToken);
        var preferences = await db.NotificationPreferences.AsNoTracking()
            .Where(p => memberIds.Contains(p.MemberId))
            .ToDictionaryAsync(p => p.MemberId, cancellationToken);
        var raised = new List<Notification>(notifications.Count);
        var emailed = false;
        foreach (var request in notifications)
        {
            if (!found.TryGetValue(request.MemberId, out var contact))
            {
                logger.LogWarning("Notification {Template} for unknown member {MemberId} dropped", request.TemplateKey, request.MemberId);
                continue;
            }

            var preference = preferences.GetValueOrDefault(request.MemberId) ?? NotificationPreference.Default(request.MemberId, contact.PreferredCulture, now);
            var (title, body) = Render(request.TemplateKey, request.Args, preference.Culture);
            var notification = Notification.Raise(request.MemberId, request.Kind, title, body, request.Link, now);
            db.Notifications.Add(notification);
            raised.Add(notification);
            if (preference.EmailsFor(request.Kind) && !string.IsNullOrWhiteSpace(contact.Email))
            {
                var url = request.Link is null ? null : (options.PublicBaseUrl?.TrimEnd('/') ?? "") + request.Link;
                var footer = Localized(preference.Culture, () => text["Email.Footer"].Value);
                var mailBody = url is null ? $"{body}\n\n{footer}" : $"{body}\n\n{url}\n\n{footer}";
                db.EmailOutbox.Add(EmailOutboxItem.Queue(request.MemberId, contact.Email!, title, mailBody, now));
                emailed = true;
            }
        }

        if (raised.Count == 0)
        {
            return;
        }

        // One SaveChanges: the notifications and their e-mails are stored together or not at all.
        await db.SaveChangesAsync(cancellationToken);
        if (emailed)
        {
            signal.Wake();
        }

        var told = raised.Select(n => n.MemberId).Distinct().ToList();
        var unread = await db.Notifications.AsNoTracking()
            .Where(n => told.Contains(n.MemberId) && n.ReadAt == null)
            .GroupBy(n => n.MemberId)
            .Select(g => new { MemberId = g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.MemberId, g => g.Count, cancellationToken);
        foreach (var notification in raised)
        {
            await push.ToMembersAsync([notification.MemberId], "notification", new { notification = ToDto(notification), unread = unread.GetValueOrDefault(notification.MemberId) }, cancellationToken);
        }
    }

    public Task<int> UnreadCountAsync(Guid memberId, CancellationToken cancellationToken = default) =>
        db.Notifications.CountAsync(n => n.MemberId == memberId && n.ReadAt == null, cancellationToken);

    public async Task<NotificationPage> ListAsync(Guid memberId, long? before, int take, CancellationToken cancellationToken = default)
    {
        take = Math.Clamp(take, 1, 100);
        var query = db.Notifications.AsNoTracking().Where(n => n.MemberId == memberId);
        if (before is { } b)
        {
            query = query.Where(n => n.Id < b);
        }

        var rows = await query.OrderByDescending(n => n.Id).Take(take).ToListAsync(cancellationToken);
        return new NotificationPage(rows.Select(ToDto).ToList(), await UnreadCountAsync(memberId, cancellationToken));
    }

    /// <summary>Marks one (or, with null, every) notification of the member read; returns false when the id is not theirs.</summary>
    public async Task<bool> MarkReadAsync(Guid memberId, long? id, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        var rows = await db.Notifications.Where(n => n.MemberId == memberId && n.ReadAt == null && (id == null || n.Id == id)).ToListAsync(cancellationToken);
        if (id is not null && rows.Count == 0 && !await db.Notifications.AnyAsync(n => n.MemberId == memberId && n.Id == id, cancellationToken))
        {
            return false;
        }

        rows.ForEach(n => n.MarkRead(now));
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    public async Task<PreferencesDto> GetPreferencesAsync(Guid memberId, CancellationToken cancellationToken = default)
    {
        var preference = await db.NotificationPreferences.AsNoTracking().SingleOrDefaultAsync(p => p.MemberId == memberId, cancellationToken);
        if (preference is null)
        {
            var contact = await contacts.GetAsync(memberId, cancellationToken);
            preference = NotificationPreference.Default(memberId, contact?.PreferredCulture, clock.GetUtcNow());
        }

        return ToDto(preference);
    }

    public async Task<PreferencesDto> SavePreferencesAsync(Guid memberId, string culture, IEnumerable<string> emailKinds, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        var preference = await db.NotificationPreferences.SingleOrDefaultAsync(p => p.MemberId == memberId, cancellationToken);
        if (preference is null)
        {
            preference = NotificationPreference.Default(memberId, culture, now);
            db.NotificationPreferences.Add(preference);
        }

        preference.Change(culture, emailKinds.Where(k => NotificationKinds.All.Contains(k)), now);
        await db.SaveChangesAsync(cancellationToken);
        return ToDto(preference);
    }

    private (string Title, string Body) Render(string templateKey, IReadOnlyList<string> args, string culture) =>
        Localized(culture, () =>
        {
            var values = args.Cast<object>().ToArray();
            var title = text[$"Notify.{templateKey}.Title", values];
            var body = text[$"Notify.{templateKey}.Body", values];
            // An unknown template still tells the member something rather than showing a resource key.
            return (title.ResourceNotFound ? string.Join(" · ", args) : title.Value, body.ResourceNotFound ? string.Join("\n", args) : body.Value);
        });

    private static T Localized<T>(string culture, Func<T> render)
    {
        var previous = CultureInfo.CurrentUICulture;
        try
        {
            CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo(culture);
            return render();
        }
        finally
        {
            CultureInfo.CurrentUICulture = previous;
        }
    }

    internal static NotificationDto ToDto(Notification n) => new(n.Id, n.Kind, n.Title, n.Body, n.Link, n.CreatedAt, n.ReadAt is not null);

    private static PreferencesDto ToDto(NotificationPreference p) =>
        new(p.Culture, NotificationKinds.All.Where(p.EmailsFor).ToList(), NotificationKinds.All);
}
