using System.Numerics;
using System.Runtime.CompilerServices;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Util;

namespace TechMarket.Listings.Search;

/// <summary>
/// The postings of dense terms (in more than 1/256 of a segment's documents) decoded once per segment core into a bit set
/// and a frequency per matching document — an
/// index structure like Lucene's own dense postings blocks or the per-segment document sets of its LRUQueryCache, not
/// a cache of results: every search still intersects, filters, counts, scores and ranks from scratch. Decoding the
/// postings of the generated text's common bigrams (36k–66k documents per term and field) was most of a search's time.
/// </summary>
/// <remarks>
/// Bounded by <see cref="SearchOptions.DensePostingsMegabytes"/> (least recently used terms are dropped first; 0 turns
/// it off) and released when the segment core is closed. The bits are the raw postings (deleted documents included):
/// like every postings list, they are restricted to the live documents of the kind by the caller.
/// </remarks>
internal sealed class DensePostings(long budgetBytes)
{
    // Reported at /metrics (prometheus-net publishes .NET meters): the memory this structure holds on the node.
    private static readonly System.Diagnostics.Metrics.Meter Meter = new("TechMarket.Listings.Search");
    private static long allBytes;
    private static long allTerms;

    static DensePostings()
    {
        Meter.CreateObservableGauge("techmarket_search_dense_postings_bytes", () => Interlocked.Read(ref allBytes), "By", "Memory held by decoded dense postings");
        Meter.CreateObservableGauge("techmarket_search_dense_postings_terms", () => Interlocked.Read(ref allTerms), null, "Dense terms held decoded");
    }

    private readonly Dictionary<Key, LinkedListNode<Entry>> entries = [];
    private readonly LinkedList<Entry> recent = [];
    private readonly ConditionalWeakTable<object, object> watched = [];
    private readonly System.Threading.Lock gate = new();
    private long bytes;

    public bool Enabled => budgetBytes > 0;

    /// <summary>Memory held by the decoded terms, in bytes.</summary>
    public long Bytes
    {
        get
        {
            lock (gate)
            {
                return bytes;
            }
        }
    }

    public int Terms
    {
        get
        {
            lock (gate)
            {
                return entries.Count;
            }
        }
    }

    /// <summary>
    /// Whether a term with this document frequency is worth holding as a bit set. At 1/64 (where a bit per document is
    /// no larger than the compressed postings) the generated text's many terms of 8k–16k documents per million stayed
    /// sparse, and reading them (leapfrog, block maxima) was most of a multi-word search; at 1/256 a term's bits cost
    /// at most about 4× its postings, within the memory budget.
    /// </summary>
    public bool IsDense(int docFreq, int maxDoc) => Enabled && docFreq > maxDoc / 256;

    /// <summary>The term's decoded postings; <paramref name="termsEnum"/> must be positioned on the term.</summary>
    public DenseTerm Get(AtomicReader reader, string field, TermsEnum termsEnum)
    {
        var key = new Key(reader.CoreCacheKey, field, BytesRef.DeepCopyOf(termsEnum.Term));
        Lazy<DenseTerm> load;
        lock (gate)
        {
            if (entries.TryGetValue(key, out var node))
            {
                recent.Remove(node);
                recent.AddFirst(node);
                return node.Value.Term.Value;
            }

            Watch(reader);
            var maxDoc = reader.MaxDoc;
            var docs = termsEnum.Docs(null, null, DocsFlags.FREQS);
            var docFreq = termsEnum.DocFreq;
            load = new Lazy<DenseTerm>(() => DenseTerm.Decode(docs, maxDoc, docFreq, LengthNorms.Of(reader, field)));
            var size = DenseTerm.SizeOf(maxDoc, docFreq);
            entries[key] = recent.AddFirst(new Entry(key, load, size));
            bytes += size;
            Interlocked.Add(ref allBytes, size);
            Interlocked.Increment(ref allTerms);
            while (bytes > budgetBytes && recent.Last is { } last && last != recent.First)
            {
                Remove(last);
            }
        }

        // Decoded outside the lock: concurrent searches for the same new term wait for one decoding.
        return load.Value;
    }

    private void Watch(AtomicReader reader)
    {
        if (reader is SegmentReader segment && !watched.TryGetValue(segment.CoreCacheKey, out _))
        {
            watched.Add(segment.CoreCacheKey, segment.CoreCacheKey);
            segment.AddCoreDisposedListener(new Release(this));
        }
    }

    private void Forget(object core)
    {
        lock (gate)
        {
            foreach (var node in entries.Values.Where(n => ReferenceEquals(n.Value.Key.Core, core)).ToList())
            {
                Remove(node);
            }
        }
    }

    private void Remove(LinkedListNode<Entry> node)
    {
        recent.Remove(node);
        entries.Remove(node.Value.Key);
        bytes -= node.Value.Size;
        Interlocked.Add(ref allBytes, -node.Value.Size);
        Interlocked.Decrement(ref allTerms);
    }

    private sealed class Release(DensePostings owner) : SegmentReader.ICoreDisposedListener
    {
        public void OnDispose(object ownerCoreCacheKey) => owner.Forget(ownerCoreCacheKey);
    }

    private readonly record struct Key(object Core, string Field, BytesRef Term);

    private sealed record Entry(Key Key, Lazy<DenseTerm> Term, long Size);
}

/// <summary>
/// One term's documents in one segment as a bit set, and its frequency in each of them in document order (a byte;
/// 255 and above are looked up in <see cref="large"/>). Per block of 64 documents (one word of the bit set) also the
/// highest frequency and the highest norm byte among the term's documents: the block's score bound that lets a
/// relevance search skip scoring blocks that cannot reach its top hits. Shared between searches: never modified.
/// </summary>
internal sealed class DenseTerm
{
    private readonly Dictionary<int, int> large;

    private DenseTerm(long[] bits, byte[] freqs, Dictionary<int, int> large, int docFreq, byte[] blockFreq, byte[] blockNorm, int[] blockImpact)
    {
        BlockImpact = blockImpact;
        SuperImpact = Blocks.Super<int>(blockImpact);
        Bits = bits;
        Freqs = freqs;
        this.large = large;
        DocFreq = docFreq;
        BlockFreq = blockFreq;
        BlockNorm = blockNorm;
        SuperFreq = Blocks.Super<byte>(blockFreq);
        SuperNorm = Blocks.Super<byte>(blockNorm);
        SuperRank = new int[(bits.Length / Blocks.PerSuper) + 1];
        for (int i = 0, rank = 0; i < bits.Length; i++)
        {
            if (i % Blocks.PerSuper == 0)
            {
                SuperRank[i / Blocks.PerSuper] = rank;
            }

            rank += BitOperations.PopCount((ulong)bits[i]);
        }
    }

    /// <summary>Per 8 words of <see cref="Bits"/>: how many of the term's documents come before them.</summary>
    public int[] SuperRank { get; }

    /// <summary>The same maxima per 8 blocks (512 documents): one bound that can rule out 8 blocks at once.</summary>
    public byte[] SuperFreq { get; }

    public byte[] SuperNorm { get; }

    /// <summary>Per word of <see cref="Bits"/>: the highest frequency (255: 255 or more), 0 where the term has no document.</summary>
    public byte[] BlockFreq { get; }

    /// <summary>Per word of <see cref="Bits"/>: the highest tf × norm of one of the term's documents (float bits).</summary>
    public int[] BlockImpact { get; }

    public int[] SuperImpact { get; }

    /// <summary>Per word of <see cref="Bits"/>: the highest norm byte of the field among the term's documents.</summary>
    public byte[] BlockNorm { get; }

    public long[] Bits { get; }

    public byte[] Freqs { get; }

    /// <summary>The term's document frequency in the segment (deleted documents included), Lucene's cost.</summary>
    public int DocFreq { get; }

    public static long SizeOf(int maxDoc, int docFreq) => (FixedBitSet.Bits2words(maxDoc) * 14L) + (FixedBitSet.Bits2words(maxDoc) * 5 / 4) + docFreq + 64;

    public static DenseTerm Decode(DocsEnum docs, int maxDoc, int docFreq, byte[]? norms)
    {
        var bits = new long[FixedBitSet.Bits2words(maxDoc)];
        var blockFreq = new byte[bits.Length];
        var blockNorm = new byte[bits.Length];
        var blockImpact = new int[bits.Length];
        var freqs = new byte[docFreq];
        var large = new Dictionary<int, int>();
        var count = 0;
        int doc;
        while ((doc = docs.NextDoc()) != DocIdSetIterator.NO_MORE_DOCS)
        {
            bits[doc >> 6] |= 1L << (doc & 63);
            var freq = docs.Freq;
            if (freq >= byte.MaxValue)
            {
                large[count] = freq;
                freq = byte.MaxValue;
            }

            freqs[count++] = (byte)freq;
            blockFreq[doc >> 6] = Math.Max(blockFreq[doc >> 6], (byte)freq);
            if (norms is not null)
            {
                blockNorm[doc >> 6] = Math.Max(blockNorm[doc >> 6], norms[doc]);
            }

            blockImpact[doc >> 6] = Math.Max(blockImpact[doc >> 6], TextMatcher.Impact(docs.Freq, norms, doc));
        }

        return new DenseTerm(bits, freqs, large, docFreq, blockFreq, blockNorm, blockImpact);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int FreqAt(int rank)
    {
        var freq = Freqs[rank];
        return freq == byte.MaxValue ? large[rank] : freq;
    }

    /// <summary>
    /// A term's frequencies read in increasing document order: the rank of a document among the term's documents is
    /// the population count of the words before it, carried forward word by word instead of stored per word.
    /// </summary>
    internal sealed class Cursor(DenseTerm term)
    {
        private int word;
        private int before;

        public DenseTerm Term => term;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int Freq(int doc)
        {
            var bits = term.Bits;
            var target = doc >> 6;
            if (target < word || target - word > Blocks.PerSuper)
            {
                // Back or far ahead (a relevance search scores the best groups of documents first): jump to its 8 words.
                word = target & ~(Blocks.PerSuper - 1);
                before = term.SuperRank[word / Blocks.PerSuper];
            }

            while (word < target)
            {
                before += BitOperations.PopCount((ulong)bits[word++]);
            }

            var rank = before + BitOperations.PopCount((ulong)bits[target] & ((1UL << (doc & 63)) - 1));
            return term.FreqAt(rank);
        }
    }
}

/// <summary>Maxima per block of 64 documents, gathered per 8 blocks.</summary>
internal static class Blocks
{
    public const int PerSuper = 8;

    /// <summary>Maxima per 8 blocks (frequencies, norm bytes, or non-negative floats' bits).</summary>
    public static T[] Super<T>(ReadOnlySpan<T> blocks)
        where T : struct, System.Numerics.INumber<T>
    {
        var super = new T[(blocks.Length + PerSuper - 1) / PerSuper];
        for (var i = 0; i < blocks.Length; i++)
        {
            super[i / PerSuper] = T.Max(super[i / PerSuper], blocks[i]);
        }

        return super;
    }
}
