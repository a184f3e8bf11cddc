// Search benchmark (not a test). Three steps, see docs/benchmarks.md:
//   index <path> <count>                       build a Lucene index of <count> generated listings, report time
//   load <baseUrl> <seconds> <concurrency>     HTTP load with a fixed mixed query set + the baseline endpoint
using System.Diagnostics;
using System.Globalization;
using Bogus;
using TechMarket.Listings.Domain;
using TechMarket.Listings.Search;

return args switch
{
    ["index", var path, var count] => BuildIndex(path, int.Parse(count, CultureInfo.InvariantCulture)),
    ["profile", var path, var rounds] => Profile(path, int.Parse(rounds, CultureInfo.InvariantCulture), null),
    ["profile", var path, var rounds, var only] => Profile(path, int.Parse(rounds, CultureInfo.InvariantCulture), only),
    ["threads", var path, var seconds, var threads] => Threads(path, int.Parse(seconds, CultureInfo.InvariantCulture), int.Parse(threads, CultureInfo.InvariantCulture)),
    ["terms", var path] => Terms(path),
    ["load", var url, var seconds, var concurrency] => await LoadAsync(url, int.Parse(seconds, CultureInfo.InvariantCulture), int.Parse(concurrency, CultureInfo.InvariantCulture)),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: index <path> <count> | terms <path> | profile <path> <rounds> [url part] | threads <path> <seconds> <threads> | load <baseUrl> <seconds> <concurrency>");
    return 2;
}

static int BuildIndex(string path, int count)
{
    if (Directory.Exists(path))
    {
        Directory.Delete(path, recursive: true);
    }

    // Documents are generated and analysed on every core at once (IndexWriter is thread-safe). Each listing has its own
    // seeded generator, so the index content is the same whatever the thread count. They are added in the order a
    // rebuild uses (IndexDocuments.RunKey: by field, region, type, ...), so that facet counts run over ranges.
    var fields = Enum.GetValues<TechField>();
    var provinces = Regions.Provinces.Take(31).ToArray();
    var start = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
    var done = 0;
    var watch = Stopwatch.StartNew();
    ListingContent Attributes(int i, Randomizer r)
    {
        var field = fields[i % fields.Length];
        var type = r.Enum<ListingType>();
        var negotiable = r.Bool(0.3f);
        var price = r.Number(1, 2000) * 10_000m;
        var province = r.ArrayElement(provinces);
        return new ListingContent
        {
            Type = type,
            Modes = r.Bool() ? [TransactionMode.Transfer] : [TransactionMode.OrdinaryLicense, TransactionMode.CoDevelopment],
            Pricing = negotiable ? PricingKind.Negotiable : PricingKind.Fixed,
            Price = negotiable ? null : price,
            Maturity = r.Enum<MaturityStage>(),
            Field = field,
            Province = province.Code,
            City = r.ArrayElement(province.Cities),
            PatentStatus = type == ListingType.Patent ? r.Enum<PatentStatus>() : null,
        };
    }

    var keys = new string[count];
    Parallel.For(0, count, i =>
    {
        var content = Attributes(i, new Randomizer(1_000_000 + i)) with { Title = "", Abstract = "", Tags = "" };
        keys[i] = IndexDocuments.RunKey(IndexDocuments.From(Listing.Create(Guid.Empty, Guid.Empty, content, start)));
    });
    var order = Enumerable.Range(0, count).OrderBy(i => keys[i], StringComparer.Ordinal).ThenBy(i => i).ToArray();
    TimeSpan added, merged;
    // One writer per thread, each over a contiguous part of that order: threads sharing one writer would interleave
    // their documents within segments. The parts' segments are then added to the index and merged.
    var parts = Environment.ProcessorCount;
    var partPaths = Enumerable.Range(0, parts).Select(p => $"{path}.part{p}").ToArray();
    using (var index = new SearchIndex(path, ramBufferMb: 64))
    {
        Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts }, part =>
        {
            if (Directory.Exists(partPaths[part]))
            {
                Directory.Delete(partPaths[part], recursive: true);
            }

            using var partIndex = new SearchIndex(partPaths[part], ramBufferMb: 512);
            var (from, to) = ((long)count * part / parts, (long)count * (part + 1) / parts);
            for (var k = (int)from; k < to; k++)
            {
                var i = order[k];
                var r = new Randomizer(1_000_000 + i);
                var attributes = Attributes(i, r);
                var text = TechMarket.Listings.DemoText.Listing(r, attributes.Field);
                var content = attributes with { Title = text.Title, Abstract = text.Abstract, DescriptionHtml = text.Description, Tags = text.Tags };
                var at = start.AddMinutes(i);
                var listing = Listing.Create(Guid.CreateVersion7(at), Guid.Empty, content, at);
                listing.Submit(at);
                listing.Approve(at);
                partIndex.Add(IndexDocuments.From(listing));
                if (Interlocked.Increment(ref done) % 100_000 == 0)
                {
                    Console.WriteLine($"  {done:N0} documents, {watch.Elapsed.TotalSeconds:F0} s");
                }
            }

            partIndex.Commit(0);
        });
        index.AddIndexes(partPaths);
        foreach (var partPath in partPaths)
        {
            Directory.Delete(partPath, recursive: true);
        }

        added = watch.Elapsed;

        // One segment: the index is searched far more often than it is built, and later changes add small segments.
        index.ForceMerge(1);
        merged = watch.Elapsed - added;

        // Position 0: a node started on this index with an empty change table keeps it as is.
        index.Commit(0);
    }

    var bytes = new DirectoryInfo(path).EnumerateFiles().Sum(f => f.Length);
    Console.WriteLine($"indexed {count:N0} listings in {watch.Elapsed.TotalSeconds:F1} s ({count / watch.Elapsed.TotalSeconds:F0} docs/s; add {added.TotalSeconds:F1} s, force-merge {merged.TotalSeconds:F1} s) on {Environment.ProcessorCount} threads, index size {bytes / 1024.0 / 1024.0:F0} MiB");
    return 0;
}

static int Threads(string path, int seconds, int threads)
{
    // The search service in process on several threads at once, uncached: throughput without HTTP, and a check that
    // searches do not wait on each other (compare with threads = 1).
    using var index = new SearchIndex(path);
    var search = new SearchService(index, Localizer(), Uncached());
    var requests = Queries.Select(url => Parse(search, url)).ToList();
    foreach (var request in requests)
    {
        search.Search(request);
    }

    var done = 0;
    var until = Stopwatch.GetTimestamp() + (seconds * Stopwatch.Frequency);
    var watch = Stopwatch.StartNew();
    var cpu = Process.GetCurrentProcess().TotalProcessorTime;
    Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
    {
        for (var i = t; Stopwatch.GetTimestamp() < until; i++)
        {
            search.Search(requests[i % requests.Count]);
            Interlocked.Increment(ref done);
        }
    });
    var cpuMs = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds;
    Console.WriteLine($"{threads} threads: {done / watch.Elapsed.TotalSeconds:F0} searches/s, {cpuMs / done:F2} ms CPU per search; dense postings {search.DensePostingsHeld.Bytes / 1024.0 / 1024.0:F1} MiB");
    return 0;
}

static int Terms(string path)
{
    using var index = new SearchIndex(path);
    index.Search(s =>
    {
        foreach (var url in Queries)
        {
            var q = System.Web.HttpUtility.ParseQueryString(new Uri("http://x" + url).Query)["q"] ?? "";
            foreach (var word in q.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                foreach (var (term, _, _) in SearchIndex.QueryAnalyzer.Tokens(word))
                {
                    var line = $"{url} {term}:";
                    foreach (var f in new[] { "title", "tags", "body" })
                    {
                        line += $" {f}={s.IndexReader.DocFreq(new Lucene.Net.Index.Term(f, term))}";
                    }

                    Console.WriteLine(line);
                }
            }
        }

        return 0;
    });
    return 0;
}

static Microsoft.Extensions.Localization.StringLocalizer<TechMarket.Listings.ListingsStrings> Localizer() =>
    new(new Microsoft.Extensions.Localization.ResourceManagerStringLocalizerFactory(
        Microsoft.Extensions.Options.Options.Create(new Microsoft.Extensions.Localization.LocalizationOptions { ResourcesPath = "Resources" }),
        Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance));

// Uncached, as the goal is measured; DENSE_MB=0 also turns the decoded dense postings off (the "dense off" figures),
// FACETS=PerMatch|BitSets fixes how facets are counted (default Auto).
static SearchOptions Uncached() => new()
{
    ResultCacheEntries = 0,
    DensePostingsMegabytes = Environment.GetEnvironmentVariable("DENSE_MB") is { } mb ? int.Parse(mb, CultureInfo.InvariantCulture) : new SearchOptions().DensePostingsMegabytes,
    FacetCounting = Enum.Parse<FacetCounting>(Environment.GetEnvironmentVariable("FACETS") ?? nameof(FacetCounting.Auto)),
};

static SearchRequest Parse(SearchService search, string url)
{
    var q = System.Web.HttpUtility.ParseQueryString(new Uri("http://x" + url).Query);
    int? Int(string name) => q[name] is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : null;
    var parameters = new SearchParameters(q["q"], q["tab"], q["type"], q["mode"], q["field"], q["region"], q["price"], q["maturity"], q["patent"], q["sort"], Int("page"), Int("pageSize"));
    return search.Parse(parameters, new TechMarket.Kernel.Http.FieldErrors()) ?? throw new InvalidOperationException(url);
}

static int Profile(string path, int rounds, string? only)
{
    // The search service alone, in process, on one thread: where the time goes per query, without HTTP.
    using var index = new SearchIndex(path);
    var search = new SearchService(index, Localizer(), Uncached());
    var requests = Queries.Where(url => only is null || url.Contains(only, StringComparison.Ordinal)).Select(url => (url, request: Parse(search, url))).ToList();
    var first = Stopwatch.StartNew();
    search.Search(requests[0].request);
    Console.WriteLine($"first query (loads facet arrays) {first.Elapsed.TotalMilliseconds:F0} ms");
    // Warm up every query first so that JIT tiering (which compiles on background threads) is over before measuring.
    for (var i = 0; i < 30; i++)
    {
        foreach (var (_, request) in requests)
        {
            search.Search(request);
        }
    }

    using var ticks = Environment.GetEnvironmentVariable("ALLOCATIONS") == "1" ? new AllocationTicks() : null;
    var total = 0.0;
    foreach (var (url, request) in requests)
    {
        var watch = Stopwatch.StartNew();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        SearchResult? result = null;
        for (var i = 0; i < rounds; i++)
        {
            result = search.Search(request);
        }

        // CPU time as well as wall time: on a shared machine the wall time mostly measures the other processes.
        var cpuMs = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds / rounds;
        var ms = watch.Elapsed.TotalMilliseconds / rounds;
        var kb = (GC.GetAllocatedBytesForCurrentThread() - allocated) / 1024.0 / rounds;
        total += cpuMs;
        Console.WriteLine($"{cpuMs,8:F2} ms CPU {ms,8:F2} ms wall {kb,8:F0} KB allocated {result!.Total,8:N0} hits  {url}");
    }

    Console.WriteLine($"mean {total / requests.Count:F2} ms CPU per search");
    foreach (var (type, bytes) in ticks?.Bytes.OrderByDescending(t => t.Value).Take(15) ?? [])
    {
        Console.WriteLine($"allocated {bytes / 1024.0 / 1024.0,8:F1} MiB  {type}");
    }

    Console.WriteLine($"dense postings: {search.DensePostingsHeld.Terms} terms, {search.DensePostingsHeld.Bytes / 1024.0 / 1024.0:F1} MiB");
    return 0;
}

static async Task<int> LoadAsync(string baseUrl, int seconds, int concurrency)
{
    var queries = Queries;
    using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency, PooledConnectionLifetime = TimeSpan.FromMinutes(10) }) { BaseAddress = new Uri(baseUrl) };
    foreach (var q in queries)
    {
        using var warm = await http.GetAsync(q);
        warm.EnsureSuccessStatusCode();
    }

    await RunAsync("baseline GET /health/live", http, ["/health/live"], seconds, concurrency);
    await RunAsync("search (mixed set of 12)", http, queries, seconds, concurrency);
    return 0;
}

static async Task RunAsync(string name, HttpClient http, string[] urls, int seconds, int concurrency)
{
    var latencies = new List<double>[concurrency];
    var errors = 0;
    var until = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
    var total = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async worker =>
    {
        var mine = latencies[worker] = [];
        var i = worker;
        while (Stopwatch.GetTimestamp() < until)
        {
            var started = Stopwatch.GetTimestamp();
            using var response = await http.GetAsync(urls[i++ % urls.Length], HttpCompletionOption.ResponseContentRead);
            if (!response.IsSuccessStatusCode)
            {
                Interlocked.Increment(ref errors);
            }

            mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    }));
    var all = latencies.SelectMany(l => l).Order().ToArray();
    double P(double q) => all[Math.Min(all.Length - 1, (int)(q * all.Length))];
    Console.WriteLine($"{name}: {all.Length / total.Elapsed.TotalSeconds:F0} req/s, p50 {P(0.50):F1} ms, p99 {P(0.99):F1} ms, max {all[^1]:F1} ms, errors {errors}, requests {all.Length}");
}

internal partial class Program
{
    // Fixed mixed set: Chinese and English, single words and phrases, with and without filters and sorts.
    private static readonly string[] Queries =
    [
        "/api/v1/search?q=锂电池",
        "/api/v1/search?q=深度学习",
        "/api/v1/search?q=机器视觉 装配",
        "/api/v1/search?q=battery",
        "/api/v1/search?q=石墨烯&field=NewMaterials",
        "/api/v1/search?q=污水处理&region=44,32",
        "/api/v1/search?q=储能系统&type=Patent&sort=PriceAsc",
        "/api/v1/search?q=无人机&sort=Newest",
        "/api/v1/search?q=基因编辑 疫苗",
        "/api/v1/search?field=AdvancedManufacturing&price=From500KTo2M&page=2",
        "/api/v1/search?q=PLC控制",
        "/api/v1/search?q=光伏组件&mode=Transfer",
    ];
}

/// <summary>
/// With ALLOCATIONS=1, the profile mode counts the runtime's allocation ticks (one per ~100 KB allocated) by type:
/// what a search allocates, without a profiler.
/// </summary>
internal sealed class AllocationTicks : System.Diagnostics.Tracing.EventListener
{
    public readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> Bytes = new();

    protected override void OnEventSourceCreated(System.Diagnostics.Tracing.EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(source, System.Diagnostics.Tracing.EventLevel.Verbose, (System.Diagnostics.Tracing.EventKeywords)0x1);
        }
    }

    protected override void OnEventWritten(System.Diagnostics.Tracing.EventWrittenEventArgs e)
    {
        if (e.EventName == "GCAllocationTick_V4" && e.Payload is { } payload)
        {
            var type = payload[e.PayloadNames!.IndexOf("TypeName")]?.ToString() ?? "?";
            var amount = Convert.ToInt64(payload[e.PayloadNames!.IndexOf("AllocationAmount64")], CultureInfo.InvariantCulture);
            Bytes.AddOrUpdate(type, amount, (_, b) => b + amount);
        }
    }
}
