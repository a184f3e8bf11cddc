using System.Runtime.CompilerServices;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Util;

namespace TechMarket.Listings.Search;

/// <summary>
/// The documents of one kind (listing, demand, expert) as a bit set per segment, and the per-segment cache of such term
/// bit sets that the search pass ANDs and ORs for its facet filters (<see cref="Bits"/>). Each term's bits are computed
/// once per segment reader (live documents already applied). Used as a Lucene filter where Lucene still drives the
/// search: the sparse kinds (demands and experts are few among a million listings), and the other tabs' counts.
/// </summary>
internal sealed class ExactFilter(string kind) : Filter
{
    private static readonly ConditionalWeakTable<AtomicReader, Dictionary<Term, Lazy<FixedBitSet>>> Cache = [];

    /// <summary>The text query restricted to this kind, or every document of the kind at a constant score.</summary>
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

        // The cached bits already exclude deleted documents; any other restriction is applied on top.
        return acceptDocs is null || ReferenceEquals(acceptDocs, reader.LiveDocs) ? ofKind : BitsFilteredDocIdSet.Wrap(ofKind, acceptDocs);
    }

    public override string ToString() => $"ExactFilter({kind})";

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
