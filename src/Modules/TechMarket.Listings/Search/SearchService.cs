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

    public SearchResult Search(SearchRequest request) =>
        index.Search(searcher => cache.GetOrAdd(((DirectoryReader)searcher.IndexReader).Version, request, () => Run(searcher, request)));

    private static SearchResult Run(IndexSearcher searcher, SearchRequest request)
    {
        var textQuery = TextQuery(request.Text);
        var kind = KindOf(request.Tab);
        var filtered = Filtered(textQuery, kind, request.Filters, except: null);
        var facets = new FacetCounter(IndexFields.Dimensions);
        var want = request.Page * request.PageSize;
        ITopDocsCollector top = request.Sort switch
        {
            SearchSort.Relevance => TopScoreDocCollector.Create(want, true),
            _ => TopFieldCollector.Create(SortOf(request.Sort), want, fillFields: false, trackDocScores: false, trackMaxScore: false, docsScoredInOrder: true),
        };
        searcher.Search(filtered, MultiCollector.Wrap((ICollector)top, facets));
        var counts = facets.Counts();

        // Drill-sideways: a dimension's own counts ignore its own filter, so the other choices stay visible.
        foreach (var (dim, values) in request.Filters)
        {
            if (values.Count == 0)
            {
                continue;
            }

            var sideways = new FacetCounter([dim]);
            searcher.Search(Filtered(textQuery, kind, request.Filters, except: dim), sideways);
            counts[dim] = sideways.Counts()[dim];
        }

        var docs = top.GetTopDocs((request.Page - 1) * request.PageSize, request.PageSize);
        var terms = HighlightTerms(request.Text);
        var hits = new List<SearchHit>(docs.ScoreDocs.Length);
        foreach (var sd in docs.ScoreDocs)
        {
            var stored = new StoredHit();
            searcher.Doc(sd.Doc, stored);
            hits.Add(stored.ToHit(terms));
        }

        var tabs = new Dictionary<SearchTab, int>();
        foreach (var t in Enum.GetValues<SearchTab>())
        {
            tabs[t] = t == request.Tab ? docs.TotalHits : CountOf(searcher, textQuery, KindOf(t));
        }

        return new SearchResult(request, docs.TotalHits, hits, counts.ToDictionary(c => c.Key, c => (IReadOnlyDictionary<string, int>)c.Value), tabs);
    }

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
        searcher.Search(Filtered(textQuery, kind, new Dictionary<string, IReadOnlyList<string>>(), null), counter);
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
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var all = new BooleanQuery();
        foreach (var word in text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            var terms = SearchIndex.QueryAnalyzer.Tokens(word).Select(t => t.Term).Distinct(StringComparer.Ordinal).ToList();
            if (terms.Count == 0)
            {
                // Only stop words or punctuation: nothing to match, as the parser did.
                continue;
            }

            var anyField = new BooleanQuery();
            foreach (var (field, boost) in Boosts)
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

    private static Query Filtered(Query? textQuery, string kind, IReadOnlyDictionary<string, IReadOnlyList<string>> filters, string? except)
    {
        var filter = new BooleanQuery { { new TermQuery(new Term(IndexFields.Kind, kind)), Occur.MUST } };
        foreach (var (dim, values) in filters)
        {
            if (dim == except || values.Count == 0)
            {
                continue;
            }

            var any = new BooleanQuery();
            foreach (var value in values)
            {
                any.Add(new TermQuery(new Term(dim, value)), Occur.SHOULD);
            }

            filter.Add(any, Occur.MUST);
        }

        if (textQuery is null)
        {
            return new ConstantScoreQuery(filter);
        }

        // A conjunction, not a FilteredQuery: the scorer leapfrogs between the text postings and the (often much
        // smaller) kind and filter postings, so counting demands for a tab does not walk every matching listing.
        return new BooleanQuery
        {
            { textQuery, Occur.MUST },
            { new ConstantScoreQuery(filter) { Boost = 0f }, Occur.MUST },
        };
    }

    private static Sort SortOf(SearchSort sort) => sort switch
    {
        SearchSort.Newest => new Sort(new SortField(IndexFields.Published, SortFieldType.INT64, true)),
        // Items without a price (negotiable, no range) go last either way: see IndexDocuments.Prices.
        SearchSort.PriceAsc => new Sort(new SortField(IndexFields.Price, SortFieldType.INT64, false)),
        _ => new Sort(new SortField(IndexFields.PriceDescending, SortFieldType.INT64, true)),
    };

    private static HashSet<string> HighlightTerms(string text) =>
        string.IsNullOrWhiteSpace(text) ? [] : SearchIndex.QueryAnalyzer.Tokens(text).Select(t => t.Term).ToHashSet(StringComparer.Ordinal);

    /// <summary>The stored fields of one hit, read straight into fields instead of a Lucene Document.</summary>
    private sealed class StoredHit : StoredFieldVisitor
    {
        private string? kind;
        private string? id;
        private string? title;
        private string? tags;
        private string? snippet;
        private string? data;

        public override Status NeedsField(FieldInfo fieldInfo) => Status.YES;

        public override void StringField(FieldInfo fieldInfo, string value)
        {
            switch (fieldInfo.Name)
            {
                case IndexFields.Kind: kind = value; break;
                case IndexFields.Id: id = value; break;
                case IndexFields.Title: title = value; break;
                case IndexFields.Tags: tags = value; break;
                case IndexFields.Snippet: snippet = value; break;
                case IndexFields.Data: data = value; break;
                default: break;
            }
        }

        public SearchHit ToHit(HashSet<string> terms)
        {
            var data = JsonSerializer.Deserialize(this.data ?? "{}", HitDataJson.Default.HitData)!;
            var title = this.title ?? "";
            return new SearchHit(Guid.Parse(id!), kind!, title, Highlight(title, terms, int.MaxValue), Highlight(snippet ?? "", terms, 160), tags ?? "", data);
        }
    }

    /// <summary>
    /// HTML-encodes the text and wraps matched terms in &lt;mark&gt;: the only markup in the result is ours. Long text is
    /// cut to a window around the first match.
    /// </summary>
    public static string Highlight(string source, IReadOnlySet<string> terms, int maxLength)
    {
        var ranges = new List<(int Start, int End)>();
        if (terms.Count > 0)
        {
            // Bigrams are enough unless a query term is a single character ("锂"), which only the index analyzer emits
            // inside longer words; the query analyzer makes about half as many tokens.
            var analyzer = terms.Any(t => t.Length == 1) ? SearchIndex.IndexAnalyzer : SearchIndex.QueryAnalyzer;
            foreach (var (term, start, end) in analyzer.Tokens(source))
            {
                if (terms.Contains(term) && end <= source.Length)
                {
                    if (ranges.Count > 0 && start <= ranges[^1].End)
                    {
                        ranges[^1] = (ranges[^1].Start, Math.Max(end, ranges[^1].End));
                    }
                    else
                    {
                        ranges.Add((start, end));
                    }
                }
            }
        }

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

    /// <summary>
    /// Counts facet values of the matching documents. Each segment's doc values are decoded once into plain arrays
    /// (segments are immutable, so the arrays live as long as the segment core); counting is then array lookups.
    /// </summary>
    private sealed class FacetCounter(IReadOnlyList<string> dimensions) : ICollector
    {
        private static readonly ConditionalWeakTable<object, Dictionary<string, SegmentOrds>> Cache = [];
        private static readonly Lock CacheGate = new();
        private readonly Dictionary<string, Dictionary<string, int>> totals = dimensions.ToDictionary(d => d, _ => new Dictionary<string, int>(StringComparer.Ordinal));
        private readonly List<(string Dim, SegmentOrds Ords, int[] Counts)> segment = [];

        // The current segment's dimensions split by shape, as arrays for the per-document loop.
        private int[][] singleOrds = [];
        private int[][] singleCounts = [];
        private SegmentOrds[] multi = [];
        private int[][] multiCounts = [];

        public bool AcceptsDocsOutOfOrder => true;

        public void SetScorer(Scorer scorer)
        {
        }

        public void SetNextReader(AtomicReaderContext context)
        {
            Flush();
            var reader = context.AtomicReader;
            Dictionary<string, SegmentOrds> all;
            lock (CacheGate)
            {
                all = Cache.GetValue(reader.CoreCacheKey, _ => []);
            }

            foreach (var dim in dimensions)
            {
                SegmentOrds? ords;
                lock (all)
                {
                    if (!all.TryGetValue(dim, out ords))
                    {
                        ords = SegmentOrds.Load(reader, dim);
                        all[dim] = ords;
                    }
                }

                if (ords.Labels.Length > 0)
                {
                    segment.Add((dim, ords, new int[ords.Labels.Length]));
                }
            }

            var single = segment.Where(s => s.Ords.Single is not null).ToList();
            singleOrds = single.Select(s => s.Ords.Single!).ToArray();
            singleCounts = single.Select(s => s.Counts).ToArray();
            var several = segment.Where(s => s.Ords.Single is null).ToList();
            multi = several.Select(s => s.Ords).ToArray();
            multiCounts = several.Select(s => s.Counts).ToArray();
        }

        public void Collect(int doc)
        {
            for (var d = 0; d < singleOrds.Length; d++)
            {
                var ord = singleOrds[d][doc];
                if (ord >= 0)
                {
                    singleCounts[d][ord]++;
                }
            }

            for (var d = 0; d < multi.Length; d++)
            {
                var ords = multi[d];
                var counts = multiCounts[d];
                for (var i = ords.Start[doc]; i < ords.Start[doc + 1]; i++)
                {
                    counts[ords.Ords[i]]++;
                }
            }
        }

        public Dictionary<string, Dictionary<string, int>> Counts()
        {
            Flush();
            return totals;
        }

        private void Flush()
        {
            foreach (var (dim, ords, counts) in segment)
            {
                for (var ord = 0; ord < counts.Length; ord++)
                {
                    if (counts[ord] > 0)
                    {
                        var key = ords.Labels[ord];
                        totals[dim][key] = totals[dim].GetValueOrDefault(key) + counts[ord];
                    }
                }
            }

            segment.Clear();
            singleOrds = singleCounts = multiCounts = [];
            multi = [];
        }
    }

    /// <summary>
    /// One segment's values of one dimension. Most dimensions have at most one value per document: then Single[d] is
    /// document d's ord (-1 for none); otherwise document d has ords Ords[Start[d]..Start[d+1]).
    /// </summary>
    private sealed record SegmentOrds(int[]? Single, int[] Start, int[] Ords, string[] Labels)
    {
        public static SegmentOrds Load(AtomicReader reader, string dim)
        {
            var values = reader.GetSortedSetDocValues(dim);
            if (values is null)
            {
                return new SegmentOrds(null, [], [], []);
            }

            var labels = new string[values.ValueCount];
            var term = new BytesRef();
            for (var ord = 0; ord < labels.Length; ord++)
            {
                values.LookupOrd(ord, term);
                labels[ord] = term.Utf8ToString();
            }

            var start = new int[reader.MaxDoc + 1];
            var ords = new List<int>(reader.MaxDoc);
            var singleValued = true;
            for (var doc = 0; doc < reader.MaxDoc; doc++)
            {
                start[doc] = ords.Count;
                values.SetDocument(doc);
                long ord;
                while ((ord = values.NextOrd()) != SortedSetDocValues.NO_MORE_ORDS)
                {
                    ords.Add((int)ord);
                }

                singleValued &= ords.Count - start[doc] <= 1;
            }

            start[reader.MaxDoc] = ords.Count;
            if (!singleValued)
            {
                return new SegmentOrds(null, start, [.. ords], labels);
            }

            var single = new int[reader.MaxDoc];
            for (var doc = 0; doc < reader.MaxDoc; doc++)
            {
                single[doc] = start[doc + 1] > start[doc] ? ords[start[doc]] : -1;
            }

            return new SegmentOrds(single, [], [], labels);
        }
    }
}
