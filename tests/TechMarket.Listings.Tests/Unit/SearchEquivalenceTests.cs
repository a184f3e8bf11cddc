using Bogus;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TechMarket.Kernel.Http;
using TechMarket.Listings.Domain;
using TechMarket.Listings.Search;

namespace TechMarket.Listings.Tests.Unit;

/// <summary>
/// The search service computes matches, scores, facet counts and the top hits itself (one pass, see SearchPass and
/// TextMatcher). Here every result is compared with plain Lucene on a generated index of several segments with
/// deleted documents (the last one written in run order, as a rebuild does): the same total, the same hits in the same
/// order (Lucene's TF-IDF scores, its tie-breaking by document), and the same facet counts, computed the straightforward way (one search per filtered dimension). Each
/// request runs with the decoded dense postings on (most terms of this small index are in more than 1/256 of a
/// segment; bigrams across words, e.g. 能系 in 储能系统, are not, so clauses mix both), with a budget so small that
/// terms evict each other, and off; and with the facets counted match by match, from bit sets, and either (Auto).
/// </summary>
public sealed class SearchEquivalenceTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("techmarket-equivalence-").FullName;
    private readonly SearchIndex index;
    private readonly SearchService search;
    private readonly SearchService evicting;
    private readonly SearchService postingsOnly;
    private readonly SearchService perMatch;
    private readonly SearchService bitSets;

    public SearchEquivalenceTests()
    {
        index = new SearchIndex(folder);
        var localizer = new StringLocalizer<ListingsStrings>(new ResourceManagerStringLocalizerFactory(Options.Create(new LocalizationOptions { ResourcesPath = "Resources" }), NullLoggerFactory.Instance));
        search = new SearchService(index, localizer, new SearchOptions { ResultCacheEntries = 0 });
        evicting = new SearchService(index, localizer, new SearchOptions { ResultCacheEntries = 0, DensePostingsBytes = 1_000 });
        postingsOnly = new SearchService(index, localizer, new SearchOptions { ResultCacheEntries = 0, DensePostingsMegabytes = 0 });
        perMatch = new SearchService(index, localizer, new SearchOptions { ResultCacheEntries = 0, FacetCounting = FacetCounting.PerMatch });
        bitSets = new SearchService(index, localizer, new SearchOptions { ResultCacheEntries = 0, FacetCounting = FacetCounting.BitSets, DensePostingsMegabytes = 0 });
        var r = new Randomizer(42);
        var fields = Enum.GetValues<TechField>();
        var provinces = Regions.Provinces.Take(31).ToArray();
        var start = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
        Listing Generate()
        {
            var field = r.ArrayElement(fields);
            var text = DemoText.Listing(r, field);
            var type = r.Enum<ListingType>();
            var negotiable = r.Bool(0.3f);
            var province = r.ArrayElement(provinces);
            // Equal dates and prices on purpose: ties must break the same way.
            var at = start.AddHours(r.Number(0, 300));
            var listing = Listing.Create(Guid.NewGuid(), Guid.Empty, new ListingContent
            {
                Title = text.Title,
                Type = type,
                Modes = r.Bool() ? [TransactionMode.Transfer] : [TransactionMode.OrdinaryLicense, TransactionMode.CoDevelopment],
                Pricing = negotiable ? PricingKind.Negotiable : PricingKind.Fixed,
                Price = negotiable ? null : r.Number(1, 40) * 50_000m,
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
            return listing;
        }

        var listings = new List<Listing>();
        for (var batch = 0; batch < 3; batch++)
        {
            for (var i = 0; i < 800; i++)
            {
                var listing = Generate();
                listings.Add(listing);
                index.Upsert(IndexDocuments.From(listing), IndexDocuments.KeyOf(EntityKinds.Listing, listing.Id));
            }

            // Re-index some earlier listings (their old documents become deletions) and remove a few.
            foreach (var old in listings.Take(batch * 100))
            {
                index.Upsert(IndexDocuments.From(old), IndexDocuments.KeyOf(EntityKinds.Listing, old.Id));
            }

            index.Delete(IndexDocuments.KeyOf(EntityKinds.Listing, listings[(batch * 7) + 3].Id));
            index.Commit(batch + 1);
        }

        // A last segment as a rebuild writes it: in run order, so that its facets are counted over runs (FacetRuns);
        // then some of its documents are deleted, which the ranges must not count.
        var ordered = Enumerable.Range(0, 1600).Select(_ => Generate()).OrderBy(l => IndexDocuments.RunKey(IndexDocuments.From(l)), StringComparer.Ordinal).ToList();
        foreach (var listing in ordered)
        {
            index.Upsert(IndexDocuments.From(listing), IndexDocuments.KeyOf(EntityKinds.Listing, listing.Id));
        }

        index.Commit(4);
        foreach (var listing in ordered.Where((_, i) => i % 37 == 5))
        {
            index.Delete(IndexDocuments.KeyOf(EntityKinds.Listing, listing.Id));
        }

        index.Commit(5);
    }

    public static TheoryData<string, string?, string?, string?, string?, string?> Requests => new()
    {
        // q, type, mode, field, region, sort
        { "锂电池", null, null, null, null, null },
        { "深度学习", null, null, null, null, null },
        { "机器视觉 装配", null, null, null, null, null },
        { "储能系统", null, null, null, null, null },
        { "系统", null, null, null, null, null },
        { "智能 控制 系统", null, null, null, null, null },
        { "battery", null, null, null, null, null },
        { "石墨烯", null, null, "NewMaterials", null, null },
        { "污水处理", null, null, null, "44,32", null },
        { "储能系统", "Patent", null, null, null, "PriceAsc" },
        { "无人机", null, null, null, null, "Newest" },
        { "基因编辑 疫苗", null, null, null, null, null },
        { "光伏组件", null, "Transfer", null, null, null },
        { "技术", "Patent,KnowHow", "Transfer,CoDevelopment", "NewEnergy,NewMaterials", "44", "PriceDesc" },
        { "", null, null, "AdvancedManufacturing", null, null },
        { "", "Patent", "Transfer", null, "11,31,44", "Newest" },
        { "", null, null, null, null, "PriceAsc" },
        { "系统", null, null, null, null, "Newest" },
        { "系统", "Patent", null, null, "44,32,11", "PriceDesc" },
        { "智能 控制 系统", null, "Transfer", null, null, null },
        { "控制系统 智能", null, null, "AdvancedManufacturing,NewEnergy", null, null },
        { "锂", null, null, null, null, null },
        { "电池 battery", null, null, null, null, null },
        { "储能系统 技术", null, null, null, null, "PriceAsc" },
    };

    [Theory]
    [MemberData(nameof(Requests))]
    public void Results_equal_plain_Lucene(string q, string? type, string? mode, string? field, string? region, string? sort)
    {
        foreach (var (page, size) in new[] { (1, 20), (3, 7), (2, 50) })
        {
            var request = search.Parse(new SearchParameters(q, null, type, mode, field, region, null, null, null, sort, page, size), new FieldErrors())!;
            var expected = index.Search(searcher => Reference(searcher, request));
            foreach (var service in new[] { search, evicting, postingsOnly, perMatch, bitSets })
            {
                var actual = service.Search(request);
                Assert.Equal(expected.Total, actual.Total);
                Assert.Equal(expected.Ids, actual.Hits.Select(h => h.Id).ToList());
                foreach (var dim in IndexFields.Dimensions)
                {
                    Assert.Equal(expected.Facets[dim].OrderBy(c => c.Key, StringComparer.Ordinal), actual.Facets[dim].OrderBy(c => c.Key, StringComparer.Ordinal));
                }
            }
        }
    }

    [Fact]
    public void Dense_postings_are_used_bounded_and_off_when_disabled()
    {
        // Guards the test above: the dense path must actually run, the small budget must evict, and 0 must turn it off.
        var request = search.Parse(new SearchParameters("智能 控制 系统", null, null, null, null, null, null, null, null, null, null, null), new FieldErrors())!;
        search.Search(request);
        evicting.Search(request);
        postingsOnly.Search(request);

        Assert.True(search.DensePostingsHeld.Terms >= 9, $"{search.DensePostingsHeld.Terms} dense terms");
        Assert.True(evicting.DensePostingsHeld.Terms < search.DensePostingsHeld.Terms);
        Assert.Equal((0L, 0), postingsOnly.DensePostingsHeld);
    }

    [Fact]
    public void The_segment_written_in_run_order_is_counted_over_runs_and_the_others_are_not()
    {
        // Guards the equivalence test: the range counting must actually run on one segment, and only where it pays.
        var runs = index.Search(searcher => searcher.IndexReader.Leaves.Select(l => SegmentFacets.Of(l.AtomicReader).Runs).ToList());
        var counted = Assert.Single(runs, r => r is not null)!;
        Assert.Equal(IndexFields.Field, IndexFields.Dimensions[counted.Slots[0]]);
        Assert.True(counted.Count <= 16, $"{counted.Count} runs");
    }

    [Fact]
    public void The_generated_text_queries_match_many_documents()
    {
        // Guards the equivalence test itself: comparisons over empty results would prove nothing.
        Assert.True(search.Search(search.Parse(new SearchParameters("系统", null, null, null, null, null, null, null, null, null, null, null), new FieldErrors())!).Total > 100);
    }

    public void Dispose()
    {
        index.Dispose();
        Directory.Delete(folder, recursive: true);
    }

    /// <summary>The plain Lucene way: a filtered query, Lucene's collectors, and one search per filtered dimension.</summary>
    private static (int Total, List<Guid> Ids, Dictionary<string, Dictionary<string, int>> Facets) Reference(IndexSearcher searcher, SearchRequest request)
    {
        var text = SearchService.TextQuery(request.Text);
        Query Restricted(string? except)
        {
            var filter = new BooleanQuery { { new TermQuery(new Term(IndexFields.Kind, EntityKinds.Listing)), Occur.MUST } };
            foreach (var (dim, values) in request.Filters.Where(f => f.Key != except && f.Value.Count > 0))
            {
                var any = new BooleanQuery();
                foreach (var value in values)
                {
                    any.Add(new TermQuery(new Term(dim, value)), Occur.SHOULD);
                }

                filter.Add(any, Occur.MUST);
            }

            return new FilteredQuery(text ?? new MatchAllDocsQuery(), new QueryWrapperFilter(filter));
        }

        var want = request.Page * request.PageSize;
        TopDocs top;
        if (request.Sort == SearchSort.Relevance)
        {
            var collector = TopScoreDocCollector.Create(want, docsScoredInOrder: true);
            searcher.Search(Restricted(null), collector);
            top = collector.GetTopDocs();
        }
        else
        {
            var sortField = request.Sort switch
            {
                SearchSort.Newest => new SortField(IndexFields.Published, SortFieldType.INT64, true),
                SearchSort.PriceAsc => new SortField(IndexFields.Price, SortFieldType.INT64, false),
                _ => new SortField(IndexFields.PriceDescending, SortFieldType.INT64, true),
            };
            top = searcher.Search(Restricted(null), null, want, new Sort(sortField));
        }

        var ids = top.ScoreDocs.Skip((request.Page - 1) * request.PageSize).Select(d => CardOf(searcher, d.Doc).Id).ToList();
        var facets = new Dictionary<string, Dictionary<string, int>>();
        foreach (var dim in IndexFields.Dimensions)
        {
            var filtered = request.Filters.TryGetValue(dim, out var values) && values.Count > 0;
            var docs = new AllDocs();
            searcher.Search(Restricted(filtered ? dim : null), docs);
            var counts = facets[dim] = [];
            var dv = MultiDocValues.GetSortedSetValues(searcher.IndexReader, dim);
            if (dv is null)
            {
                continue;
            }

            var term = new Lucene.Net.Util.BytesRef();
            foreach (var doc in docs.Docs)
            {
                dv.SetDocument(doc);
                long ord;
                while ((ord = dv.NextOrd()) != SortedSetDocValues.NO_MORE_ORDS)
                {
                    dv.LookupOrd(ord, term);
                    var label = term.Utf8ToString();
                    counts[label] = counts.GetValueOrDefault(label) + 1;
                }
            }
        }

        return (top.TotalHits, ids, facets);
    }

    private static IndexedCard CardOf(IndexSearcher searcher, int doc)
    {
        var cards = MultiDocValues.GetBinaryValues(searcher.IndexReader, IndexFields.Card);
        var bytes = new Lucene.Net.Util.BytesRef();
        cards.Get(doc, bytes);
        return IndexedCard.Decode(bytes);
    }

    private sealed class AllDocs : ICollector
    {
        private int docBase;

        public List<int> Docs { get; } = [];

        public bool AcceptsDocsOutOfOrder => true;

        public void SetScorer(Scorer scorer)
        {
        }

        public void SetNextReader(AtomicReaderContext context) => docBase = context.DocBase;

        public void Collect(int doc) => Docs.Add(docBase + doc);
    }
}
