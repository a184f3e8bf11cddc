using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Logging;
using TechMarket.Kernel.Auditing;
using TechMarket.Kernel.Notifications;
using TechMarket.Orders.Domain;
using TechMarket.Orders.Realtime;

namespace TechMarket.Orders.Features.Workflow;

/// <summary>What a live page receives when an order changes.</summary>
public sealed record OrderChange(Guid OrderId, string Number, string Kind, string State, decimal Amount, string Title, Guid BuyerId, Guid SellerId, DateTimeOffset At, string? Reason);

/// <summary>
/// After a transition commits: pushes it live (buyer, seller, operators) and queues a notification for the other
/// party (stored, pushed, e-mailed per preferences by <see cref="OrderNotifications"/>, outside the request). A failure
/// here never undoes the transition.
/// </summary>
public sealed class OrderEvents(IHubContext<OrdersHub> hub, OrderNotifications notifications, ILogger<OrderEvents> logger)
{
    public static AuditEntry Audit(OrderEvent e, Order order) =>
        AuditEntry.Record(e.At, e.ActorId, $"order.{e.Kind}", nameof(Order), order.Id.ToString(),
            $"{e.FromState?.ToString() ?? "-"} -> {e.ToState}{(e.NewAmount is { } a ? $" amount {a}" : "")}{(e.Reason is { } r ? $": {r}" : "")}");

    public async Task PublishAsync(Order order, OrderEvent e, CancellationToken cancellationToken = default)
    {
        var change = new OrderChange(order.Id, order.Number, e.Kind, order.State.ToString(), order.Amount, order.ListingTitle, order.BuyerId, order.SellerId, e.At, e.Reason);
        try
        {
            await hub.Clients.Groups(OrdersHub.MemberGroup(order.BuyerId), OrdersHub.MemberGroup(order.SellerId), OrdersHub.OperatorsGroup)
                .SendAsync(OrdersHub.OrderChanged, change, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "Live push for order {OrderId} failed", order.Id);
        }

        foreach (var notice in Notices(order, e))
        {
            await notifications.EnqueueAsync(notice, cancellationToken);
        }
    }

    private static string Money(decimal? value) => value?.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture) ?? "";

    // Template arguments follow Messaging's texts: order.created {number, text}, price.changed {item, old, new},
    // payment.received {amount, order}, order.status {number, state}.
    internal static IEnumerable<OrderNotice> Notices(Order order, OrderEvent e)
    {
        var link = $"/orders/{order.Id}";
        var amount = Money(order.Amount);
        switch (e.Kind)
        {
            case OrderEventKinds.Created:
                yield return new(order.Id, order.SellerId, NotificationKinds.Order, NotificationTemplates.OrderCreated, [order.Number, $"{order.ListingTitle} ¥{amount}"], "/orders/console");
                break;
            case OrderEventKinds.PriceChanged:
                yield return new(order.Id, order.BuyerId, NotificationKinds.Price, NotificationTemplates.PriceChanged, [$"{order.ListingTitle} ({order.Number})", Money(e.OldAmount), amount], link);
                break;
            case OrderEventKinds.Paid:
                // The seller's prompt to deliver: in-page toast (live push above), notification list entry and e-mail.
                yield return new(order.Id, order.SellerId, NotificationKinds.Payment, NotificationTemplates.PaymentReceived, [amount, order.Number], link);
                break;
            default:
                var other = e.ActorId == order.SellerId ? order.BuyerId : e.ActorId == order.BuyerId ? order.SellerId : (Guid?)null;
                foreach (var who in other is { } o ? [o] : new[] { order.BuyerId, order.SellerId })
                {
                    yield return new(order.Id, who, NotificationKinds.Order, NotificationTemplates.OrderStatusChanged, [order.Number, order.State.ToString(), e.Reason ?? ""], link);
                }

                break;
        }
    }
}
