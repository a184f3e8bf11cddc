namespace TechMarket.Listings.Search;

public sealed class SearchOptions
{
    public const string Section = "Search";

    /// <summary>Local folder of this node's index; defaults to "search" next to the upload folder (data/search).</summary>
    public string? IndexPath { get; set; }

    /// <summary>How often each node polls the change table; ≤ 500 ms keeps new listings searchable within 2 s.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Drop the local index and build it again from the database on start (also: --Search:Rebuild=true).</summary>
    public bool Rebuild { get; set; }

    public int BatchSize { get; set; } = 500;

    /// <summary>Change rows older than this are deleted; a node whose index is older than this rebuilds it on start.</summary>
    public TimeSpan ChangeRetention { get; set; } = TimeSpan.FromDays(7);

    public TimeSpan PruneInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How many search results this node keeps in memory, keyed by the normalized request and the index version they
    /// were computed on (so any index change makes old entries unreachable). 0 disables the cache (the benchmark's
    /// uncached run: --Search:ResultCacheEntries=0).
    /// </summary>
    public int ResultCacheEntries { get; set; } = 4096;

    /// <summary>
    /// Memory for the decoded postings of dense terms (in more than 1/256 of a segment's documents), per node; least
    /// recently used terms are dropped first, and a segment's are released with it. 0 reads every term's postings from
    /// the index on every search (the benchmark's "dense off" run: --Search:DensePostingsMegabytes=0).
    /// </summary>
    public int DensePostingsMegabytes { get; set; } = 256;

    /// <summary>
    /// How a search counts its facets: document by document (cheap for few matches), from bit sets per value (cheap for
    /// many), or (Auto) whichever costs less for the matches at hand. The same counts either way; the benchmark and the
    /// tests compare them.
    /// </summary>
    public FacetCounting FacetCounting { get; set; } = FacetCounting.Auto;

    /// <summary>Tests: a budget in bytes instead of megabytes, small enough to make terms evict each other.</summary>
    internal long? DensePostingsBytes { get; set; }
}

public enum FacetCounting
{
    Auto,
    PerMatch,
    BitSets,
}
