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
        using var filter = ExactFilter.For(kind, request.Filters, except: null);
        var filtered = filter.Query(searcher, textQuery);
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
            using var others = ExactFilter.For(kind, request.Filters, except: dim);
            searcher.Search(others.Query(searcher, textQuery), sideways);
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
        using var filter = ExactFilter.For(kind, new Dictionary<string, IReadOnlyList<string>>(), null);
        searcher.Search(filter.Query(searcher, textQuery), counter);
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

    private static Sort SortOf(SearchSort sort) => sort switch
    {
        SearchSort.Newest => new Sort(DecodedInt64Sort.Field(IndexFields.Published, true)),
        // Items without a price (negotiable, no range) go last either way: see IndexDocuments.Prices.
        SearchSort.PriceAsc => new Sort(DecodedInt64Sort.Field(IndexFields.Price, false)),
        _ => new Sort(DecodedInt64Sort.Field(IndexFields.PriceDescending, true)),
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
    /// Counts facet values of the matching documents. Collecting only records the document number; counting happens
    /// per segment afterwards in one pass over the recorded documents (in increasing order, so memory is read nearly
    /// sequentially). Each segment's values are decoded once (segments are immutable) into one 64-bit word per
    /// document: a byte per dimension — the value's ord, or for a multi-valued dimension with up to 8 values a bit
    /// mask — so counting a document costs one memory read for all dimensions.
    /// </summary>
    private sealed class FacetCounter(IReadOnlyList<string> dimensions) : ICollector
    {
        // Lazy: concurrent first searches on a new segment wait for one decoding instead of each doing it.
        private static readonly ConditionalWeakTable<object, Lazy<SegmentFacets>> Cache = [];
        private readonly Dictionary<string, Dictionary<string, int>> totals = dimensions.ToDictionary(d => d, _ => new Dictionary<string, int>(StringComparer.Ordinal));
        private SegmentFacets? segment;
        // Pooled: a buffer of tens of thousands of hits would otherwise be a large-object allocation per search.
        private int[] docs = System.Buffers.ArrayPool<int>.Shared.Rent(4096);
        private int count;

        public bool AcceptsDocsOutOfOrder => true;

        public void SetScorer(Scorer scorer)
        {
        }

        public void SetNextReader(AtomicReaderContext context)
        {
            Flush();
            var reader = context.AtomicReader;
            segment = Cache.GetValue(reader.CoreCacheKey, _ => new Lazy<SegmentFacets>(() => SegmentFacets.Load(reader))).Value;
        }

        public void Collect(int doc)
        {
            if (count == docs.Length)
            {
                var bigger = System.Buffers.ArrayPool<int>.Shared.Rent(docs.Length * 2);
                Array.Copy(docs, bigger, count);
                System.Buffers.ArrayPool<int>.Shared.Return(docs);
                docs = bigger;
            }

            docs[count++] = doc;
        }

        /// <summary>The counts; call once, after the search (the document buffer goes back to the pool).</summary>
        public Dictionary<string, Dictionary<string, int>> Counts()
        {
            Flush();
            System.Buffers.ArrayPool<int>.Shared.Return(docs);
            docs = [];
            return totals;
        }

        private void Flush()
        {
            if (segment is not { } facets || count == 0)
            {
                count = 0;
                return;
            }

            var slots = new List<int>();
            foreach (var dim in dimensions)
            {
                if (facets.SlotOf(dim) is { } slot)
                {
                    slots.Add(slot);
                }
            }

            var packed = facets.Packed;
            var counts = slots.Select(s => new int[facets.Labels[s].Length]).ToArray();
            var shifts = slots.Select(s => s * 8).ToArray();
            var multi = slots.Select(s => facets.Multi[s]).ToArray();
            for (var i = 0; i < count; i++)
            {
                var word = packed[docs[i]];
                for (var k = 0; k < shifts.Length; k++)
                {
                    var b = (int)(word >> shifts[k]) & 0xFF;
                    if (!multi[k])
                    {
                        if (b != SegmentFacets.None)
                        {
                            counts[k][b]++;
                        }

                        continue;
                    }

                    while (b != 0)
                    {
                        counts[k][System.Numerics.BitOperations.TrailingZeroCount(b)]++;
                        b &= b - 1;
                    }
                }
            }

            for (var k = 0; k < slots.Count; k++)
            {
                var labels = facets.Labels[slots[k]];
                var total = totals[facets.Dims[slots[k]]];
                for (var ord = 0; ord < labels.Length; ord++)
                {
                    if (counts[k][ord] > 0)
                    {
                        total[labels[ord]] = total.GetValueOrDefault(labels[ord]) + counts[k][ord];
                    }
                }
            }

            count = 0;
        }
    }

    /// <summary>One segment's facet values, one byte per dimension in a 64-bit word per document.</summary>
    private sealed record SegmentFacets(ulong[] Packed, string[] Dims, bool[] Multi, string[][] Labels)
    {
        public const int None = 0xFF;

        public int? SlotOf(string dim)
        {
            var slot = Array.IndexOf(Dims, dim);
            return slot < 0 ? null : slot;
        }

        public static SegmentFacets Load(AtomicReader reader)
        {
            var dims = IndexFields.Dimensions;
            if (dims.Length > 8)
            {
                throw new InvalidOperationException("At most 8 facet dimensions fit in one word per document.");
            }

            var packed = new ulong[reader.MaxDoc];
            Array.Fill(packed, ulong.MaxValue);
            var multi = new bool[dims.Length];
            var labels = new string[dims.Length][];
            for (var slot = 0; slot < dims.Length; slot++)
            {
                labels[slot] = [];
                var values = reader.GetSortedSetDocValues(dims[slot]);
                if (values is null)
                {
                    continue;
                }

                labels[slot] = new string[values.ValueCount];
                var term = new BytesRef();
                for (var ord = 0; ord < labels[slot].Length; ord++)
                {
                    values.LookupOrd(ord, term);
                    labels[slot][ord] = term.Utf8ToString();
                }

                // A dimension with several values on some document (a listing's transaction modes, an expert's fields)
                // is stored as a bit mask of at most 8 values.
                for (var doc = 0; doc < reader.MaxDoc && !multi[slot]; doc++)
                {
                    values.SetDocument(doc);
                    multi[slot] = values.NextOrd() != SortedSetDocValues.NO_MORE_ORDS && values.NextOrd() != SortedSetDocValues.NO_MORE_ORDS;
                }

                if ((multi[slot] && labels[slot].Length > 8) || (!multi[slot] && labels[slot].Length >= None))
                {
                    throw new InvalidOperationException($"Facet dimension {dims[slot]} has too many values ({labels[slot].Length}) for one byte.");
                }

                var shift = slot * 8;
                for (var doc = 0; doc < reader.MaxDoc; doc++)
                {
                    values.SetDocument(doc);
                    ulong b = multi[slot] ? 0UL : None;
                    long ord;
                    while ((ord = values.NextOrd()) != SortedSetDocValues.NO_MORE_ORDS)
                    {
                        b = multi[slot] ? b | (1UL << (int)ord) : (ulong)ord;
                    }

                    packed[doc] = (packed[doc] & ~(0xFFUL << shift)) | (b << shift);
                }
            }

            return new SegmentFacets(packed, dims, multi, labels);
        }
    }
}
