using TechMarket.Payments;

namespace TechMarket.Orders.Features.Workflow;

/// <summary>Hears the Payments module's confirmations and moves the matching order to paid (or refuses the payment).</summary>
internal sealed class PaymentConfirmedHandler(OrderWorkflow workflow) : IPaymentEvents
{
    public async Task PaymentConfirmedAsync(PaymentConfirmed confirmed, CancellationToken cancellationToken)
    {
        if (confirmed.Reference.StartsWith("ORD", StringComparison.Ordinal))
        {
            await workflow.ConfirmPaymentAsync(confirmed, cancellationToken);
        }
    }
}
