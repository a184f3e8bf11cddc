using System.Data.Common;

namespace TechMarket.Orders.Payments;

/// <summary>A payment intent for an order: where the buyer goes to pay.</summary>
public sealed record OrderPaymentIntent(string Reference, decimal Amount, string Status, string? PayUrl);

/// <summary>Success, or a stable error code from the payment side.</summary>
public sealed record OrderPaymentResult(bool Succeeded, string? Error)
{
    public static readonly OrderPaymentResult Ok = new(true, null);
}

/// <summary>What the payment side reports once money for <see cref="Reference"/> has arrived in escrow.</summary>
public sealed record OrderPaymentConfirmed(string Reference, Guid PayerId, Guid PayeeId, decimal Amount, string ProviderTradeNo, DateTimeOffset PaidAt);

/// <summary>
/// What Orders needs from the payment module (escrow): a narrow port so that Orders does not reference Payments
/// (modules reach each other only through adapters in the host, ADR 0001). The host adapts the Payments module's
/// <c>IPayments</c> to it and forwards its payment-confirmed events to <c>OrderWorkflow.ConfirmPaymentAsync</c>.
/// </summary>
public interface IOrderPayments
{
    /// <summary>Creates (or returns, for the same reference and amount) the payment the buyer must make; null intent with an error when refused.</summary>
    Task<(OrderPaymentIntent? Intent, string? Error)> CreateAsync(string reference, Guid payerId, Guid payeeId, decimal amount, string subject, CancellationToken cancellationToken = default);

    /// <summary>
    /// Creates the payment for a new order inside the order's own open transaction, so order and payment commit (or roll
    /// back) together. The reference must be new (the order's, written in the same transaction).
    /// </summary>
    Task<(OrderPaymentIntent? Intent, string? Error)> CreateAsync(string reference, Guid payerId, Guid payeeId, decimal amount, string subject, DbTransaction transaction, CancellationToken cancellationToken = default);

    /// <summary>Releases the held money to the seller (the buyer accepted the delivery).</summary>
    Task<OrderPaymentResult> ReleaseAsync(string reference, decimal amount, Guid? actorId, CancellationToken cancellationToken = default);

    /// <summary>Refunds held money to the buyer.</summary>
    Task<OrderPaymentResult> RefundAsync(string reference, decimal amount, string reason, Guid? actorId, CancellationToken cancellationToken = default);
}
