using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TechMarket.Payments.Domain;
using TechMarket.Payments.Gateways;
using TechMarket.Payments.Persistence;

namespace TechMarket.Payments.Features.Reconciliation;

/// <summary>
/// Compares one UTC day of the ledger (payments settled, refunds paid) with the provider's statement and stores every
/// difference for operators. The run row (primary key = day) is the lease: on several nodes exactly one inserts it and runs.
/// </summary>
internal sealed class ReconciliationJob(IServiceScopeFactory scopes, PaymentsOptions options, TimeProvider clock, ILogger<ReconciliationJob> logger) : BackgroundService
{
    /// <summary>Runs the day unless another node already has; returns the run, or null when this node did not get the lease.</summary>
    public async Task<ReconciliationRun?> RunAsync(DateOnly day, CancellationToken cancellationToken = default)
    {
        var key = day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PaymentsDbContext>();
        var run = new ReconciliationRun { Day = key, Node = Environment.MachineName + ":" + Environment.ProcessId, StartedAt = clock.GetUtcNow() };
        db.ReconciliationRuns.Add(run);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            logger.LogInformation("Reconciliation of {Day} already taken by another node", key);
            return null;
        }

        try
        {
            var from = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            var to = from.AddDays(1);
            var ledger = new Dictionary<(string Movement, string Key), (string Reference, string? TradeNo, decimal Amount)>();
            foreach (var p in await db.Payments.AsNoTracking().Where(p => p.PaidAt >= from && p.PaidAt < to).ToListAsync(cancellationToken))
            {
                ledger[("payment", p.Reference)] = (p.Reference, p.ProviderTradeNo, p.Amount);
            }

            foreach (var r in await db.Refunds.AsNoTracking().Where(r => r.Status == RefundStatus.Succeeded && r.CompletedAt >= from && r.CompletedAt < to).ToListAsync(cancellationToken))
            {
                ledger[("refund", r.RequestNo)] = (r.Reference, null, r.Amount);
            }

            var provider = new Dictionary<(string Movement, string Key), StatementLine>();
            foreach (var gateway in scope.ServiceProvider.GetRequiredService<GatewayRegistry>().Names)
            {
                var statement = await scope.ServiceProvider.GetRequiredService<GatewayRegistry>().Find(gateway)!.GetStatementAsync(day, cancellationToken);
                foreach (var line in statement)
                {
                    var k = line.Kind == StatementLineKind.Payment ? ("payment", line.Reference) : ("refund", line.RefundRequestNo ?? line.Reference);
                    provider[k] = provider.TryGetValue(k, out var earlier) ? earlier with { Amount = earlier.Amount + line.Amount } : line;
                }
            }

            var differences = new List<ReconciliationDifference>();
            foreach (var (k, line) in provider)
            {
                if (!ledger.TryGetValue(k, out var mine))
                {
                    differences.Add(new ReconciliationDifference { Day = key, Kind = DifferenceKind.MissingInLedger, Movement = k.Movement, Reference = line.Reference, ProviderTradeNo = line.ProviderTradeNo, ProviderAmount = line.Amount });
                }
                else if (mine.Amount != line.Amount)
                {
                    differences.Add(new ReconciliationDifference { Day = key, Kind = DifferenceKind.AmountMismatch, Movement = k.Movement, Reference = line.Reference, ProviderTradeNo = line.ProviderTradeNo, LedgerAmount = mine.Amount, ProviderAmount = line.Amount });
                }
            }

            foreach (var (k, mine) in ledger.Where(l => !provider.ContainsKey(l.Key)))
            {
                differences.Add(new ReconciliationDifference { Day = key, Kind = DifferenceKind.MissingAtProvider, Movement = k.Movement, Reference = mine.Reference, ProviderTradeNo = mine.TradeNo, LedgerAmount = mine.Amount });
            }

            db.ReconciliationDifferences.AddRange(differences);
            run.Differences = differences.Count;
            run.FinishedAt = clock.GetUtcNow();
            await db.SaveChangesAsync(cancellationToken);
            logger.LogInformation("Reconciled {Day}: {Count} difference(s)", key, differences.Count);
            return run;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Give the day back so another attempt (on any node) can run it.
            logger.LogError(e, "Reconciliation of {Day} failed", key);
            db.ChangeTracker.Clear();
            await db.ReconciliationRuns.Where(r => r.Day == key).ExecuteDeleteAsync(CancellationToken.None);
            throw;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.ReconciliationInterval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var yesterday = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime).AddDays(-1);
                await RunAsync(yesterday, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogError(e, "Scheduled reconciliation failed");
            }
        }
    }
}
