namespace TechMarket.Kernel.Notifications;

/// <summary>What a notification is about; members switch e-mail on or off per kind.</summary>
public static class NotificationKinds
{
    public const string Message = "message";
    public const string Mail = "mail";
    public const string Support = "support";
    public const string Order = "order";
    public const string Price = "price";
    public const string Payment = "payment";
    public const string Review = "review";
    public const string System = "system";

    public static readonly string[] All = [Message, Mail, Support, Order, Price, Payment, Review, System];
}

/// <summary>
/// Template keys the Messaging module renders in the member's language (zh-CN or en). Each key has a
/// ".Title" and a ".Body" text taking the arguments as {0}, {1}…; an unknown key is shown as the arguments joined.
/// </summary>
public static class NotificationTemplates
{
    public const string ChatMessage = "chat.message";
    public const string MailReceived = "mail.received";
    public const string SupportReply = "support.reply";
    public const string OrderCreated = "order.created";
    public const string OrderStatusChanged = "order.status";
    public const string PriceChanged = "price.changed";
    public const string PaymentReceived = "payment.received";
    public const string ReviewApproved = "review.approved";
    public const string ReviewRejected = "review.rejected";
}

/// <summary>
/// The one notification service every module calls (I3, M2): the notification is stored in the member's list,
/// pushed live to their open pages and apps, and queued for e-mail when their preferences ask for it.
/// </summary>
public interface INotificationSender
{
    /// <param name="memberId">Who is told.</param>
    /// <param name="kind">One of <see cref="NotificationKinds"/>; decides whether an e-mail goes out.</param>
    /// <param name="templateKey">One of <see cref="NotificationTemplates"/>.</param>
    /// <param name="args">Values for the template's placeholders (plain text, never HTML).</param>
    /// <param name="link">A local path the notification opens, e.g. "/orders/…".</param>
    Task NotifyAsync(Guid memberId, string kind, string templateKey, IReadOnlyList<string> args, string? link = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// The same as <see cref="NotifyAsync"/> for many notifications at once, for senders that queue them (orders): each
    /// one is still stored, pushed and e-mailed per preferences, but the look-ups and the INSERTs are shared, so a batch
    /// costs a handful of database round trips instead of a handful per notification. All or none are stored.
    /// </summary>
    Task NotifyManyAsync(IReadOnlyList<NotificationRequest> notifications, CancellationToken cancellationToken = default);
}

/// <summary>One notification for <see cref="INotificationSender.NotifyManyAsync"/>; the fields mean what <see cref="INotificationSender.NotifyAsync"/>'s parameters mean.</summary>
public sealed record NotificationRequest(Guid MemberId, string Kind, string TemplateKey, IReadOnlyList<string> Args, string? Link = null);
