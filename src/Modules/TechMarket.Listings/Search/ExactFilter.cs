using System.Runtime.CompilerServices;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Util;

namespace TechMarket.Listings.Search;

/// <summary>
/// The exact part of a search — the kind plus the facet filters (any of a dimension's values, every dimension) — as a
/// bit set per segment. Each term's bits are computed once per segment reader (live documents already applied) and
/// cached; a search only ANDs and ORs whole words. A dense filter (every listing, a province, …) is then applied by
/// random access: the text query's matches are checked against the bits instead of the text postings leapfrogging
/// through a postings list of a million listings, which was the largest cost of a search at 1M listings. A sparse
/// filter (demands and experts are few) drives the search instead (see <see cref="Query"/>).
/// </summary>
/// <remarks>
/// The per-search bit sets (125 KB per million documents) come from a pool and go back on <see cref="Dispose"/>, after
/// the search: allocated fresh they land on the large object heap and every few searches cost a full collection.
/// </remarks>
internal sealed class ExactFilter(string kind, IReadOnlyList<(string Dim, IReadOnlyList<string> Values)> dims) : Filter, IDisposable
{
    private readonly List<long[]> rented = [];

    private static readonly ConditionalWeakTable<AtomicReader, Dictionary<Term, Lazy<FixedBitSet>>> Cache = [];

    public static ExactFilter For(string kind, IReadOnlyDictionary<string, IReadOnlyList<string>> filters, string? except) =>
        new(kind, filters.Where(f => f.Key != except && f.Value.Count > 0).Select(f => (f.Key, f.Value)).ToList());

    /// <summary>The text query restricted to this filter, or every matching document at a constant score.</summary>
    public Query Query(IndexSearcher searcher, Query? textQuery)
    {
        if (textQuery is null)
        {
            return new ConstantScoreQuery(this);
        }

        // Few documents pass (e.g. the demands among a million listings): walk the filter and advance the text.
        return new FilteredQuery(textQuery, this, SearchService.IsSparse(searcher, kind) ? FilteredQuery.LEAP_FROG_FILTER_FIRST_STRATEGY : FilteredQuery.RANDOM_ACCESS_FILTER_STRATEGY);
    }

    public override DocIdSet GetDocIdSet(AtomicReaderContext context, IBits acceptDocs)
    {
        var reader = context.AtomicReader;
        var ofKind = Bits(reader, new Term(IndexFields.Kind, kind));
        var result = ofKind;
        if (dims.Count > 0)
        {
            // The cached sets are shared and never modified: combine into a pooled copy.
            result = Rent(reader.MaxDoc);
            Array.Copy(ofKind.GetBits(), result.GetBits(), FixedBitSet.Bits2words(reader.MaxDoc));
        }

        foreach (var (dim, values) in dims)
        {
            if (values.Count == 1)
            {
                result.And(Bits(reader, new Term(dim, values[0])));
                continue;
            }

            var any = Rent(reader.MaxDoc);
            foreach (var value in values)
            {
                any.Or(Bits(reader, new Term(dim, value)));
            }

            result.And(any);
        }

        // The cached bits already exclude deleted documents; any other restriction is applied on top.
        return acceptDocs is null || ReferenceEquals(acceptDocs, reader.LiveDocs) ? result : BitsFilteredDocIdSet.Wrap(result, acceptDocs);
    }

    public void Dispose()
    {
        foreach (var words in rented)
        {
            System.Buffers.ArrayPool<long>.Shared.Return(words);
        }

        rented.Clear();
    }

    public override string ToString() => $"ExactFilter({kind}; {string.Join("; ", dims.Select(d => $"{d.Dim}={string.Join(',', d.Values)}"))})";

    private FixedBitSet Rent(int maxDoc)
    {
        var words = FixedBitSet.Bits2words(maxDoc);
        var array = System.Buffers.ArrayPool<long>.Shared.Rent(Math.Max(words, 1));
        Array.Clear(array, 0, words);
        rented.Add(array);
        return new FixedBitSet(array, maxDoc);
    }

    /// <summary>The cached documents of one term in one segment (live documents only); shared, never modify.</summary>
    public static FixedBitSet Bits(AtomicReader reader, Term term)
    {
        var cache = Cache.GetValue(reader, _ => []);
        Lazy<FixedBitSet> bits;
        lock (cache)
        {
            // One entry per kind and facet value (a few hundred), per segment reader; Lazy: computed once even when
            // many searches ask for it at the same time.
            if (!cache.TryGetValue(term, out bits!))
            {
                bits = new Lazy<FixedBitSet>(() => Load(reader, term));
                cache[term] = bits;
            }
        }

        return bits.Value;
    }

    private static FixedBitSet Load(AtomicReader reader, Term term)
    {
        var bits = new FixedBitSet(reader.MaxDoc);
        var docs = reader.GetTermDocsEnum(term);
        if (docs is not null)
        {
            var live = reader.LiveDocs;
            int doc;
            while ((doc = docs.NextDoc()) != DocIdSetIterator.NO_MORE_DOCS)
            {
                if (live is null || live.Get(doc))
                {
                    bits.Set(doc);
                }
            }
        }

        return bits;
    }
}
