using System.Globalization;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Store;
using Microsoft.Extensions.Hosting;
using Directory = Lucene.Net.Store.Directory;

namespace TechMarket.Listings.Search;

/// <summary>
/// This node's Lucene index on local disk: one writer, near-real-time searchers, and the change-feed position it has
/// applied stored in the commit's user data — so the documents and the position are always committed together.
/// </summary>
public sealed class SearchIndex : IDisposable
{
    private const string PositionKey = "position";
    private const string CommittedAtKey = "committed_at";
    private const string LayoutKey = "layout";

    /// <summary>
    /// The document layout this code writes and reads; an index committed with another (or none: layout 1, with the
    /// result cards in stored fields) is rebuilt from the database on start.
    /// </summary>
    public const int CurrentLayout = 2;
    private readonly Directory directory;
    private readonly IndexWriter writer;
    private readonly SearcherManager searchers;
    private readonly System.Threading.Lock gate = new();

    public SearchIndex(SearchOptions options, IHostEnvironment environment, Microsoft.Extensions.Configuration.IConfiguration configuration)
        : this(ResolvePath(options, environment, configuration))
    {
    }

    /// <param name="ramBufferMb">
    /// Memory for buffered documents before a segment is flushed; a bulk build passes a large value so it writes few,
    /// large segments instead of many small ones that then have to be merged.
    /// </param>
    public SearchIndex(string path, double ramBufferMb = 16)
    {
        Path = path;
        System.IO.Directory.CreateDirectory(path);
        directory = FSDirectory.Open(path);
        var config = new IndexWriterConfig(MixedAnalyzer.Version, IndexAnalyzer) { OpenMode = OpenMode.CREATE_OR_APPEND, RAMBufferSizeMB = ramBufferMb };
        writer = new IndexWriter(directory, config);
        Position = writer.CommitData is { } data && data.TryGetValue(PositionKey, out var p) ? long.Parse(p, CultureInfo.InvariantCulture) : 0;
        CommittedAt = writer.CommitData is { } d && d.TryGetValue(CommittedAtKey, out var at) ? new DateTimeOffset(long.Parse(at, CultureInfo.InvariantCulture), TimeSpan.Zero) : null;
        Layout = writer.CommitData is { } l && l.TryGetValue(LayoutKey, out var layout) ? int.Parse(layout, CultureInfo.InvariantCulture) : 1;
        if (!DirectoryReader.IndexExists(directory))
        {
            writer.Commit();
        }

        searchers = new SearcherManager(writer, applyAllDeletes: true, searcherFactory: null);
    }

    public static MixedAnalyzer IndexAnalyzer { get; } = new(indexUnigrams: true);

    public static MixedAnalyzer QueryAnalyzer { get; } = new(indexUnigrams: false);

    public string Path { get; }

    /// <summary>The id of the last change-feed row applied and committed on this node.</summary>
    public long Position { get; private set; }

    /// <summary>When this node last committed changes (null for an index built before this was recorded).</summary>
    public DateTimeOffset? CommittedAt { get; private set; }

    /// <summary>The document layout of the last commit (see <see cref="CurrentLayout"/>).</summary>
    public int Layout { get; private set; }

    /// <summary>Live documents in the committed index.</summary>
    public int DocumentCount => Search(s => s.IndexReader.NumDocs);

    public void Upsert(Lucene.Net.Documents.Document document, string key) =>
        writer.UpdateDocument(new Term(IndexFields.Key, key), document);

    /// <summary>Adds a document known to be new (bulk build): no delete-by-key lookup. Safe from several threads.</summary>
    public void Add(Lucene.Net.Documents.Document document) => writer.AddDocument(document);

    /// <summary>
    /// Merges the index down to at most <paramref name="segments"/> segments after a bulk build: fewer segments means
    /// fewer postings lists to visit and one set of facet arrays per query.
    /// </summary>
    public void ForceMerge(int segments) => writer.ForceMerge(segments);

    /// <summary>
    /// Adds the segments of other, closed indexes (a parallel bulk build writes one per thread, each over its own range
    /// of documents, so that every segment keeps its documents in the order they were added).
    /// </summary>
    public void AddIndexes(IEnumerable<string> paths)
    {
        var others = paths.Select(p => (Lucene.Net.Store.Directory)FSDirectory.Open(p)).ToArray();
        try
        {
            writer.AddIndexes(others);
        }
        finally
        {
            foreach (var other in others)
            {
                other.Dispose();
            }
        }
    }

    public void Delete(string key) => writer.DeleteDocuments(new Term(IndexFields.Key, key));

    public void DeleteAll() => writer.DeleteAll();

    /// <summary>Makes the applied changes durable with their position and visible to new searches.</summary>
    public void Commit(long position, DateTimeOffset? at = null)
    {
        lock (gate)
        {
            var now = at ?? DateTimeOffset.UtcNow;
            writer.SetCommitData(new Dictionary<string, string>
            {
                [PositionKey] = position.ToString(CultureInfo.InvariantCulture),
                [CommittedAtKey] = now.UtcTicks.ToString(CultureInfo.InvariantCulture),
                [LayoutKey] = CurrentLayout.ToString(CultureInfo.InvariantCulture),
            });
            writer.Commit();
            Position = position;
            CommittedAt = now;
            Layout = CurrentLayout;
        }

        searchers.MaybeRefreshBlocking();
    }

    public T Search<T>(Func<IndexSearcher, T> action)
    {
        var searcher = searchers.Acquire();
        try
        {
            return action(searcher);
        }
        finally
        {
            searchers.Release(searcher);
        }
    }

    public void Dispose()
    {
        searchers.Dispose();
        writer.Dispose();
        directory.Dispose();
    }

    private static string ResolvePath(SearchOptions options, IHostEnvironment environment, Microsoft.Extensions.Configuration.IConfiguration configuration)
    {
        if (!string.IsNullOrWhiteSpace(options.IndexPath))
        {
            return System.IO.Path.GetFullPath(options.IndexPath, environment.ContentRootPath);
        }

        // Beside the uploads folder: data/uploads → data/search, and a test host's temp root keeps its own index.
        var uploads = System.IO.Path.GetFullPath(configuration["Storage:Root"] ?? "data/uploads", environment.ContentRootPath);
        return System.IO.Path.Combine(System.IO.Path.GetDirectoryName(uploads.TrimEnd(System.IO.Path.DirectorySeparatorChar))!, "search");
    }
}

public static class IndexFields
{
    public const string Key = "key";
    public const string Kind = "kind";
    public const string Id = "id";
    public const string Title = "title";
    public const string Tags = "tags";
    public const string Body = "body";
    public const string Card = "card";
    public const string Published = "published";
    public const string Price = "price";
    public const string PriceDescending = "price_desc";

    // Facet dimensions: indexed as exact terms for filtering and as doc values for counting.
    public const string Type = "type";
    public const string Mode = "mode";
    public const string Field = "field";
    public const string Region = "region";
    public const string PriceBand = "priceband";
    public const string Maturity = "maturity";
    public const string Patent = "patent";

    public static readonly string[] Dimensions = [Type, Mode, Field, Region, PriceBand, Maturity, Patent];

    /// <summary>
    /// The order a rebuild adds documents in (see <see cref="FacetRuns"/>): the dimensions with the most values that
    /// the fewest runs can still cover first. Transaction modes (several per listing) are left out: a listing's set of
    /// modes would split every run.
    /// </summary>
    public static readonly string[] RunOrder = [Field, Region, Type, Maturity, PriceBand, Patent];
}
