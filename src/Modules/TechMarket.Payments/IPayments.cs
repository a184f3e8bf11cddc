using System.Data.Common;

namespace TechMarket.Payments;

/// <summary>
/// The Payments module's public interface for other modules (Orders). Amounts are CNY with at most 2 decimals.
/// Every method validates its input and answers with a <see cref="PaymentResult{T}"/> instead of throwing.
/// </summary>
public interface IPayments
{
    /// <summary>Creates a payment intent for <paramref name="request"/>.Reference (idempotent: the same reference, payer, payee and amount returns the existing intent).</summary>
    Task<PaymentResult<PaymentView>> CreatePaymentAsync(CreatePayment request, CancellationToken cancellationToken = default);

    /// <summary>
    /// Creates the payment intent for a reference the caller has just made up inside its own open transaction (another
    /// module's context on the same database): the payment and its audit row commit or roll back with the caller's
    /// writes. The reference must be new; a second payment under it fails the caller's transaction.
    /// </summary>
    Task<PaymentResult<PaymentView>> CreatePaymentAsync(CreatePayment request, DbTransaction transaction, CancellationToken cancellationToken = default);

    /// <summary>Releases part or all of the held money to the payee, minus the platform fee (buyer accepted delivery or a milestone).</summary>
    Task<PaymentResult<PaymentView>> ReleaseAsync(string reference, decimal amount, Guid? actorId, CancellationToken cancellationToken = default);

    /// <summary>Refunds part or all of what is still held, through the gateway, back to the payer.</summary>
    Task<PaymentResult<RefundView>> RefundAsync(string reference, decimal amount, string reason, Guid? actorId, CancellationToken cancellationToken = default);

    Task<PaymentView?> GetAsync(string reference, CancellationToken cancellationToken = default);
}

/// <summary>
/// Implement and register (scoped or singleton) to hear about payments. Called in-process after the state change is
/// committed, once per payment; a failing handler is logged and does not undo the payment (not an outbox: a crash between
/// commit and call loses the call, so handlers should also be able to ask <see cref="IPayments.GetAsync"/>).
/// </summary>
public interface IPaymentEvents
{
    Task PaymentConfirmedAsync(PaymentConfirmed confirmed, CancellationToken cancellationToken);
}

public sealed record PaymentConfirmed(Guid PaymentId, string Reference, Guid PayerId, Guid PayeeId, decimal Amount, string ProviderTradeNo, DateTimeOffset PaidAt);

public sealed record CreatePayment(string Reference, Guid PayerId, Guid PayeeId, decimal Amount, string Subject, string? Gateway = null);

public sealed record PaymentView(
    Guid Id,
    string Reference,
    Guid PayerId,
    Guid PayeeId,
    decimal Amount,
    string Currency,
    string Subject,
    string Gateway,
    string Status,
    decimal Held,
    decimal Released,
    decimal Refunded,
    decimal Fees,
    string? ProviderTradeNo,
    DateTimeOffset CreatedAt,
    DateTimeOffset? PaidAt,
    string? PayUrl);

public sealed record RefundView(Guid Id, string Reference, string RequestNo, decimal Amount, string Reason, string Status, string? Error, DateTimeOffset CreatedAt);

/// <summary>Either a value or a rejection: the field it concerns and a stable code (text in PaymentsStrings "Error.{Code}").</summary>
public sealed record PaymentResult<T>(T? Value, string? Field, string? Error, bool NotFound = false)
{
    public bool Succeeded => Error is null && !NotFound;
}

internal static class PaymentResult
{
    public static PaymentResult<T> Ok<T>(T value) => new(value, null, null);

    public static PaymentResult<T> Rejected<T>(string field, string error) => new(default, field, error);

    public static PaymentResult<T> Missing<T>() => new(default, null, null, NotFound: true);
}
