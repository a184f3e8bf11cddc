using System.Runtime.CompilerServices;
using Lucene.Net.Index;

namespace TechMarket.Listings.Search;

/// <summary>
/// The sort keys (published date, prices) of one segment as an array decoded once per segment core, instead of
/// reading packed doc values from the index file for every hit — the cost of "newest" and price sorting when tens
/// of thousands of listings match.
/// </summary>
internal static class SortKeys
{
    private static readonly ConditionalWeakTable<object, Dictionary<string, long[]>> Cache = [];

    /// <summary>A numeric doc-values field of one segment (0 where a document has none); shared, never modify.</summary>
    public static long[] Values(AtomicReader reader, string field)
    {
        var all = Cache.GetValue(reader.CoreCacheKey, _ => []);
        lock (all)
        {
            if (all.TryGetValue(field, out var cached))
            {
                return cached;
            }

            var values = new long[reader.MaxDoc];
            if (reader.GetNumericDocValues(field) is { } source)
            {
                for (var doc = 0; doc < values.Length; doc++)
                {
                    values[doc] = source.Get(doc);
                }
            }

            all[field] = values;
            return values;
        }
    }
}
