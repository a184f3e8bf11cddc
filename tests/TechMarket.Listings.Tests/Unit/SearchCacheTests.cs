using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TechMarket.Kernel.Http;
using TechMarket.Listings.Domain;
using TechMarket.Listings.Search;

namespace TechMarket.Listings.Tests.Unit;

public sealed class SearchCacheTests : IDisposable
{
    private static readonly Dictionary<string, IReadOnlyList<string>> NoFilters = [];
    private readonly string folder = Directory.CreateTempSubdirectory("techmarket-cache-").FullName;
    private readonly SearchIndex index;

    public SearchCacheTests() => index = new SearchIndex(folder);

    [Fact]
    public void Equivalent_requests_share_a_key_and_different_ones_do_not()
    {
        var a = new SearchRequest(" 锂电池   Battery ", SearchTab.Listings, new Dictionary<string, IReadOnlyList<string>> { ["region"] = ["44", "32"], ["field"] = ["NewEnergy"] }, SearchSort.Relevance, 1, 20);
        var b = new SearchRequest("锂电池 battery", SearchTab.Listings, new Dictionary<string, IReadOnlyList<string>> { ["field"] = ["NewEnergy"], ["region"] = ["32", "44"] }, SearchSort.Relevance, 1, 20);

        Assert.Equal(SearchResultCache.KeyOf(a), SearchResultCache.KeyOf(b));
        Assert.NotEqual(SearchResultCache.KeyOf(a), SearchResultCache.KeyOf(b with { Page = 2 }));
        Assert.NotEqual(SearchResultCache.KeyOf(a), SearchResultCache.KeyOf(b with { Tab = SearchTab.Demands }));
        Assert.NotEqual(SearchResultCache.KeyOf(a), SearchResultCache.KeyOf(b with { Sort = SearchSort.Newest }));
        Assert.NotEqual(SearchResultCache.KeyOf(a), SearchResultCache.KeyOf(b with { Filters = NoFilters }));
    }

    [Fact]
    public void A_result_is_reused_only_on_the_index_version_it_was_computed_on()
    {
        var cache = new SearchResultCache(100);
        var request = new SearchRequest("锂电池", SearchTab.Listings, NoFilters, SearchSort.Relevance, 1, 20);
        var computed = 0;
        SearchResult Compute()
        {
            computed++;
            return new SearchResult(request, computed, [], new Dictionary<string, IReadOnlyDictionary<string, int>>(), new Dictionary<SearchTab, int>());
        }

        Assert.Equal(1, cache.GetOrAdd(7, request, Compute).Total);
        Assert.Equal(1, cache.GetOrAdd(7, request, Compute).Total);
        Assert.Equal(2, cache.GetOrAdd(8, request, Compute).Total);
        // A search still running on the old reader neither gets nor replaces the newer entries.
        Assert.Equal(3, cache.GetOrAdd(7, request, Compute).Total);
        Assert.Equal(2, cache.GetOrAdd(8, request, Compute).Total);
    }

    [Fact]
    public void A_disabled_cache_always_computes()
    {
        var cache = new SearchResultCache(0);
        var request = new SearchRequest("", SearchTab.Listings, NoFilters, SearchSort.Relevance, 1, 20);
        var computed = 0;

        for (var i = 0; i < 3; i++)
        {
            cache.GetOrAdd(1, request, () => new SearchResult(request, ++computed, [], new Dictionary<string, IReadOnlyDictionary<string, int>>(), new Dictionary<SearchTab, int>()));
        }

        Assert.Equal(3, computed);
    }

    [Fact]
    public void A_cached_search_sees_a_listing_as_soon_as_the_index_commits_it()
    {
        var search = new SearchService(index, Localizer(), new SearchOptions { ResultCacheEntries = 16 });
        var request = new SearchRequest("石墨烯", SearchTab.Listings, NoFilters, SearchSort.Relevance, 1, 20);
        Assert.Equal(0, search.Search(request).Total);

        Add("石墨烯导热膜");
        index.Commit(1);

        Assert.Equal(1, search.Search(request).Total);
        Assert.Equal(1, search.Search(request with { Text = "  石墨烯 " }).Total);
        Assert.Equal("  石墨烯 ", search.Search(request with { Text = "  石墨烯 " }).Request.Text);
    }

    [Fact]
    public void Upper_case_latin_matches_lower_case_text()
    {
        var search = new SearchService(index, Localizer(), new SearchOptions { ResultCacheEntries = 0 });
        Add("Solid-state BATTERY cell");
        index.Commit(1);

        Assert.Equal(1, search.Search(new SearchRequest("battery", SearchTab.Listings, NoFilters, SearchSort.Relevance, 1, 20)).Total);
        Assert.Equal(1, search.Search(new SearchRequest("SOLID Batteries", SearchTab.Listings, NoFilters, SearchSort.Relevance, 1, 20)).Total);
        // Non-ASCII upper case is lowered too (the fast path only skips characters that have no case).
        Assert.Equal(SearchIndex.QueryAnalyzer.Tokens("école").Select(t => t.Term), SearchIndex.QueryAnalyzer.Tokens("ÉCOLE").Select(t => t.Term));
    }

    [Fact]
    public void Facets_count_every_value_of_a_multi_valued_dimension()
    {
        var search = new SearchService(index, Localizer(), new SearchOptions { ResultCacheEntries = 0 });
        var at = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var both = Profile.Create(Guid.NewGuid(), Guid.NewGuid(), ProfileKind.Expert, at);
        both.Update(new ProfileInput(ProfileKind.Expert, "王建国", "教授", "浙江大学", null, null, [TechField.NewEnergy, TechField.NewMaterials], "33", "储能材料研究", "", true), at);
        var one = Profile.Create(Guid.NewGuid(), Guid.NewGuid(), ProfileKind.Expert, at);
        one.Update(new ProfileInput(ProfileKind.Expert, "李海燕", "研究员", "中山大学", null, null, [TechField.NewEnergy], "44", "光伏研究", "", true), at);
        foreach (var p in new[] { both, one })
        {
            index.Upsert(IndexDocuments.From(p), IndexDocuments.KeyOf(EntityKinds.Profile, p.Id));
        }

        Add("多种交易方式的成果");
        index.Commit(1);

        var experts = search.Search(new SearchRequest("", SearchTab.Experts, NoFilters, SearchSort.Relevance, 1, 20));
        var listings = search.Search(new SearchRequest("", SearchTab.Listings, NoFilters, SearchSort.Relevance, 1, 20));

        Assert.Equal(2, experts.Total);
        Assert.Equal(2, experts.Facets[IndexFields.Field]["NewEnergy"]);
        Assert.Equal(1, experts.Facets[IndexFields.Field]["NewMaterials"]);
        Assert.Equal(1, experts.Facets[IndexFields.Region]["44"]);
        Assert.Equal(1, listings.Facets[IndexFields.Mode]["Transfer"]);
        Assert.Equal(1, experts.TabCounts[SearchTab.Listings]);
    }

    public void Dispose()
    {
        index.Dispose();
        Directory.Delete(folder, recursive: true);
    }

    private static StringLocalizer<ListingsStrings> Localizer() =>
        new(new ResourceManagerStringLocalizerFactory(Options.Create(new LocalizationOptions { ResourcesPath = "Resources" }), NullLoggerFactory.Instance));

    private void Add(string title)
    {
        var at = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var listing = Listing.Create(Guid.NewGuid(), Guid.NewGuid(), new ListingContent { Title = title, Abstract = title, Field = TechField.NewMaterials, Type = ListingType.Patent, Province = "11", Pricing = PricingKind.Negotiable, Modes = [TransactionMode.Transfer], Maturity = MaturityStage.Pilot, Tags = "" }, at);
        listing.Submit(at);
        listing.Approve(at);
        index.Upsert(IndexDocuments.From(listing), IndexDocuments.KeyOf(EntityKinds.Listing, listing.Id));
    }
}
