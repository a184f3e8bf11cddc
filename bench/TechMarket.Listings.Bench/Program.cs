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
    ["load", var url, var seconds, var concurrency] => await LoadAsync(url, int.Parse(seconds, CultureInfo.InvariantCulture), int.Parse(concurrency, CultureInfo.InvariantCulture)),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: index <path> <count> | load <baseUrl> <seconds> <concurrency>");
    return 2;
}

static int BuildIndex(string path, int count)
{
    if (Directory.Exists(path))
    {
        Directory.Delete(path, recursive: true);
    }

    var r = new Randomizer(1_000_000);
    var fields = Enum.GetValues<TechField>();
    var provinces = Regions.Provinces.Take(31).ToArray();
    var start = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
    var watch = Stopwatch.StartNew();
    using (var index = new SearchIndex(path))
    {
        for (var i = 0; i < count; i++)
        {
            var field = fields[i % fields.Length];
            var text = TechMarket.Listings.DemoText.Listing(r, field);
            var type = r.Enum<ListingType>();
            var negotiable = r.Bool(0.3f);
            var price = r.Number(1, 2000) * 10_000m;
            var province = r.ArrayElement(provinces);
            var at = start.AddMinutes(i);
            var listing = Listing.Create(Guid.CreateVersion7(at), Guid.Empty, new ListingContent
            {
                Title = text.Title,
                Type = type,
                Modes = r.Bool() ? [TransactionMode.Transfer] : [TransactionMode.OrdinaryLicense, TransactionMode.CoDevelopment],
                Pricing = negotiable ? PricingKind.Negotiable : PricingKind.Fixed,
                Price = negotiable ? null : price,
                Maturity = r.Enum<MaturityStage>(),
                Field = field,
                Province = province.Code,
                City = r.ArrayElement(province.Cities),
                PatentStatus = type == ListingType.Patent ? r.Enum<PatentStatus>() : null,
                Abstract = text.Abstract,
                DescriptionHtml = text.Description,
                Tags = text.Tags,
            }, at);
            listing.Submit(at);
            listing.Approve(at);
            index.Upsert(IndexDocuments.From(listing), IndexDocuments.KeyOf(EntityKinds.Listing, listing.Id));
            if (i > 0 && i % 100_000 == 0)
            {
                Console.WriteLine($"  {i:N0} documents, {watch.Elapsed.TotalSeconds:F0} s");
            }
        }

        // Position 0: a node started on this index with an empty change table keeps it as is.
        index.Commit(0);
    }

    var bytes = new DirectoryInfo(path).EnumerateFiles().Sum(f => f.Length);
    Console.WriteLine($"indexed {count:N0} listings in {watch.Elapsed.TotalSeconds:F1} s ({count / watch.Elapsed.TotalSeconds:F0} docs/s), index size {bytes / 1024.0 / 1024.0:F0} MiB");
    return 0;
}

static async Task<int> LoadAsync(string baseUrl, int seconds, int concurrency)
{
    // Fixed mixed set: Chinese and English, single words and phrases, with and without filters and sorts.
    string[] queries =
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
