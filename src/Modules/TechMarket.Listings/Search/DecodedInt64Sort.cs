using System.Runtime.CompilerServices;
using Lucene.Net.Index;
using Lucene.Net.Search;

namespace TechMarket.Listings.Search;

/// <summary>
/// Sorts by a numeric doc-values field (published date, price) from an array decoded once per segment core, instead of
/// reading packed doc values from the memory-mapped file for every hit — the cost of "newest" and price sorting when
/// tens of thousands of listings match. Same order as SortFieldType.INT64; ties keep document order.
/// </summary>
internal sealed class DecodedInt64Sort : FieldComparerSource
{
    private static readonly ConditionalWeakTable<object, Dictionary<string, long[]>> Cache = [];

    public static SortField Field(string field, bool reverse) => new(field, new DecodedInt64Sort(), reverse);

    public override FieldComparer NewComparer(string fieldname, int numHits, int sortPos, bool reversed) => new Comparer(fieldname, numHits);

    private static long[] Values(AtomicReader reader, string field)
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

    private sealed class Comparer(string field, int numHits) : FieldComparer<J2N.Numerics.Int64>
    {
        private readonly long[] slots = new long[numHits];
        private long[] current = [];
        private long bottom;
        private long top;

        public override J2N.Numerics.Int64 this[int slot] => J2N.Numerics.Int64.GetInstance(slots[slot]);

        public override int Compare(int slot1, int slot2) => slots[slot1].CompareTo(slots[slot2]);

        public override void SetBottom(int slot) => bottom = slots[slot];

        public override void SetTopValue(J2N.Numerics.Int64 value) => top = value.ToInt64();

        public override int CompareBottom(int doc) => bottom.CompareTo(current[doc]);

        public override int CompareTop(int doc) => top.CompareTo(current[doc]);

        public override void Copy(int slot, int doc) => slots[slot] = current[doc];

        public override FieldComparer SetNextReader(AtomicReaderContext context)
        {
            current = Values(context.AtomicReader, field);
            return this;
        }
    }
}
