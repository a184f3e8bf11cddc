using System.Net;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Util;
using Microsoft.Extensions.Localization;
using TechMarket.Kernel.Http;
using TechMarket.Listings.Domain;

namespace TechMarket.Listings.Search;

public enum SearchTab
{
    Listings,
    Demands,
    Experts,
}

public enum SearchSort
{
    Relevance,
    Newest,
    PriceAsc,
    PriceDesc,
}

/// <summary>A validated search: free text plus exact filters per facet dimension.</summary>
public sealed record SearchRequest(string Text, SearchTab Tab, IReadOnlyDictionary<string, IReadOnlyList<string>> Filters, SearchSort Sort, int Page, int PageSize);

public sealed record SearchHit(Guid Id, string Kind, string Title, string TitleHtml, string SnippetHtml, string Tags, HitData Data);

public sealed record SearchResult(
    SearchRequest Request,
    int Total,
    IReadOnlyList<SearchHit> Hits,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>> Facets,
    IReadOnlyDictionary<SearchTab, int> TabCounts)
{
    public int Pages => Math.Max(1, (Total + Request.PageSize - 1) / Request.PageSize);
}

/// <summary>Raw query-string values, as both the API and the search page receive them.</summary>
public sealed record SearchParameters(string? Q, string? Tab, string? Type, string? Mode, string? Field, string? Region, string? Price, string? Maturity, string? Patent, string? Sort, int? Page, int? PageSize);

public sealed class SearchService(SearchIndex index, IStringLocalizer<ListingsStrings> text, SearchOptions? options = null)
{
    public const int MaxQueryLength = 200;
    public const int MaxPageSize = 50;
    public const int MaxResultWindow = 1000;
    private readonly SearchResultCache cache = new((options ?? new SearchOptions()).ResultCacheEntries);
    private readonly FacetCounting counting = options?.FacetCounting ?? FacetCounting.Auto;
    private readonly DensePostings dense = new((options ?? new SearchOptions()) is var o && o.DensePostingsBytes is { } bytes ? bytes : o.DensePostingsMegabytes * 1024L * 1024L);
    private static readonly (string Field, float Boost)[] Boosts = [(IndexFields.Title, 4f), (IndexFields.Tags, 2f), (IndexFields.Body, 1f)];

    /// <summary>Checks every parameter; unknown filter values and over-long queries are errors, never silently dropped.</summary>
    public SearchRequest? Parse(SearchParameters p, FieldErrors errors)
    {
        var q = (p.Q ?? "").Trim();
        if (q.Length > MaxQueryLength)
        {
            errors.Add("q", text["Search.TooLong", MaxQueryLength]);
        }

        var tab = SearchTab.Listings;
        if (!string.IsNullOrEmpty(p.Tab) && !Enum.TryParse(p.Tab, ignoreCase: true, out tab))
        {
            errors.Add("tab", text["Search.BadFilter", "tab", p.Tab]);
        }

        var filters = new Dictionary<string, IReadOnlyList<string>>();
        void Filter<TEnum>(string name, string? raw)
            where TEnum : struct, Enum
        {
            if (string.IsNullOrWhiteSpace(raw))
            {
                return;
            }

            var values = new List<string>();
            foreach (var part in raw.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (Enum.TryParse<TEnum>(part, ignoreCase: true, out var value) && Enum.IsDefined(value) && !int.TryParse(part, out _))
                {
                    values.Add(value.ToString());
                }
                else
                {
                    errors.Add(name, text["Search.BadFilter", name, part]);
                }
            }

            filters[name] = values;
        }

        Filter<ListingType>(IndexFields.Type, tab == SearchTab.Experts ? null : p.Type);
        if (tab == SearchTab.Experts)
        {
            Filter<ProfileKind>(IndexFields.Type, p.Type);
        }

        Filter<TransactionMode>(IndexFields.Mode, p.Mode);
        Filter<TechField>(IndexFields.Field, p.Field);
        Filter<PriceBand>(IndexFields.PriceBand, p.Price);
        Filter<MaturityStage>(IndexFields.Maturity, p.Maturity);
        Filter<PatentStatus>(IndexFields.Patent, p.Patent);
        if (!string.IsNullOrWhiteSpace(p.Region))
        {
            var regions = p.Region.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
            foreach (var bad in regions.Where(r => !Regions.IsProvince(r)))
            {
                errors.Add("region", text["Search.BadFilter", "region", bad]);
            }

            filters[IndexFields.Region] = regions;
        }

        var sort = SearchSort.Relevance;
        if (!string.IsNullOrEmpty(p.Sort) && !Enum.TryParse(p.Sort.Replace("_", "", StringComparison.Ordinal), ignoreCase: true, out sort))
        {
            errors.Add("sort", text["Search.BadFilter", "sort", p.Sort]);
        }

        var page = p.Page ?? 1;
        var size = p.PageSize ?? 20;
        if (page < 1 || size < 1 || size > MaxPageSize || page * size > MaxResultWindow)
        {
            errors.Add("page", text["Search.BadPage", MaxResultWindow]);
        }

        return errors.IsEmpty ? new SearchRequest(q, tab, filters, sort, page, size) : null;
    }

    /// <summary>Memory held by decoded dense postings (bytes) and how many terms, for the benchmark's report.</summary>
    public (long Bytes, int Terms) DensePostingsHeld => (dense.Bytes, dense.Terms);

    public SearchResult Search(SearchRequest request) =>
        index.Search(searcher => cache.GetOrAdd(((DirectoryReader)searcher.IndexReader).Version, request, () => Run(searcher, request)));

    private SearchResult Run(IndexSearcher searcher, SearchRequest request)
    {
        var textQuery = TextQuery(request.Text);
        var kind = KindOf(request.Tab);
        var pass = new SearchPass(kind, request.Filters, request.Sort, scored: textQuery is not null, want: request.Page * request.PageSize, counting);
        if (textQuery is null)
        {
            pass.CollectAll(searcher);
        }
        else if (IsSparse(searcher, kind))
        {
            // Few documents are of this kind (e.g. the demands among a million listings): Lucene walks them and
            // advances the text instead of reading every listing that matches the text.
            searcher.Search(new FilteredQuery(textQuery, new ExactFilter(kind), FilteredQuery.LEAP_FROG_FILTER_FIRST_STRATEGY), pass);
        }
        else
        {
            pass.CollectText(searcher, TextMatcher.Create(searcher, request.Text, dense)!);
        }

        var counts = pass.Counts();
        var terms = HighlightTerms(request.Text);
        var shown = pass.Hits((request.Page - 1) * request.PageSize, request.PageSize);
        var hits = new List<SearchHit>(shown.Length);
        var leaves = searcher.IndexReader.Leaves;
        var bytes = new BytesRef();
        foreach (var doc in shown)
        {
            var leaf = leaves[ReaderUtil.SubIndex(doc, leaves)];
            var cards = leaf.AtomicReader.GetBinaryDocValues(IndexFields.Card)
                ?? throw new InvalidOperationException("The search index predates result cards in doc values; it is rebuilt on start.");
            cards.Get(doc - leaf.DocBase, bytes);
            hits.Add(ToHit(IndexedCard.Decode(bytes), terms));
        }

        var tabs = new Dictionary<SearchTab, int>();
        foreach (var t in Enum.GetValues<SearchTab>())
        {
            tabs[t] = t == request.Tab ? pass.Total : CountOf(searcher, textQuery, KindOf(t));
        }

        return new SearchResult(request, pass.Total, hits, counts.ToDictionary(c => c.Key, c => (IReadOnlyDictionary<string, int>)c.Value), tabs);
    }

    internal static bool IsSparse(IndexSearcher searcher, string kind) =>
        searcher.IndexReader.DocFreq(new Term(IndexFields.Kind, kind)) < searcher.IndexReader.MaxDoc / 50;

    /// <summary>A tab's count: without text and deletions it is the kind term's document frequency, no search at all.</summary>
    private static int CountOf(IndexSearcher searcher, Query? textQuery, string kind)
    {
        var kindTerm = new Term(IndexFields.Kind, kind);
        var ofKind = searcher.IndexReader.DocFreq(kindTerm);
        if (ofKind == 0 || (textQuery is null && !searcher.IndexReader.HasDeletions))
        {
            return ofKind;
        }

        var counter = new TotalHitCountCollector();
        searcher.Search(new ExactFilter(kind).Query(searcher, textQuery), counter);
        return counter.TotalHits;
    }

    /// <summary>The newest published items of one kind (home page).</summary>
    public IReadOnlyList<SearchHit> Latest(SearchTab tab, int count) =>
        Search(new SearchRequest("", tab, new Dictionary<string, IReadOnlyList<string>>(), SearchSort.Newest, 1, count)).Hits;

    private static string KindOf(SearchTab tab) => tab switch
    {
        SearchTab.Demands => EntityKinds.Demand,
        SearchTab.Experts => EntityKinds.Profile,
        _ => EntityKinds.Listing,
    };

    /// <summary>
    /// User text is literal, never query syntax: it is split on whitespace and every word must match, in the title,
    /// the tags or the body (boosted in that order); within one field all of a word's terms must match, so "深度 学习"
    /// finds "深度学习" (bigrams 深度 + 学习). Built directly rather than through the classic query parser, which
    /// throws and catches exceptions while parsing and was a large share of a search's cost.
    /// </summary>
    internal static Query? TextQuery(string text)
    {
        var all = new BooleanQuery();
        foreach (var word in TextClauses(text))
        {
            var anyField = new BooleanQuery();
            foreach (var (field, boost, terms) in word)
            {
                Query inField;
                if (terms.Count == 1)
                {
                    inField = new TermQuery(new Term(field, terms[0]));
                }
                else
                {
                    var every = new BooleanQuery();
                    foreach (var term in terms)
                    {
                        every.Add(new TermQuery(new Term(field, term)), Occur.MUST);
                    }

                    inField = every;
                }

                inField.Boost = boost;
                anyField.Add(inField, Occur.SHOULD);
            }

            all.Add(anyField, Occur.MUST);
        }

        return all.Clauses.Count == 0 ? null : all;
    }

    /// <summary>The text query's structure: per searchable word, its clause (terms, boost) in each field.</summary>
    internal static List<(string Field, float Boost, IReadOnlyList<string> Terms)[]> TextClauses(string text)
    {
        var words = new List<(string, float, IReadOnlyList<string>)[]>();
        if (string.IsNullOrWhiteSpace(text))
        {
            return words;
        }

        foreach (var word in text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            var terms = SearchIndex.QueryAnalyzer.Tokens(word).Select(t => t.Term).Distinct(StringComparer.Ordinal).ToList();
            if (terms.Count == 0)
            {
                // Only stop words or punctuation: nothing to match, as the parser did.
                continue;
            }

            words.Add(Boosts.Select(b => (b.Field, b.Boost, (IReadOnlyList<string>)terms)).ToArray());
        }

        return words;
    }

    private static HashSet<string> HighlightTerms(string text) =>
        string.IsNullOrWhiteSpace(text) ? [] : SearchIndex.QueryAnalyzer.Tokens(text).Select(t => t.Term).ToHashSet(StringComparer.Ordinal);

    private static SearchHit ToHit(IndexedCard card, HashSet<string> terms) =>
        new(card.Id, card.Kind, card.Title, Highlight(card.Title, terms, int.MaxValue), Highlight(card.Snippet, terms, 160), card.Tags, card.Data);

    /// <summary>
    /// HTML-encodes the text and wraps matched terms in &lt;mark&gt;: the only markup in the result is ours. Long text is
    /// cut to a window around the first match.
    /// </summary>
    public static string Highlight(string source, HashSet<string> terms, int maxLength)
    {
        // Bigrams are enough unless a query term is a single character ("锂"), which only the index analyzer emits
        // inside longer words; the query analyzer makes about half as many tokens.
        var analyzer = terms.Any(t => t.Length == 1) ? SearchIndex.IndexAnalyzer : SearchIndex.QueryAnalyzer;
        var ranges = analyzer.Matches(source, terms);

        var from = 0;
        var to = source.Length;
        if (source.Length > maxLength)
        {
            from = ranges.Count > 0 ? Math.Max(0, ranges[0].Start - (maxLength / 4)) : 0;
            to = Math.Min(source.Length, from + maxLength);
        }

        var html = new StringBuilder();
        if (from > 0)
        {
            html.Append('…');
        }

        var at = from;
        foreach (var (start, end) in ranges.Where(r => r.Start >= from && r.End <= to))
        {
            html.Append(WebUtility.HtmlEncode(source[at..start])).Append("<mark>").Append(WebUtility.HtmlEncode(source[start..end])).Append("</mark>");
            at = end;
        }

        html.Append(WebUtility.HtmlEncode(source[at..to]));
        if (to < source.Length)
        {
            html.Append('…');
        }

        return html.ToString();
    }
}
