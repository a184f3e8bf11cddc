using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TechMarket.Listings.Domain;
using TechMarket.Listings.Persistence;

namespace TechMarket.Listings.Search;

/// <summary>
/// Runs on every app node: reads the change table after this node's last applied position, re-reads each changed
/// entity's current state and updates the local index. Applying a change is idempotent (the document is rebuilt from
/// the database), so replaying is always safe and every node converges by itself.
/// </summary>
public sealed class SearchIndexer(IServiceScopeFactory scopes, SearchIndex index, SearchOptions options, TimeProvider clock, ILogger<SearchIndexer> logger) : BackgroundService
{
    // Ids are allocated before commit: on PostgreSQL a lower id can become visible after a higher one. Missing ids
    // below the position are re-checked for a while before they are treated as rolled back.
    private static readonly TimeSpan GapPatience = TimeSpan.FromSeconds(30);
    private readonly Dictionary<long, DateTimeOffset> gaps = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Let the host finish starting (migrations run before, but the tests' hosts start in parallel).
        await Task.Yield();
        if (options.Rebuild || NeedsRebuild())
        {
            try
            {
                await RebuildAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // Tables not there yet or database down: catching up from the position is the fallback.
                logger.LogWarning(e, "Search index rebuild failed; catching up from {Position}", index.Position);
            }
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (await CatchUpAsync(stoppingToken) > 0 && !stoppingToken.IsCancellationRequested)
                {
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // The tables may not exist yet (first start before migrations) or the database may be down: retry.
                logger.LogWarning(e, "Search indexer could not catch up from {Position}", index.Position);
            }

            try
            {
                await Task.Delay(options.PollInterval, clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>
    /// Change rows are pruned after the retention (SearchChangePruner), so replaying them is only complete for an index
    /// that is younger than that. An empty index starts from the tables too (a new node, or a deleted index folder); an
    /// index with documents at position 0 is a pre-built one (the benchmark's) and is kept. An index written in an
    /// older document layout is rebuilt whatever its age.
    /// </summary>
    public bool NeedsRebuild()
    {
        if (index.Layout != SearchIndex.CurrentLayout && index.DocumentCount > 0)
        {
            return true;
        }

        if (index.Position == 0)
        {
            return index.DocumentCount == 0;
        }

        return index.CommittedAt is not { } at || clock.GetUtcNow() - at > options.ChangeRetention;
    }

    /// <summary>Applies the next batch of changes; returns how many rows it read.</summary>
    public async Task<int> CatchUpAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ListingsDbContext>();
        var position = index.Position;
        var batch = await db.SearchChanges.AsNoTracking()
            .Where(c => c.Id > position)
            .OrderBy(c => c.Id)
            .Take(options.BatchSize)
            .ToListAsync(cancellationToken);
        var late = new List<SearchChange>();
        if (gaps.Count > 0)
        {
            var gapIds = gaps.Keys.ToList();
            late = await db.SearchChanges.AsNoTracking().Where(c => gapIds.Contains(c.Id)).ToListAsync(cancellationToken);
            var now = clock.GetUtcNow();
            foreach (var found in late)
            {
                gaps.Remove(found.Id);
            }

            foreach (var (id, seen) in gaps.ToList())
            {
                if (now - seen > GapPatience)
                {
                    gaps.Remove(id);
                }
            }
        }

        if (batch.Count == 0 && late.Count == 0)
        {
            return 0;
        }

        var expected = position + 1;
        foreach (var change in batch)
        {
            for (var missing = expected; missing < change.Id && position > 0; missing++)
            {
                gaps.TryAdd(missing, clock.GetUtcNow());
            }

            expected = change.Id + 1;
        }

        await ApplyAsync(db, batch.Concat(late).ToList(), cancellationToken);
        var newPosition = batch.Count > 0 ? batch[^1].Id : position;
        index.Commit(newPosition, clock.GetUtcNow());
        logger.LogDebug("Search index applied {Count} changes up to {Position}", batch.Count + late.Count, newPosition);
        return batch.Count;
    }

    /// <summary>Drops the local index and indexes every visible listing, demand and profile from the database.</summary>
    public async Task RebuildAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ListingsDbContext>();
        // Everything committed up to here is in the rebuild; later changes are caught up normally.
        var position = await db.SearchChanges.MaxAsync(c => (long?)c.Id, cancellationToken) ?? 0;
        index.DeleteAll();
        var count = await AddInRunOrderAsync(db.Listings.Where(l => l.Status == PublicationStatus.Published), l => l.Id, IndexDocuments.From, EntityKinds.Listing, cancellationToken);
        count += await AddInRunOrderAsync(db.Demands.Where(d => d.Status == PublicationStatus.Published), d => d.Id, IndexDocuments.From, EntityKinds.Demand, cancellationToken);
        count += await AddInRunOrderAsync(db.Profiles, p => p.Id, IndexDocuments.From, EntityKinds.Profile, cancellationToken);
        gaps.Clear();
        index.Commit(position, clock.GetUtcNow());
        logger.LogInformation("Search index rebuilt: {Count} documents at position {Position}", count, position);
    }

    /// <summary>
    /// Adds the items sorted by their documents' run key (IndexDocuments.RunKey), so that a rebuilt segment's facets
    /// are counted over ranges (see FacetRuns): first every id with its key (documents built and dropped), then the
    /// items a batch at a time in that order.
    /// </summary>
    private async Task<int> AddInRunOrderAsync<T>(IQueryable<T> items, Func<T, Guid> idOf, Func<T, Lucene.Net.Documents.Document> document, string kind, CancellationToken cancellationToken)
        where T : class
    {
        var ordered = new List<(string Key, Guid Id)>();
        await foreach (var item in items.AsNoTracking().AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            ordered.Add((IndexDocuments.RunKey(document(item)), idOf(item)));
        }

        ordered.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key) is var byKey and not 0 ? byKey : a.Id.CompareTo(b.Id));
        var count = 0;
        foreach (var batch in ordered.Select(o => o.Id).Chunk(500))
        {
            var loaded = await items.AsNoTracking().Where(i => batch.Contains(EF.Property<Guid>(i, "Id"))).ToDictionaryAsync(idOf, cancellationToken);
            foreach (var id in batch)
            {
                if (loaded.TryGetValue(id, out var item))
                {
                    index.Upsert(document(item), IndexDocuments.KeyOf(kind, id));
                    count++;
                }
            }
        }

        return count;
    }

    private async Task ApplyAsync(ListingsDbContext db, List<SearchChange> changes, CancellationToken cancellationToken)
    {
        var listingIds = changes.Where(c => c.Kind == EntityKinds.Listing).Select(c => c.EntityId).Distinct().ToList();
        var demandIds = changes.Where(c => c.Kind == EntityKinds.Demand).Select(c => c.EntityId).Distinct().ToList();
        var profileIds = changes.Where(c => c.Kind == EntityKinds.Profile).Select(c => c.EntityId).Distinct().ToList();

        var listings = listingIds.Count == 0 ? [] : await db.Listings.AsNoTracking().Where(l => listingIds.Contains(l.Id)).ToDictionaryAsync(l => l.Id, cancellationToken);
        foreach (var id in listingIds)
        {
            var key = IndexDocuments.KeyOf(EntityKinds.Listing, id);
            if (listings.TryGetValue(id, out var l) && l.Status == PublicationStatus.Published)
            {
                index.Upsert(IndexDocuments.From(l), key);
            }
            else
            {
                index.Delete(key);
            }
        }

        var demands = demandIds.Count == 0 ? [] : await db.Demands.AsNoTracking().Where(d => demandIds.Contains(d.Id)).ToDictionaryAsync(d => d.Id, cancellationToken);
        foreach (var id in demandIds)
        {
            var key = IndexDocuments.KeyOf(EntityKinds.Demand, id);
            if (demands.TryGetValue(id, out var d) && d.Status == PublicationStatus.Published)
            {
                index.Upsert(IndexDocuments.From(d), key);
            }
            else
            {
                index.Delete(key);
            }
        }

        var profiles = profileIds.Count == 0 ? [] : await db.Profiles.AsNoTracking().Where(p => profileIds.Contains(p.Id)).ToDictionaryAsync(p => p.Id, cancellationToken);
        foreach (var id in profileIds)
        {
            var key = IndexDocuments.KeyOf(EntityKinds.Profile, id);
            if (profiles.TryGetValue(id, out var p))
            {
                index.Upsert(IndexDocuments.From(p), key);
            }
            else
            {
                index.Delete(key);
            }
        }
    }
}
