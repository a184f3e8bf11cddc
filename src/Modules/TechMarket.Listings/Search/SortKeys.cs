using System.Runtime.CompilerServices;
using Lucene.Net.Index;

namespace TechMarket.Listings.Search;

/// <summary>
/// A sort (published date, price) of one segment, decoded once per segment core: each document's rank among the
/// segment's distinct sort keys, and the keys by rank. A search reads the ranks of all its hits at scattered places (4
/// bytes per document instead of 8: a smaller array stays in cache more often) and the exact key only for a hit that
/// can enter the top hits — keys, not ranks, are compared across segments, so the hits are exactly Lucene's.
/// </summary>
/// <param name="Ranks">Per document, the rank of its key (a document without a value has the value 0, as Lucene sorts it).</param>
/// <param name="Keys">The distinct keys in increasing order: larger is better.</param>
/// <param name="GroupMax">Per 512 documents the highest rank among them: a group below the top hits' worst key is skipped.</param>
internal sealed record SortKeys(int[] Ranks, long[] Keys, int[] GroupMax)
{
    private static readonly ConditionalWeakTable<object, Dictionary<(string, bool), SortKeys>> Cache = [];

    /// <summary>The rank of the first key at or above <paramref name="key"/> (a document ranked lower cannot beat it).</summary>
    public int RankAtLeast(long key)
    {
        var at = Array.BinarySearch(Keys, key);
        return at >= 0 ? at : ~at;
    }

    /// <param name="ascending">Smaller values first: the key is the value's complement (order-reversing, no overflow).</param>
    public static SortKeys Of(AtomicReader reader, string field, bool ascending)
    {
        var all = Cache.GetValue(reader.CoreCacheKey, _ => []);
        lock (all)
        {
            if (all.TryGetValue((field, ascending), out var cached))
            {
                return cached;
            }

            var keys = new long[reader.MaxDoc];
            var source = reader.GetNumericDocValues(field);
            for (var doc = 0; doc < keys.Length; doc++)
            {
                var value = source?.Get(doc) ?? 0;
                keys[doc] = ascending ? ~value : value;
            }

            var distinct = keys.Distinct().Order().ToArray();
            var ranks = new int[keys.Length];
            for (var doc = 0; doc < keys.Length; doc++)
            {
                ranks[doc] = Array.BinarySearch(distinct, keys[doc]);
            }

            var groupMax = new int[(ranks.Length + (Blocks.PerSuper * 64) - 1) / (Blocks.PerSuper * 64)];
            for (var doc = 0; doc < ranks.Length; doc++)
            {
                groupMax[doc / (Blocks.PerSuper * 64)] = Math.Max(groupMax[doc / (Blocks.PerSuper * 64)], ranks[doc]);
            }

            return all[(field, ascending)] = new SortKeys(ranks, distinct, groupMax);
        }
    }
}
