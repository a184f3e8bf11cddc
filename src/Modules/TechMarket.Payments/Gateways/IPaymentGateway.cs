namespace TechMarket.Payments.Gateways;

/// <summary>What the platform asks a payment institution to do. One implementation per provider protocol.</summary>
public interface IPaymentGateway
{
    /// <summary>Stable name stored on each payment ("alipay", …).</summary>
    string Name { get; }

    /// <summary>Builds the signed page-pay request; the payer is sent to <see cref="GatewayRedirect.Url"/> (or shown it as a QR code).</summary>
    GatewayRedirect CreatePayment(GatewayPaymentRequest request);

    /// <summary>Verifies the signature of an asynchronous notification (or synchronous return) and parses it. Never throws on bad input.</summary>
    GatewayNotification ParseNotification(IReadOnlyDictionary<string, string> parameters);

    /// <summary>The reply the provider expects once a notification has been taken (Alipay: exactly "success").</summary>
    string AcknowledgeText { get; }

    Task<GatewayTradeStatus> QueryAsync(string reference, CancellationToken cancellationToken = default);

    /// <summary>Refunds part or all of a paid trade; <paramref name="refundRequestNo"/> makes retries idempotent at the provider.</summary>
    Task<GatewayRefundResult> RefundAsync(string reference, decimal amount, string refundRequestNo, string reason, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<StatementLine>> GetStatementAsync(DateOnly day, CancellationToken cancellationToken = default);
}

public sealed record GatewayPaymentRequest(string Reference, decimal Amount, string Subject, string NotifyUrl, string ReturnUrl);

public sealed record GatewayRedirect(string Url);

public enum TradeState
{
    Unknown,
    WaitingForPayer,
    Paid,
    Closed,
}

public enum NotificationProblem
{
    None,
    BadSignature,
    WrongApp,
    Malformed,
}

public sealed record GatewayNotification(
    NotificationProblem Problem,
    string? Reference,
    string? ProviderTradeNo,
    decimal? Amount,
    TradeState State,
    string? Detail)
{
    public bool IsValid => Problem == NotificationProblem.None;
}

public sealed record GatewayTradeStatus(string Reference, TradeState State, string? ProviderTradeNo, decimal? Amount);

public sealed record GatewayRefundResult(bool Succeeded, decimal RefundedTotal, string? Error);

public enum StatementLineKind
{
    Payment,
    Refund,
}

public sealed record StatementLine(StatementLineKind Kind, string Reference, string ProviderTradeNo, decimal Amount, string? RefundRequestNo);
