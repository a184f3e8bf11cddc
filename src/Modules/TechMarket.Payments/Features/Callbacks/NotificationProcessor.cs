using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TechMarket.Kernel.Auditing;
using TechMarket.Payments.Domain;
using TechMarket.Payments.Gateways;
using TechMarket.Payments.Persistence;

namespace TechMarket.Payments.Features.Callbacks;

public enum NotificationOutcome
{
    Applied,
    AlreadyApplied,
    Ignored,
    Rejected,
}

/// <summary>
/// Applies what the provider says about a payment, exactly once: from an asynchronous notification or from a query
/// when the notification never came. Duplicates change nothing (the payment is already Paid with that trade_no);
/// concurrent deliveries race on the payment's version and the unique trade_no, and the loser re-reads.
/// </summary>
internal sealed class NotificationProcessor(IServiceScopeFactory scopes, TimeProvider clock, ILogger<NotificationProcessor> logger)
{
    public async Task<NotificationOutcome> ApplyAsync(GatewayNotification notification, string source, string? remote, CancellationToken cancellationToken = default)
    {
        if (!notification.IsValid)
        {
            await RecordAsync($"callback-{notification.Problem}", notification.Reference, remote, notification.Detail ?? "", cancellationToken);
            return NotificationOutcome.Rejected;
        }

        PaymentConfirmed? confirmed = null;
        for (var attempt = 0; attempt < 10; attempt++)
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<PaymentsDbContext>();
            var payment = await db.Payments.SingleOrDefaultAsync(p => p.Reference == notification.Reference, cancellationToken);
            if (payment is null)
            {
                await RecordAsync("callback-unknown-reference", notification.Reference, remote, $"{source}: no payment with out_trade_no '{notification.Reference}'", cancellationToken);
                return NotificationOutcome.Rejected;
            }

            if (notification.Amount != payment.Amount)
            {
                await RecordAsync("callback-amount-mismatch", notification.Reference, remote, $"{source}: total_amount {notification.Amount:0.00} ≠ {payment.Amount:0.00}", cancellationToken);
                return NotificationOutcome.Rejected;
            }

            var now = clock.GetUtcNow();
            switch (notification.State)
            {
                case TradeState.Paid when payment.Status == PaymentStatus.Paid:
                    if (payment.ProviderTradeNo == notification.ProviderTradeNo)
                    {
                        return NotificationOutcome.AlreadyApplied;
                    }

                    await RecordAsync("callback-trade-no-conflict", notification.Reference, remote, $"{source}: trade_no {notification.ProviderTradeNo} but paid by {payment.ProviderTradeNo}", cancellationToken);
                    return NotificationOutcome.Rejected;
                case TradeState.Paid when payment.Status == PaymentStatus.Closed:
                    await RecordAsync("callback-paid-after-close", notification.Reference, remote, $"{source}: trade {notification.ProviderTradeNo} paid a closed payment; needs an operator", cancellationToken);
                    return NotificationOutcome.Rejected;
                case TradeState.Paid:
                    payment.MarkPaid(notification.ProviderTradeNo!, now);
                    db.Post(new Posting("payment-received", now, payment.Id, payment.Reference)
                        .Debit(Accounts.BankClearing, payment.Amount)
                        .Credit(Accounts.Escrow, payment.Amount));
                    db.AuditLog.Add(AuditEntry.Record(now, null, "payment.paid", "payment", payment.Reference, $"{source} trade_no {notification.ProviderTradeNo}"));
                    confirmed = new PaymentConfirmed(payment.Id, payment.Reference, payment.PayerId, payment.PayeeId, payment.Amount, notification.ProviderTradeNo!, now);
                    break;
                case TradeState.Closed when payment.Status == PaymentStatus.Created:
                    payment.Close();
                    db.AuditLog.Add(AuditEntry.Record(now, null, "payment.closed", "payment", payment.Reference, source));
                    break;
                case TradeState.Closed:
                    return NotificationOutcome.AlreadyApplied;
                default:
                    return NotificationOutcome.Ignored;
            }

            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException e)
            {
                // Another delivery won the race (version or unique trade_no); look again.
                logger.LogDebug(e, "Concurrent settlement of {Reference}, attempt {Attempt}", notification.Reference, attempt);
                confirmed = null;
                await Task.Delay(Random.Shared.Next(5, 40) * (attempt + 1), cancellationToken);
                continue;
            }

            logger.LogInformation("Payment {Reference} is {Status} ({Source})", payment.Reference, payment.Status, source);
            if (confirmed is not null)
            {
                await RaiseAsync(scope.ServiceProvider, confirmed, cancellationToken);
            }

            return NotificationOutcome.Applied;
        }

        await RecordAsync("callback-not-applied", notification.Reference, remote, $"{source}: gave up after repeated conflicts", cancellationToken);
        return NotificationOutcome.Rejected;
    }

    private async Task RaiseAsync(IServiceProvider services, PaymentConfirmed confirmed, CancellationToken cancellationToken)
    {
        foreach (var handler in services.GetServices<IPaymentEvents>())
        {
            try
            {
                await handler.PaymentConfirmedAsync(confirmed, cancellationToken);
            }
            catch (Exception e)
            {
                logger.LogError(e, "Payment event handler {Handler} failed for {Reference}", handler.GetType().Name, confirmed.Reference);
            }
        }
    }

    private async Task RecordAsync(string kind, string? reference, string? remote, string detail, CancellationToken cancellationToken)
    {
        logger.LogWarning("Payment callback rejected: {Kind} for {Reference} from {Remote}: {Detail}", kind, reference, remote, detail);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PaymentsDbContext>();
        db.SecurityEvents.Add(SecurityEvent.Record(clock.GetUtcNow(), kind, reference, remote, detail));
        await db.SaveChangesAsync(cancellationToken);
    }
}
