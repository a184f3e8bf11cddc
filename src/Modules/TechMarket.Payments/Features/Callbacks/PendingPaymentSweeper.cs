using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TechMarket.Payments.Domain;
using TechMarket.Payments.Features.Escrow;
using TechMarket.Payments.Gateways;
using TechMarket.Payments.Persistence;

namespace TechMarket.Payments.Features.Callbacks;

/// <summary>
/// Finds payments whose notification never arrived and asks the provider (alipay.trade.query); a paid trade is
/// settled through the same exactly-once path as a callback. Also finishes refunds left pending by a crash
/// (same out_request_no, so the provider refunds at most once). Safe on several nodes: settlement is idempotent.
/// </summary>
internal sealed class PendingPaymentSweeper(IServiceScopeFactory scopes, PaymentsOptions options, TimeProvider clock, ILogger<PendingPaymentSweeper> logger)
    : BackgroundService
{
    public async Task<int> SweepOnceAsync(CancellationToken cancellationToken = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PaymentsDbContext>();
        var gateways = scope.ServiceProvider.GetRequiredService<GatewayRegistry>();
        var processor = scope.ServiceProvider.GetRequiredService<NotificationProcessor>();
        var now = clock.GetUtcNow();
        var askBefore = now - options.PendingQueryAfter;
        var giveUpBefore = now - options.PendingGiveUpAfter;
        var waiting = await db.Payments.AsNoTracking()
            .Where(p => p.Status == PaymentStatus.Created && p.CreatedAt <= askBefore && p.CreatedAt > giveUpBefore)
            .OrderBy(p => p.CreatedAt).Take(200).ToListAsync(cancellationToken);
        var settled = 0;
        foreach (var payment in waiting)
        {
            if (gateways.Find(payment.Gateway) is not { } gateway)
            {
                continue;
            }

            var status = await gateway.QueryAsync(payment.Reference, cancellationToken);
            if (status.State is TradeState.Paid or TradeState.Closed)
            {
                var outcome = await processor.ApplyAsync(
                    new GatewayNotification(NotificationProblem.None, payment.Reference, status.ProviderTradeNo, status.Amount, status.State, null),
                    "query", null, cancellationToken);
                if (outcome == NotificationOutcome.Applied)
                {
                    settled++;
                }
            }
        }

        var stuckRefunds = await db.Refunds.AsNoTracking().Where(r => r.Status == RefundStatus.Pending && r.CreatedAt <= askBefore).OrderBy(r => r.CreatedAt).Take(50).ToListAsync(cancellationToken);
        foreach (var refund in stuckRefunds)
        {
            var payment = await db.Payments.AsNoTracking().SingleAsync(p => p.Id == refund.PaymentId, cancellationToken);
            if (gateways.Find(payment.Gateway) is { } gateway)
            {
                var result = await gateway.RefundAsync(payment.Reference, refund.Amount, refund.RequestNo, refund.Reason, cancellationToken);
                await scope.ServiceProvider.GetRequiredService<PaymentService>().CompleteRefundAsync(refund.Id, result, cancellationToken);
            }
        }

        if (settled > 0)
        {
            logger.LogInformation("Settled {Count} payment(s) whose callback had not arrived", settled);
        }

        return settled;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.PendingSweepInterval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await SweepOnceAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogError(e, "Pending payment sweep failed");
            }
        }
    }
}
