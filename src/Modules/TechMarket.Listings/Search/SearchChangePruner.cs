using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TechMarket.Listings.Persistence;

namespace TechMarket.Listings.Search;

/// <summary>
/// Keeps the change table (listing_changes) from growing forever: rows older than the retention are deleted. A running
/// node applies changes within a second, so only a node that was stopped for longer than the retention could still need
/// them, and such a node rebuilds its index from the tables on start (see SearchIndexer). Every node runs this job;
/// deleting by age is idempotent, so concurrent runs are harmless.
/// </summary>
public sealed class SearchChangePruner(IServiceScopeFactory scopes, SearchOptions options, TimeProvider clock, ILogger<SearchChangePruner> logger) : BackgroundService
{
    public async Task<int> PruneAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ListingsDbContext>();
        var cutoff = clock.GetUtcNow() - options.ChangeRetention;
        var deleted = await db.SearchChanges.Where(c => c.At < cutoff).ExecuteDeleteAsync(cancellationToken);
        if (deleted > 0)
        {
            logger.LogInformation("Pruned {Count} search changes older than {Cutoff}", deleted, cutoff);
        }

        return deleted;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(options.PruneInterval, clock, stoppingToken);
                await PruneAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Pruning search changes failed; next attempt in {Interval}", options.PruneInterval);
            }
        }
    }
}
