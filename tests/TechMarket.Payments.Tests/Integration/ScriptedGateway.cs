using TechMarket.Payments.Gateways;

namespace TechMarket.Payments.Tests.Integration;

/// <summary>
/// An in-memory institution for the ledger property test: the edge of the world swapped, as STYLE.md allows,
/// so thousands of operations run in seconds. Refunds fail on demand to exercise the compensation path.
/// The real protocol and the real sandbox bank are covered by CheckoutFlowTests.
/// </summary>
internal sealed class ScriptedGateway : IPaymentGateway
{
    public bool FailNextRefund { get; set; }

    public string Name => "alipay";

    public string AcknowledgeText => "success";

    public GatewayRedirect CreatePayment(GatewayPaymentRequest request) => new($"https://bank.invalid/pay?ref={request.Reference}");

    public GatewayNotification ParseNotification(IReadOnlyDictionary<string, string> parameters) =>
        new(NotificationProblem.BadSignature, null, null, null, TradeState.Unknown, "scripted gateway takes no notifications");

    public Task<GatewayTradeStatus> QueryAsync(string reference, CancellationToken cancellationToken = default) =>
        Task.FromResult(new GatewayTradeStatus(reference, TradeState.WaitingForPayer, null, null));

    public Task<GatewayRefundResult> RefundAsync(string reference, decimal amount, string refundRequestNo, string reason, CancellationToken cancellationToken = default)
    {
        var fail = FailNextRefund;
        FailNextRefund = false;
        return Task.FromResult(fail ? new GatewayRefundResult(false, 0, "ACQ.SYSTEM_ERROR") : new GatewayRefundResult(true, amount, null));
    }

    public Task<IReadOnlyList<StatementLine>> GetStatementAsync(DateOnly day, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<StatementLine>>([]);
}
