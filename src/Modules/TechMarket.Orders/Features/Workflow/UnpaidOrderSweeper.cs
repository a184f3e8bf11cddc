using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TechMarket.Orders.Domain;
using TechMarket.Orders.Persistence;

namespace TechMarket.Orders.Features.Workflow;

/// <summary>
/// Cancels orders left unpaid past <see cref="OrdersOptions.UnpaidTimeout"/>. Safe on several nodes at once: each
/// cancellation is a state-checked transition with a concurrency token, so two nodes cannot cancel one order twice.
/// </summary>
public sealed class UnpaidOrderSweeper(IServiceScopeFactory scopes, OrdersOptions options, TimeProvider clock, ILogger<UnpaidOrderSweeper> logger) : BackgroundService
{
    /// <summary>One pass; returns how many orders were cancelled.</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken = default)
    {
        var deadline = clock.GetUtcNow() - options.UnpaidTimeout;
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<OrdersDbContext>();
        var due = await db.Orders.AsNoTracking()
            .Where(o => o.State == OrderState.PendingPayment && o.CreatedAt <= deadline)
            .OrderBy(o => o.CreatedAt)
            .Select(o => o.Id)
            .Take(500)
            .ToListAsync(cancellationToken);
        var cancelled = 0;
        foreach (var id in due)
        {
            using var one = scopes.CreateScope();
            if (await one.ServiceProvider.GetRequiredService<OrderWorkflow>().CancelUnpaidAsync(id, cancellationToken))
            {
                cancelled++;
            }
        }

        if (cancelled > 0)
        {
            logger.LogInformation("Cancelled {Count} unpaid orders past the timeout", cancelled);
        }

        return cancelled;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.SweepInterval, clock);
        do
        {
            try
            {
                await SweepAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogError(ex, "Unpaid order sweep failed");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
