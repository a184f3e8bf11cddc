using TechMarket.Kernel.Http;
using TechMarket.Listings.Domain;
using TechMarket.Listings.Search;

namespace TechMarket.Listings.Tests.Unit;

public sealed class SearchTests(SearchFixture index) : IClassFixture<SearchFixture>
{
    [Fact]
    public void Analyzer_splits_Chinese_into_bigrams_and_stems_English()
    {
        var terms = SearchIndex.QueryAnalyzer.Tokens("锂电池 batteries recycling").Select(t => t.Term).ToList();

        Assert.Equal(["锂电", "电池", "batteri", "recycl"], terms);
    }

    [Theory]
    [InlineData("锂电池")]
    [InlineData("锂 电池")]
    [InlineData("深度学习 锂电池")]
    [InlineData("深度 学习")]
    public void Chinese_queries_find_Chinese_text_with_or_without_spaces(string query)
    {
        var result = index.Query(query);

        Assert.Contains(result.Hits, h => h.Title == "一种基于深度学习的锂电池健康状态估计方法");
    }

    [Fact]
    public void A_single_Chinese_character_matches_inside_words()
    {
        var result = index.Query("锂");

        Assert.Equal(2, result.Total);
    }

    [Fact]
    public void English_queries_match_other_word_forms()
    {
        Assert.Contains(index.Query("battery").Hits, h => h.Title.StartsWith("Battery recycling", StringComparison.Ordinal));
        Assert.Contains(index.Query("recycled batteries").Hits, h => h.Title.StartsWith("Battery recycling", StringComparison.Ordinal));
    }

    [Fact]
    public void Title_matches_rank_above_body_matches()
    {
        var result = index.Query("隔膜");

        Assert.Equal("石墨烯改性锂电池隔膜材料", result.Hits[0].Title);
    }

    [Fact]
    public void Facets_count_matching_listings_per_value()
    {
        var result = index.Query("");

        Assert.Equal(5, result.Total);
        Assert.Equal(2, result.Facets[IndexFields.Type]["Patent"]);
        Assert.Equal(2, result.Facets[IndexFields.Region]["44"]);
        Assert.Equal(2, result.Facets[IndexFields.Region]["35"]);
        Assert.Equal(2, result.Facets[IndexFields.Mode]["OrdinaryLicense"]);
        Assert.Equal(1, result.Facets[IndexFields.PriceBand]["Negotiable"]);
        Assert.Equal(1, result.Facets[IndexFields.Patent]["Granted"]);
        Assert.Equal(1, result.TabCounts[SearchTab.Demands]);
    }

    [Fact]
    public void Filters_narrow_results_and_keep_counts_of_the_other_values_of_their_own_dimension()
    {
        var result = index.Query("", region: "44");

        Assert.Equal(2, result.Total);
        Assert.All(result.Hits, h => Assert.Equal("44", h.Data.Province));
        // Sideways counts: the region facet still shows Fujian so the user can switch.
        Assert.Equal(2, result.Facets[IndexFields.Region]["35"]);
        // Other dimensions count within the filter.
        Assert.False(result.Facets[IndexFields.Type].ContainsKey("Patent"));
    }

    [Fact]
    public void Several_values_of_one_filter_are_alternatives()
    {
        var result = index.Query("", type: "Patent,KnowHow", field: "NewEnergy,NewMaterials,ResourcesEnvironment");

        Assert.Equal(3, result.Total);
    }

    [Fact]
    public void Sorting_by_price_and_newest_orders_results_and_puts_unpriced_items_last()
    {
        var ascending = index.Query("", sort: "price_asc").Hits.Select(h => h.Data.Price).ToList();
        var descending = index.Query("", sort: "PriceDesc").Hits.Select(h => h.Data.Price).ToList();
        var newest = index.Query("", sort: "newest").Hits;

        Assert.Equal([50_000m, 120_000m, 800_000m, 3_000_000m, null], ascending);
        Assert.Equal([3_000_000m, 800_000m, 120_000m, 50_000m, null], descending);
        Assert.Equal("污水处理膜分离技术服务", newest[0].Title);
    }

    [Fact]
    public void Paging_returns_disjoint_pages()
    {
        var first = index.Query("", sort: "newest", page: 1, pageSize: 2);
        var third = index.Query("", sort: "newest", page: 3, pageSize: 2);

        Assert.Equal(2, first.Hits.Count);
        Assert.Single(third.Hits);
        Assert.Equal(3, first.Pages);
        Assert.Empty(first.Hits.Select(h => h.Id).Intersect(third.Hits.Select(h => h.Id)));
    }

    [Fact]
    public void Snippets_are_html_encoded_with_only_mark_tags_added()
    {
        var html = SearchService.Highlight("<script>alert(1)</script> 锂电池寿命", new HashSet<string> { "锂电", "电池" }, 200);

        Assert.Equal("&lt;script&gt;alert(1)&lt;/script&gt; <mark>锂电池</mark>寿命", html);
    }

    [Fact]
    public void Highlighting_takes_the_same_terms_with_and_without_the_joining_filter()
    {
        // With whitespace between Han characters the text goes through the joining character filter; without, not.
        var spaced = SearchService.Highlight("锂 电池回收", new HashSet<string> { "锂电", "电池" }, 200);
        var plain = SearchService.Highlight("锂电池回收", new HashSet<string> { "锂电", "电池" }, 200);

        Assert.Contains("<mark>电池</mark>回收", spaced, StringComparison.Ordinal);
        Assert.Equal("<mark>锂电池</mark>回收", plain);
    }

    [Fact]
    public void Han_bigram_highlighting_finds_exactly_what_the_analysis_finds()
    {
        // The fast path (an ordinal search per bigram) against the analysis (forced by a term that is not a Han bigram
        // and occurs nowhere), on generated listings and on text that mixes scripts, punctuation and digits.
        var random = new Bogus.Randomizer(20261202);
        var texts = new List<string>
        {
            "PLC控制系统与PLC控制柜", "锂电，池；锂电池。锂电池电池电池", "ＡＢＣ锂电池2026年", "リチウム電池と锂电池", "리튬锂电池",
            "𠀀锂电𠀀池", "人人々人人", "深度学习\n锂电池\t回收", "a锂b电c池", "锂电池锂电池", "",
        };
        foreach (var field in Enum.GetValues<TechField>())
        {
            for (var i = 0; i < 20; i++)
            {
                var listing = DemoText.Listing(random, field);
                texts.AddRange([listing.Title, listing.Abstract, listing.Description, listing.Tags]);
            }
        }

        foreach (var text in texts)
        {
            var bigrams = SearchIndex.QueryAnalyzer.Tokens(text).Select(t => t.Term).Where(MixedAnalyzer.IsHanBigram).Distinct().ToList();
            foreach (var terms in new[] { bigrams, bigrams.Where((_, k) => k % 3 == 0).ToList(), ["电池", "池锂", "学习"] })
            {
                var fast = SearchIndex.QueryAnalyzer.Matches(text, terms.ToHashSet());
                var analysed = SearchIndex.QueryAnalyzer.Matches(text, terms.Append("zzqnothere").ToHashSet());

                Assert.Equal(analysed, fast);
            }
        }
    }

    [Fact]
    public void A_result_card_survives_its_binary_encoding_and_long_snippets_are_cut()
    {
        var data = new HitData("Patent", ["Transfer"], ["NewEnergy"], "44", "深圳", "Fixed", 120_000m, null, null, "Pilot", "Granted", 1, null, null, null, new DateTimeOffset(2026, 12, 2, 8, 0, 0, TimeSpan.Zero));
        var card = new IndexedCard("listing", Guid.NewGuid(), "固态电解质 “锂电池” <b>", "储能 battery", new string('长', IndexedCard.MaxSnippet + 500), data);

        var decoded = IndexedCard.Decode(new Lucene.Net.Util.BytesRef(IndexedCard.Encode(card)));

        Assert.Equal(card.Kind, decoded.Kind);
        Assert.Equal(card.Id, decoded.Id);
        Assert.Equal(card.Title, decoded.Title);
        Assert.Equal(card.Tags, decoded.Tags);
        Assert.Equal(IndexedCard.MaxSnippet, decoded.Snippet.Length);
        Assert.Equal(data.Province, decoded.Data.Province);
        Assert.Equal(data.Price, decoded.Data.Price);
        Assert.Equal(data.Modes, decoded.Data.Modes);
        Assert.Equal(data.At, decoded.Data.At);
    }

    [Fact]
    public void Query_operators_and_special_characters_are_searched_as_text()
    {
        var result = index.Query("锂电池 AND (\"OR:*");

        Assert.NotNull(result);
    }

    [Theory]
    [InlineData("type", "Spaceship")]
    [InlineData("region", "99")]
    [InlineData("sort", "random")]
    [InlineData("q", "long")]
    [InlineData("page", "0")]
    public void Malformed_parameters_are_reported_not_ignored(string parameter, string value)
    {
        var errors = new FieldErrors();
        var p = parameter switch
        {
            "type" => new SearchParameters(null, null, value, null, null, null, null, null, null, null, null, null),
            "region" => new SearchParameters(null, null, null, null, null, value, null, null, null, null, null, null),
            "sort" => new SearchParameters(null, null, null, null, null, null, null, null, null, value, null, null),
            "q" => new SearchParameters(new string('锂', 201), null, null, null, null, null, null, null, null, null, null, null),
            _ => new SearchParameters(null, null, null, null, null, null, null, null, null, null, 0, null),
        };

        var request = index.Search.Parse(p, errors);

        Assert.Null(request);
        Assert.NotEmpty(errors.For(parameter));
    }
}
