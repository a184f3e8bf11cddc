using System.Data.Common;
using TechMarket.Listings;
using TechMarket.Orders.Catalog;
using TechMarket.Orders.Features.Workflow;
using TechMarket.Orders.Payments;
using TechMarket.Payments;

namespace TechMarket.Web.Hosting;

/// <summary>
/// Connects Orders to Listings (stock) and Payments (escrow) through their public interfaces. Modules do not
/// reference each other (ADR 0001); the host, which references all of them, adapts one to the other (ADR 0020).
/// </summary>
internal static class OrdersAdapters
{
    public static IHostApplicationBuilder AddOrdersAdapters(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<IOrderCatalog, ListingsOrderCatalog>();
        builder.Services.AddScoped<IOrderPayments, PaymentsForOrders>();
        builder.Services.AddScoped<IPaymentEvents, OrderPaymentEvents>();
        return builder;
    }
}

internal sealed class ListingsOrderCatalog(IListingCatalog listings) : IOrderCatalog
{
    public async Task<OrderableListing?> FindAsync(Guid listingId, CancellationToken cancellationToken = default)
    {
        var l = await listings.FindAsync(listingId, cancellationToken);
        return l is null
            ? null
            : new OrderableListing(l.Id, l.SellerId, l.Title, l.Modes.Select(m => m.ToString()).ToList(), l.Price, l.RemainingQuantity, l.IsPublished, l.Pricing == TechMarket.Listings.Domain.PricingKind.Negotiable || l.Price is null);
    }

    public async Task<StockReservation> ReserveAsync(Guid listingId, int quantity, DbTransaction transaction, CancellationToken cancellationToken = default) =>
        await listings.ReserveAsync(listingId, quantity, transaction, cancellationToken) switch
        {
            ReserveResult.Reserved => StockReservation.Reserved,
            ReserveResult.SoldOut => StockReservation.SoldOut,
            ReserveResult.NotPublished => StockReservation.Closed,
            _ => StockReservation.NotFound,
        };

    public Task ReleaseAsync(Guid listingId, int quantity, DbTransaction transaction, CancellationToken cancellationToken = default) =>
        listings.ReleaseAsync(listingId, quantity, transaction, cancellationToken);
}

internal sealed class PaymentsForOrders(IPayments payments) : IOrderPayments
{
    public async Task<(OrderPaymentIntent? Intent, string? Error)> CreateAsync(string reference, Guid payerId, Guid payeeId, decimal amount, string subject, CancellationToken cancellationToken = default) =>
        Intent(await payments.CreatePaymentAsync(new CreatePayment(reference, payerId, payeeId, amount, subject), cancellationToken));

    public async Task<(OrderPaymentIntent? Intent, string? Error)> CreateAsync(string reference, Guid payerId, Guid payeeId, decimal amount, string subject, DbTransaction transaction, CancellationToken cancellationToken = default) =>
        Intent(await payments.CreatePaymentAsync(new CreatePayment(reference, payerId, payeeId, amount, subject), transaction, cancellationToken));

    private static (OrderPaymentIntent? Intent, string? Error) Intent(PaymentResult<PaymentView> created) =>
        created is { Succeeded: true, Value: { } p }
            ? (new OrderPaymentIntent(p.Reference, p.Amount, p.Status, p.PayUrl), null)
            : (null, created.Error ?? "not-found");

    public async Task<OrderPaymentResult> ReleaseAsync(string reference, decimal amount, Guid? actorId, CancellationToken cancellationToken = default)
    {
        var released = await payments.ReleaseAsync(reference, amount, actorId, cancellationToken);
        return released.Succeeded ? OrderPaymentResult.Ok : new OrderPaymentResult(false, released.Error ?? "not-found");
    }

    public async Task<OrderPaymentResult> RefundAsync(string reference, decimal amount, string reason, Guid? actorId, CancellationToken cancellationToken = default)
    {
        var refunded = await payments.RefundAsync(reference, amount, reason, actorId, cancellationToken);
        return refunded.Succeeded ? OrderPaymentResult.Ok : new OrderPaymentResult(false, refunded.Error ?? "not-found");
    }
}

/// <summary>Payments' confirmations for order references ("ORD…") move the order to paid, or refuse the payment.</summary>
internal sealed class OrderPaymentEvents(OrderWorkflow workflow) : IPaymentEvents
{
    public async Task PaymentConfirmedAsync(PaymentConfirmed confirmed, CancellationToken cancellationToken)
    {
        if (confirmed.Reference.StartsWith("ORD", StringComparison.Ordinal))
        {
            await workflow.ConfirmPaymentAsync(
                new OrderPaymentConfirmed(confirmed.Reference, confirmed.PayerId, confirmed.PayeeId, confirmed.Amount, confirmed.ProviderTradeNo, confirmed.PaidAt),
                cancellationToken);
        }
    }
}
