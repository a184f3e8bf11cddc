using System.Collections.Concurrent;
using System.Text;

namespace TechMarket.Listings.Search;

/// <summary>
/// Results of recent searches on one index version (like Elasticsearch's shard request cache). A result is only
/// served for the exact reader version it was computed on: the first search after the index changes clears the cache,
/// so nothing stale is ever returned. Bounded: when full, it starts over rather than growing.
/// </summary>
public sealed class SearchResultCache(int capacity)
{
    private readonly Lock gate = new();
    private ConcurrentDictionary<string, SearchResult> entries = new(StringComparer.Ordinal);
    private long version = -1;

    public bool Enabled => capacity > 0;

    public SearchResult GetOrAdd(long readerVersion, SearchRequest request, Func<SearchResult> compute)
    {
        if (!Enabled)
        {
            return compute();
        }

        var current = Entries(readerVersion);
        var key = KeyOf(request);
        if (current.TryGetValue(key, out var hit))
        {
            return hit with { Request = request };
        }

        var result = compute();
        if (current.Count >= capacity)
        {
            lock (gate)
            {
                if (ReferenceEquals(current, entries))
                {
                    entries = new(StringComparer.Ordinal);
                }
            }

            return result;
        }

        current.TryAdd(key, result);
        return result;
    }

    /// <summary>Same key for requests that search the same thing: case, surrounding and repeated spaces, filter order.</summary>
    public static string KeyOf(SearchRequest request)
    {
        var key = new StringBuilder();
        key.Append(request.Tab).Append('|').Append(request.Sort).Append('|').Append(request.Page).Append('|').Append(request.PageSize).Append('|');
        key.AppendJoin(' ', request.Text.ToLowerInvariant().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        foreach (var (dim, values) in request.Filters.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            if (values.Count > 0)
            {
                key.Append('|').Append(dim).Append('=').AppendJoin(',', values.Order(StringComparer.Ordinal));
            }
        }

        return key.ToString();
    }

    private ConcurrentDictionary<string, SearchResult> Entries(long readerVersion)
    {
        if (Volatile.Read(ref version) == readerVersion)
        {
            return entries;
        }

        lock (gate)
        {
            // A newer reader replaces the cache; a search still running on an older reader just doesn't cache.
            if (readerVersion > version)
            {
                version = readerVersion;
                entries = new(StringComparer.Ordinal);
            }
            else if (readerVersion < version)
            {
                return new(StringComparer.Ordinal);
            }

            return entries;
        }
    }
}
