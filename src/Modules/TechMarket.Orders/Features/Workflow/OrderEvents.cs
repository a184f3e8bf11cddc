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
/// After a transition commits: pushes it live (buyer, seller, operators) and tells the other party through the
/// notification service (stored, pushed, e-mailed per preferences). A failure here never undoes the transition.
/// </summary>
public sealed class OrderEvents(IHubContext<OrdersHub> hub, IServiceProvider services, ILogger<OrderEvents> logger)
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
                .SendAsync(OrdersHub.OrderChanged, change, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "Live push for order {OrderId} failed", order.Id);
        }

        await NotifyAsync(order, e, cancellationToken);
    }

    // Template arguments follow Messaging's texts: order.created {number, text}, price.changed {item, old, new},
    // payment.received {amount, order}, order.status {number, state}.
    private static string Money(decimal? value) => value?.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture) ?? "";

    private async Task NotifyAsync(Order order, OrderEvent e, CancellationToken cancellationToken)
    {
        if (services.GetService(typeof(INotificationSender)) is not INotificationSender sender)
        {
            return;
        }

        var link = $"/orders/{order.Id}";
        var amount = order.Amount.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture);
        try
        {
            switch (e.Kind)
            {
                case OrderEventKinds.Created:
                    await sender.NotifyAsync(order.SellerId, NotificationKinds.Order, NotificationTemplates.OrderCreated, [order.Number, $"{order.ListingTitle} ¥{amount}"], "/orders/console", cancellationToken);
                    break;
                case OrderEventKinds.PriceChanged:
                    await sender.NotifyAsync(order.BuyerId, NotificationKinds.Price, NotificationTemplates.PriceChanged, [$"{order.ListingTitle} ({order.Number})", Money(e.OldAmount), amount], link, cancellationToken);
                    break;
                case OrderEventKinds.Paid:
                    // The seller's prompt to deliver: in-page toast (live push above), notification list entry and e-mail.
                    await sender.NotifyAsync(order.SellerId, NotificationKinds.Payment, NotificationTemplates.PaymentReceived, [amount, order.Number], link, cancellationToken);
                    break;
                default:
                    var other = e.ActorId == order.SellerId ? order.BuyerId : e.ActorId == order.BuyerId ? order.SellerId : (Guid?)null;
                    foreach (var who in other is { } o ? [o] : new[] { order.BuyerId, order.SellerId })
                    {
                        await sender.NotifyAsync(who, NotificationKinds.Order, NotificationTemplates.OrderStatusChanged, [order.Number, order.State.ToString(), e.Reason ?? ""], link, cancellationToken);
                    }

                    break;
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "Notification for order {OrderId} ({Kind}) failed", order.Id, e.Kind);
        }
    }
}
