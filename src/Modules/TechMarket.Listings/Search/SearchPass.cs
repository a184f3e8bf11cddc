using System.Runtime.CompilerServices;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Util;

namespace TechMarket.Listings.Search;

/// <summary>
/// Everything a search needs from its matching documents, in one pass over them: the kind check, the facet filters,
/// the total, the facet counts (including drill-sideways counts) and the top hits. Before, the text query was run
/// once for the hits and main counts and once more per filtered dimension for its sideways counts, each time through
/// Lucene's filter, multi-collector and sort machinery.
/// </summary>
/// <remarks>
/// A document's facet values are one 64-bit word (<see cref="SegmentFacets"/>), and the filters are checked against
/// that word rather than against term bit sets. A document that passes every filter is a hit: counted in every
/// dimension and offered to the top-k. A document that fails exactly one filtered dimension is counted in that
/// dimension only — which is exactly the drill-sideways count (the dimension's counts ignoring its own filter). A
/// document that fails two or more is not counted anywhere.
/// </remarks>
internal sealed class SearchPass : ICollector
{
    private readonly Filter[] filters;
    private readonly SearchSort sort;
    private readonly bool scored;
    private readonly TopHits top;
    private readonly Dictionary<string, Dictionary<string, int>> totals = IndexFields.Dimensions.ToDictionary(d => d, _ => new Dictionary<string, int>(StringComparer.Ordinal));
    // Per dimension 256 counters, one array: a single-valued dimension counts its ord without a branch (none, all ones
    // in its field, lands in a counter that is never read).
    private readonly int[] counts = new int[IndexFields.Dimensions.Length * 256];
    // Hits are counted per byte of their facet word: 256 counters per byte, one increment per byte whatever the number
    // of dimensions, and no dimension's field crosses a byte (see SegmentFacets), so each dimension's counts follow
    // from its byte's counters at the end of the segment (Flush).
    private readonly int[] byteCounts = new int[8 * 256];
    private bool narrow;
    private readonly FacetCounting counting;

    // The segment's total and facets are already counted from bit sets (CountByBits): the documents visited are the
    // hits, only to be ranked.
    private bool counted;
    private readonly string kind;
    private SegmentFacets? segment;
    private FixedBitSet? ofKind;
    private bool[] multi = [];
    private int[] shifts = [];
    private int[] masks = [];
    private SortKeys? sortKeys;
    // Ranks below this cannot beat the worst kept hit. Refreshed only when a hit at or above it turns out not to (the
    // worst kept key only grows), so a search does a handful of binary searches, not one per hit.
    private int atLeastWorst;
    private long atLeastWorstOf = long.MinValue;
    private Scorer? scorer;
    private TextMatcher.SegmentMatch? text;
    private int docBase;

    /// <param name="scored">False when there is no text: every document then has the same score.</param>
    public SearchPass(string kind, IReadOnlyDictionary<string, IReadOnlyList<string>> filters, SearchSort sort, bool scored, int want, FacetCounting counting = FacetCounting.Auto)
    {
        this.counting = counting;
        this.kind = kind;
        this.filters = filters.Where(f => f.Value.Count > 0).Select(f => new Filter(f.Key, Array.IndexOf(IndexFields.Dimensions, f.Key), f.Value)).ToArray();
        if (this.filters.Any(f => f.Slot < 0))
        {
            throw new ArgumentException("Filters must be facet dimensions.", nameof(filters));
        }

        this.sort = sort;
        this.scored = scored;
        top = new TopHits(want);
    }

    /// <summary>Documents that passed every filter (the search's total).</summary>
    public int Total { get; private set; }

    public bool AcceptsDocsOutOfOrder => true;

    public void SetScorer(Scorer scorer) => this.scorer = scorer;

    public void SetNextReader(AtomicReaderContext context)
    {
        Flush();
        text = null;
        var reader = context.AtomicReader;
        docBase = context.DocBase;
        segment = SegmentFacets.Of(reader);
        multi = segment.Multi;
        shifts = segment.Shifts;
        masks = segment.Masks;
        narrow = segment.WordBytes == 4;
        ofKind = ExactFilter.Bits(reader, new Term(IndexFields.Kind, kind));
        // Items without a price hold long.MaxValue in "price" and long.MinValue in "price_desc": last either way.
        sortKeys = sort switch
        {
            SearchSort.Newest => SortKeys.Of(reader, IndexFields.Published, ascending: false),
            SearchSort.PriceAsc => SortKeys.Of(reader, IndexFields.Price, ascending: true),
            SearchSort.PriceDesc => SortKeys.Of(reader, IndexFields.PriceDescending, ascending: false),
            _ => null,
        };
        atLeastWorst = 0;
        atLeastWorstOf = long.MinValue;
        counted = false;
        foreach (var filter in filters)
        {
            filter.Bind(segment);
        }
    }

    public void Collect(int doc)
    {
        if (ofKind is { } bits && !bits.Get(doc))
        {
            return;
        }

        CollectOfKind(doc, segment!.Word(doc), sortKeys?.Ranks[doc] ?? 0, offer: true);
    }

    /// <param name="word">The document's facet word.</param>
    /// <param name="rank">The rank of the document's sort key when sorting by a field (date, price).</param>
    /// <param name="offer">False when the document cannot be among the top hits (its block's score bound is too low).</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void CollectOfKind(int doc, ulong word, int rank, bool offer)
    {
        if ((!counted && !Count(word)) || !offer)
        {
            return;
        }

        if (sortKeys is not { } sorted)
        {
            top.Offer(scored ? ScoreKey(text is { } match ? match.Score(doc) : scorer!.GetScore()) : 0, docBase + doc);
        }
        else if (rank >= atLeastWorst)
        {
            var key = sorted.Keys[rank];
            if (top.Full && key < top.WorstKey)
            {
                RefreshedAtLeastWorst(sorted);
            }
            else
            {
                top.Offer(key, docBase + doc);
            }
        }
    }

    /// <summary>The first rank that can still enter the top hits, for the worst kept key as it is now.</summary>
    private int RefreshedAtLeastWorst(SortKeys keys)
    {
        if (atLeastWorstOf != top.WorstKey)
        {
            atLeastWorstOf = top.WorstKey;
            atLeastWorst = keys.RankAtLeast(atLeastWorstOf);
        }

        return atLeastWorst;
    }

    /// <summary>Filters and counts one match by its facet word; false when it is not a hit (a filter rejects it).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool Count(ulong word)
    {
        var missed = -1;
        for (var k = 0; k < filters.Length; k++)
        {
            if (!filters[k].Accepts(word))
            {
                if (missed >= 0)
                {
                    return false;
                }

                missed = k;
            }
        }

        if (missed >= 0)
        {
            Count(filters[missed].Slot, word);
            return false;
        }

        Total++;
        var c = byteCounts;
        c[(int)(word & 0xFF)]++;
        c[256 | (int)((word >> 8) & 0xFF)]++;
        c[512 | (int)((word >> 16) & 0xFF)]++;
        c[768 | (int)((word >> 24) & 0xFF)]++;
        if (!narrow)
        {
            c[1024 | (int)((word >> 32) & 0xFF)]++;
            c[1280 | (int)((word >> 40) & 0xFF)]++;
            c[1536 | (int)((word >> 48) & 0xFF)]++;
            c[1792 | (int)(word >> 56)]++;
        }

        return true;
    }

    /// <summary>The documents matching the text, segment by segment, among the live documents of the kind.</summary>
    public void CollectText(IndexSearcher searcher, TextMatcher matcher)
    {
        foreach (var context in searcher.IndexReader.Leaves)
        {
            SetNextReader(context);
            using var pool = new PooledBits(context.AtomicReader.MaxDoc);
            using var lists = new IntPool();
            text = matcher.Match(context, ofKind!, pool, lists, withFreqs: sort == SearchSort.Relevance);
            if (text is null)
            {
                continue;
            }

            var visit = Counted(context.AtomicReader, text.Matches, pool);
            if (sort == SearchSort.Relevance && text.CanBound)
            {
                var hits = visit;
                if (!counted)
                {
                    hits = pool.Rent();
                    Visit(visit, hits);
                }

                BestFirst(text, hits);
            }
            else
            {
                Visit(visit, hitsOut: null);
            }

            text = null;
        }
    }

    /// <summary>
    /// The documents to visit when there is no text: every document of the kind when at most one dimension is
    /// filtered (each of them counts at least sideways), otherwise only those passing all filters but at most one.
    /// </summary>
    public void CollectAll(IndexSearcher searcher)
    {
        foreach (var context in searcher.IndexReader.Leaves)
        {
            SetNextReader(context);
            using var candidates = new PooledBits(context.AtomicReader.MaxDoc);
            var reader = context.AtomicReader;
            FixedBitSet visit;
            if (counting != FacetCounting.PerMatch)
            {
                // Every document of the kind is a match: counting from bit sets is always the cheaper way.
                visit = CountByBits(reader, ofKind!, candidates);
            }
            else if (filters.Length <= 1)
            {
                visit = ofKind!;
            }
            else
            {
                var passes = filters.Select(f => f.Matching(reader, candidates)).ToArray();
                visit = candidates.Rent();
                for (var skip = 0; skip < passes.Length; skip++)
                {
                    var all = candidates.Copy(ofKind!);
                    for (var k = 0; k < passes.Length; k++)
                    {
                        if (k != skip)
                        {
                            all.And(passes[k]);
                        }
                    }

                    visit.Or(all);
                }
            }

            Visit(visit, hitsOut: null);
        }
    }

    /// <summary>
    /// Collects every document of <paramref name="docs"/> (live documents of the kind), a chunk of 4,096 documents at a
    /// time: first the chunk's document numbers, facet words and sort keys are gathered in loops that do nothing else,
    /// then they are filtered, counted and ranked. The facet words and sort keys are read at scattered places of
    /// arrays of several megabytes; loaded one per document amid the counting, each cache miss was waited for in turn
    /// (that one load was about a third of a search), gathered in a tight loop the processor overlaps them.
    /// </summary>
    /// <param name="hitsOut">Count only, and mark the hits here (their top is found best first, see <see cref="BestFirst"/>).</param>
    private void Visit(FixedBitSet docs, FixedBitSet? hitsOut)
    {
        const int ChunkWords = 64;
        var words = docs.GetBits();
        var count = FixedBitSet.Bits2words(docs.Length);
        var hitDocs = System.Buffers.ArrayPool<int>.Shared.Rent(ChunkWords * 64);
        var hitWords = System.Buffers.ArrayPool<ulong>.Shared.Rent(ChunkWords * 64);
        var hitRanks = System.Buffers.ArrayPool<int>.Shared.Rent(ChunkWords * 64);
        // Documents are added as they are published, so for "newest" the last ones are the best: visited from the end,
        // the top hits fill with them and later (older) hits fail one comparison instead of each entering the heap.
        var backwards = hitsOut is null && sort == SearchSort.Newest;
        var chunks = (count + ChunkWords - 1) / ChunkWords;
        try
        {
            for (var chunk = 0; chunk < chunks; chunk++)
            {
                var from = (backwards ? chunks - 1 - chunk : chunk) * ChunkWords;
                var to = Math.Min(count, from + ChunkWords);
                var n = 0;
                if (!counted || sortKeys is null)
                {
                    n = DocumentsOf(words, from, to, hitDocs);
                }
                else
                {
                    // Chunks start at a multiple of 64 words, so these are the groups of 512 documents of SortKeys.GroupMax.
                    for (var i = from; i < to; i += Blocks.PerSuper)
                    {
                        if (top.Full && sortKeys.GroupMax[i / Blocks.PerSuper] < RefreshedAtLeastWorst(sortKeys))
                        {
                            // Already counted, and no document of these 512 has a key that can enter the top hits.
                            continue;
                        }

                        n += DocumentsOf(words, i, Math.Min(to, i + Blocks.PerSuper), hitDocs.AsSpan(n));
                    }
                }

                if (!counted)
                {
                    segment!.Gather(hitDocs, hitWords, n);
                }

                if (sortKeys is { } sorted)
                {
                    var ranks = sorted.Ranks;
                    for (var k = 0; k < n; k++)
                    {
                        hitRanks[k] = ranks[hitDocs[k]];
                    }
                }

                if (hitsOut is null)
                {
                    for (var j = 0; j < n; j++)
                    {
                        var k = backwards ? n - 1 - j : j;
                        CollectOfKind(hitDocs[k], hitWords[k], hitRanks[k], offer: true);
                    }
                }
                else
                {
                    var marks = hitsOut.GetBits();
                    for (var k = 0; k < n; k++)
                    {
                        if (Count(hitWords[k]))
                        {
                            marks[hitDocs[k] >> 6] |= 1L << (hitDocs[k] & 63);
                        }
                    }
                }
            }
        }
        finally
        {
            System.Buffers.ArrayPool<int>.Shared.Return(hitDocs);
            System.Buffers.ArrayPool<ulong>.Shared.Return(hitWords);
            System.Buffers.ArrayPool<int>.Shared.Return(hitRanks);
        }
    }

    /// <summary>
    /// The numbers of the documents set in words [<paramref name="from"/>, <paramref name="to"/>), in order. Not inlined:
    /// inside <see cref="Visit"/> this loop shared the registers with everything else there and kept its counters on
    /// the stack, a third of the pass's time.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int DocumentsOf(long[] words, int from, int to, Span<int> docs)
    {
        var n = 0;
        for (var i = from; i < to; i++)
        {
            for (var bits = (ulong)words[i]; bits != 0; bits &= bits - 1)
            {
                docs[n++] = (i << 6) + System.Numerics.BitOperations.TrailingZeroCount(bits);
            }
        }

        return n;
    }

    /// <summary>
    /// The top hits of a relevance search among one segment's hits, best first: groups of 512 documents are visited in
    /// decreasing order of their score bound, so the top hits fill with the best documents at once, and the groups
    /// whose bound cannot beat the worst kept hit — nearly all of them — are never scored. Within a group, a block of
    /// 64 documents is skipped the same way. Bounds use the score's own float order (see TextMatcher), so the hits
    /// are exactly Lucene's; an equal score beats the worst kept hit only from a lower document.
    /// </summary>
    private void BestFirst(TextMatcher.SegmentMatch match, FixedBitSet hits)
    {
        var words = hits.GetBits();
        var count = FixedBitSet.Bits2words(hits.Length);
        var groups = (count + Blocks.PerSuper - 1) / Blocks.PerSuper;
        var order = System.Buffers.ArrayPool<long>.Shared.Rent(Math.Max(groups, 1));
        var bounds = System.Buffers.ArrayPool<float>.Shared.Rent(Math.Max(groups, 1));
        try
        {
            match.SuperBounds(words, count, bounds);
            var n = 0;
            for (var group = 0; group < groups; group++)
            {
                var any = 0L;
                for (var i = group * Blocks.PerSuper; i < Math.Min(count, (group + 1) * Blocks.PerSuper); i++)
                {
                    any |= words[i];
                }

                if (any != 0)
                {
                    // Largest first: the bound's key in the high half, then the lower group first.
                    order[n++] = (ScoreKey(bounds[group]) << 32) | (uint)(int.MaxValue - group);
                }
            }

            // A heap, not a sort: usually only a few of the groups are visited before the rest are cut.
            var heap = order.AsSpan(0, n);
            GroupHeap.Build(heap);
            while (!heap.IsEmpty)
            {
                var next = GroupHeap.Pop(ref heap);
                var group = int.MaxValue - (int)(next & 0xFFFFFFFF);
                if (!CanBeat(next >> 32, group * Blocks.PerSuper * 64))
                {
                    // Every later group has a lower bound, or the same bound and later documents.
                    break;
                }

                for (var i = group * Blocks.PerSuper; i < Math.Min(count, (group + 1) * Blocks.PerSuper); i++)
                {
                    var bits = words[i];
                    if (bits == 0 || !CanBeat(ScoreKey(match.Bound(i, words)), i << 6))
                    {
                        continue;
                    }

                    for (; bits != 0; bits &= bits - 1)
                    {
                        var doc = (i << 6) + System.Numerics.BitOperations.TrailingZeroCount(bits);
                        top.Offer(ScoreKey(match.Score(doc)), docBase + doc);
                    }
                }
            }
        }
        finally
        {
            System.Buffers.ArrayPool<float>.Shared.Return(bounds);
            System.Buffers.ArrayPool<long>.Shared.Return(order);
        }
    }

    /// <summary>Whether a document from <paramref name="firstDoc"/> on with a score key up to <paramref name="key"/> could enter the top hits.</summary>
    private bool CanBeat(long key, int firstDoc) =>
        !top.Full || key > top.WorstKey || (key == top.WorstKey && docBase + firstDoc < top.WorstDoc);

    /// <summary>
    /// The documents to visit for one segment's matches: all of them, to be filtered and counted one by one; or, when
    /// counting from bit sets is cheaper (many matches), only the hits, counted already.
    /// </summary>
    private FixedBitSet Counted(AtomicReader reader, FixedBitSet matches, PooledBits pool)
    {
        if (counting == FacetCounting.PerMatch)
        {
            return matches;
        }

        // Measured at 1M documents: per match, a facet word read at a scattered place and a few counters, 25–30 ns; per
        // value and word of the segment, an AND and a population count streamed from memory (125 KB per value), about
        // 1 ns; per run of FacetRuns, about 10 ns. Bit sets also spare a relevance search the matches whose blocks
        // cannot reach the top hits.
        var words = FixedBitSet.Bits2words(reader.MaxDoc);
        var cost = ((long)(segment!.BitSetValues + (segment.Runs is null ? 0 : 2) + filters.Length) * words) + ((segment.Runs?.Count ?? 0) * 10L);
        if (counting == FacetCounting.Auto && BitWords.Count(matches.GetBits(), words) * 32L < cost)
        {
            return matches;
        }

        return CountByBits(reader, matches, pool);
    }

    /// <summary>
    /// Counts the segment's total and facets from bit sets instead of match by match: per dimension and value, the
    /// population count of (the matches passing every other dimension's filter) AND (the value's documents) — exactly
    /// the per-match counts, including the drill-sideways ones. Returns the hits (matches passing every filter).
    /// </summary>
    private FixedBitSet CountByBits(AtomicReader reader, FixedBitSet matches, PooledBits pool)
    {
        var words = FixedBitSet.Bits2words(reader.MaxDoc);
        var passes = filters.Select(f => f.Matching(reader, pool)).ToArray();
        var hits = passes.Length == 0 ? pool.Copy(matches) : pool.And(matches.GetBits(), passes[0].GetBits());
        foreach (var pass in passes.Skip(1))
        {
            BitWords.And(hits.GetBits(), pass.GetBits());
        }

        Total += BitWords.Count(hits.GetBits(), words);
        var facets = segment!;
        var runs = facets.Runs;
        var perRun = runs is null ? null : System.Buffers.ArrayPool<int>.Shared.Rent(runs.Count);
        var perRunOf = (FixedBitSet?)null;
        for (var slot = 0; slot < facets.Dims.Length; slot++)
        {
            var basis = hits;
            var own = Array.FindIndex(filters, f => f.Slot == slot);
            if (own >= 0)
            {
                basis = pool.Copy(matches);
                for (var k = 0; k < passes.Length; k++)
                {
                    if (k != own)
                    {
                        BitWords.And(basis.GetBits(), passes[k].GetBits());
                    }
                }
            }

            if (runs is not null && runs.Counts(slot))
            {
                if (!ReferenceEquals(perRunOf, basis))
                {
                    runs.CountBits(basis.GetBits(), perRun!);
                    perRunOf = basis;
                }

                var at = Array.IndexOf(runs.Slots, slot);
                var ords = runs.Ords[at];
                if (!runs.Multi[at])
                {
                    // A run without a value of the dimension adds to the all-ones ord, which is never reported.
                    for (var r = 0; r < ords.Length; r++)
                    {
                        counts[(slot << 8) | ords[r]] += perRun![r];
                    }

                    continue;
                }

                for (var r = 0; r < ords.Length; r++)
                {
                    for (var mask = (uint)ords[r]; mask != 0; mask &= mask - 1)
                    {
                        counts[(slot << 8) | System.Numerics.BitOperations.TrailingZeroCount(mask)] += perRun![r];
                    }
                }

                continue;
            }

            var labels = facets.Labels[slot];
            for (var ord = 0; ord < labels.Length; ord++)
            {
                var values = ExactFilter.Bits(reader, new Term(facets.Dims[slot], labels[ord]));
                counts[(slot << 8) | ord] += BitWords.AndCount(basis.GetBits(), values.GetBits(), words);
            }
        }

        if (perRun is not null)
        {
            System.Buffers.ArrayPool<int>.Shared.Return(perRun);
        }

        counted = true;
        return hits;
    }

    /// <summary>The facet counts; call once, after the pass.</summary>
    public Dictionary<string, Dictionary<string, int>> Counts()
    {
        Flush();
        return totals;
    }

    /// <summary>Global document numbers of the hits from <paramref name="start"/>, best first.</summary>
    public int[] Hits(int start, int count) => top.Sorted().Skip(start).Take(count).ToArray();

    /// <summary>A float's order as a long (negative scores, which TF-IDF does not produce, still order correctly).</summary>
    private static long ScoreKey(float score)
    {
        var bits = BitConverter.SingleToInt32Bits(score);
        return bits < 0 ? bits ^ int.MaxValue : bits;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Count(int slot, ulong word)
    {
        var b = (int)(word >> shifts[slot]) & masks[slot];
        if (!multi[slot])
        {
            counts[(slot << 8) | b]++;
            return;
        }

        while (b != 0)
        {
            counts[(slot << 8) | System.Numerics.BitOperations.TrailingZeroCount(b)]++;
            b &= b - 1;
        }
    }

    /// <summary>Adds the current segment's per-ord counts to the totals by label (ords are per segment).</summary>
    private void Flush()
    {
        if (segment is not { } facets)
        {
            return;
        }

        for (var slot = 0; slot < facets.Dims.Length; slot++)
        {
            var from = (facets.Shifts[slot] >> 3) << 8;
            var inner = facets.Shifts[slot] & 7;
            var mask = facets.Masks[slot];
            for (var b = 0; b < 256; b++)
            {
                var count = byteCounts[from | b];
                if (count == 0)
                {
                    continue;
                }

                var value = (b >> inner) & mask;
                if (!facets.Multi[slot])
                {
                    counts[(slot << 8) | value] += count;
                    continue;
                }

                for (; value != 0; value &= value - 1)
                {
                    counts[(slot << 8) | System.Numerics.BitOperations.TrailingZeroCount(value)] += count;
                }
            }
        }

        for (var slot = 0; slot < facets.Dims.Length; slot++)
        {
            var labels = facets.Labels[slot];
            var total = totals[facets.Dims[slot]];
            for (var ord = 0; ord < labels.Length; ord++)
            {
                var count = counts[(slot << 8) | ord];
                if (count > 0)
                {
                    total[labels[ord]] = total.GetValueOrDefault(labels[ord]) + count;
                }
            }
        }

        Array.Clear(counts);
        Array.Clear(byteCounts);

        segment = null;
    }

    /// <summary>One filtered dimension: the accepted values of this segment as a 256-bit set of ords (or a bit mask).</summary>
    private sealed class Filter(string dim, int slot, IReadOnlyList<string> values)
    {
        private readonly ulong[] accepted = new ulong[4];
        private bool multi;
        private int shift;
        private int mask;

        public int Slot => slot;

        public void Bind(SegmentFacets segment)
        {
            Array.Clear(accepted);
            multi = segment.Multi[slot];
            shift = segment.Shifts[slot];
            mask = segment.Masks[slot];
            var labels = segment.Labels[slot];
            foreach (var value in values)
            {
                // A value no document of this segment has: no ord, nothing accepted for it.
                var ord = Array.IndexOf(labels, value);
                if (ord >= 0)
                {
                    accepted[ord >> 6] |= 1UL << (ord & 63);
                }
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public bool Accepts(ulong word)
        {
            var b = (int)(word >> shift) & mask;
            // Single-valued: the ord's bit (None, all ones, is never an accepted ord). Multi-valued: any of the document's values.
            return multi ? (b & (int)accepted[0]) != 0 : ((accepted[b >> 6] >> (b & 63)) & 1) != 0;
        }

        /// <summary>The documents having any of the values, from the cached term bit sets.</summary>
        public FixedBitSet Matching(AtomicReader reader, PooledBits pool)
        {
            if (values.Count == 1)
            {
                return ExactFilter.Bits(reader, new Term(dim, values[0]));
            }

            var any = pool.Rent();
            foreach (var value in values)
            {
                any.Or(ExactFilter.Bits(reader, new Term(dim, value)));
            }

            return any;
        }
    }

    /// <summary>The best <c>want</c> (key, document) pairs: a min-heap whose root is the worst kept hit.</summary>
    private sealed class TopHits(int want)
    {
        private readonly long[] keys = new long[Math.Max(want, 1)];
        private readonly int[] docs = new int[Math.Max(want, 1)];
        private int size;

        /// <summary>Whether a new hit has to beat the worst kept one.</summary>
        public bool Full => size == want && want > 0;

        /// <summary>The key of the worst kept hit; meaningful when <see cref="Full"/>.</summary>
        public long WorstKey => keys[0];

        /// <summary>The document of the worst kept hit; meaningful when <see cref="Full"/>.</summary>
        public int WorstDoc => docs[0];

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Offer(long key, int doc)
        {
            if (size < want)
            {
                keys[size] = key;
                docs[size] = doc;
                Up(size++);
            }
            else if (want > 0 && Better(key, doc, keys[0], docs[0]))
            {
                keys[0] = key;
                docs[0] = doc;
                Down(0);
            }
        }

        public IEnumerable<int> Sorted() =>
            Enumerable.Range(0, size).Select(i => (Key: keys[i], Doc: docs[i])).OrderByDescending(h => h.Key).ThenBy(h => h.Doc).Select(h => h.Doc);

        private static bool Better(long key, int doc, long otherKey, int otherDoc) => key > otherKey || (key == otherKey && doc < otherDoc);

        private void Up(int i)
        {
            while (i > 0)
            {
                var parent = (i - 1) / 2;
                if (!Better(keys[parent], docs[parent], keys[i], docs[i]))
                {
                    break;
                }

                Swap(i, parent);
                i = parent;
            }
        }

        private void Down(int i)
        {
            while (true)
            {
                var worst = i;
                var left = (2 * i) + 1;
                var right = left + 1;
                if (left < size && Better(keys[worst], docs[worst], keys[left], docs[left]))
                {
                    worst = left;
                }

                if (right < size && Better(keys[worst], docs[worst], keys[right], docs[right]))
                {
                    worst = right;
                }

                if (worst == i)
                {
                    return;
                }

                Swap(i, worst);
                i = worst;
            }
        }

        private void Swap(int a, int b)
        {
            (keys[a], keys[b]) = (keys[b], keys[a]);
            (docs[a], docs[b]) = (docs[b], docs[a]);
        }
    }
}

/// <summary>
/// A binary max-heap in place over a span of keys (the best-first order of groups): in the pooled array the keys are
/// already in, where PriorityQueue would copy them into arrays of its own for every segment searched.
/// </summary>
internal static class GroupHeap
{
    public static void Build(Span<long> heap)
    {
        for (var i = (heap.Length / 2) - 1; i >= 0; i--)
        {
            Down(heap, i);
        }
    }

    /// <summary>Removes and returns the largest key; the heap shrinks by one.</summary>
    public static long Pop(ref Span<long> heap)
    {
        var top = heap[0];
        heap[0] = heap[^1];
        heap = heap[..^1];
        Down(heap, 0);
        return top;
    }

    private static void Down(Span<long> heap, int i)
    {
        while (true)
        {
            var largest = i;
            var left = (2 * i) + 1;
            if (left < heap.Length && heap[left] > heap[largest])
            {
                largest = left;
            }

            if (left + 1 < heap.Length && heap[left + 1] > heap[largest])
            {
                largest = left + 1;
            }

            if (largest == i)
            {
                return;
            }

            (heap[i], heap[largest]) = (heap[largest], heap[i]);
            i = largest;
        }
    }
}

/// <summary>
/// Bit sets of one segment's size from the shared array pool, returned on dispose: allocated fresh (125 KB per million
/// documents) they land on the large object heap and every few searches cost a full collection.
/// </summary>
internal sealed class PooledBits(int maxDoc) : IDisposable
{
    private readonly List<long[]> rented = [];

    private int Words => FixedBitSet.Bits2words(maxDoc);

    /// <summary>An empty bit set.</summary>
    public FixedBitSet Rent()
    {
        var array = Take();
        Array.Clear(array, 0, Words);
        return new FixedBitSet(array, maxDoc);
    }

    public FixedBitSet Copy(FixedBitSet source)
    {
        // Overwritten whole: not cleared first (a pass over 125 KB per million documents saved).
        var array = Take();
        Array.Copy(source.GetBits(), array, Words);
        return new FixedBitSet(array, maxDoc);
    }

    /// <summary>The documents in both, in one pass.</summary>
    public FixedBitSet And(long[] a, long[] b)
    {
        var array = Take();
        BitWords.AndInto(array, a, b, Words);
        return new FixedBitSet(array, maxDoc);
    }

    /// <summary>A pooled array of at least the segment's words; those beyond are never read.</summary>
    private long[] Take()
    {
        var array = System.Buffers.ArrayPool<long>.Shared.Rent(Math.Max(Words, 1));
        rented.Add(array);
        return array;
    }

    public void Dispose()
    {
        foreach (var words in rented)
        {
            System.Buffers.ArrayPool<long>.Shared.Return(words);
        }

        rented.Clear();
    }
}

/// <summary>
/// One segment's facet values packed into one word per document: per dimension a bit field holding the value's ord
/// (all ones: none) or, for a multi-valued dimension with up to 8 values (a listing's transaction modes, an expert's
/// fields), a bit mask — so filtering and counting a document cost one memory read for all dimensions. The fields are
/// as narrow as the segment's values allow, so the seven dimensions fit 32 bits (4 MB per million documents instead
/// of 8: a search reads the words of its hits at scattered places, and a smaller array stays in cache more often);
/// a segment whose fields need more gets 64-bit words. Decoded once per segment core (segments are immutable).
/// </summary>
internal sealed class SegmentFacets
{
    // Lazy: concurrent first searches on a new segment wait for one decoding instead of each doing it.
    private static readonly ConditionalWeakTable<object, Lazy<SegmentFacets>> Cache = [];

    private readonly uint[]? narrow;
    private readonly ulong[]? wide;

    private SegmentFacets(ulong[] words, int bits, string[] dims, bool[] multi, int[] shifts, int[] masks, string[][] labels)
    {
        if (bits <= 32)
        {
            narrow = new uint[words.Length];
            for (var doc = 0; doc < words.Length; doc++)
            {
                narrow[doc] = (uint)words[doc];
            }
        }
        else
        {
            wide = words;
        }

        Dims = dims;
        Multi = multi;
        Shifts = shifts;
        Masks = masks;
        Labels = labels;
    }

    public string[] Dims { get; }

    public bool[] Multi { get; }

    /// <summary>Per dimension, where its field starts in the word and its width as a mask (at most 8 bits).</summary>
    public int[] Shifts { get; }

    public int[] Masks { get; }

    /// <summary>Per dimension, the value of each ord.</summary>
    public string[][] Labels { get; }

    /// <summary>Bytes held per document (4 or 8).</summary>
    public int WordBytes => narrow is null ? 8 : 4;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong Word(int doc) => narrow is { } n ? n[doc] : wide![doc];

    /// <summary>The words of <paramref name="count"/> documents, in a loop that does nothing else (see SearchPass.Visit).</summary>
    public void Gather(int[] docs, ulong[] target, int count)
    {
        if (narrow is { } n)
        {
            for (var k = 0; k < count; k++)
            {
                target[k] = n[docs[k]];
            }

            return;
        }

        var w = wide!;
        for (var k = 0; k < count; k++)
        {
            target[k] = w[docs[k]];
        }
    }

    public static SegmentFacets Of(AtomicReader reader) =>
        Cache.GetValue(reader.CoreCacheKey, _ => new Lazy<SegmentFacets>(() => Load(reader))).Value;

    private static SegmentFacets Load(AtomicReader reader)
    {
        var dims = IndexFields.Dimensions;
        if (dims.Length > 8)
        {
            throw new InvalidOperationException("At most 8 facet dimensions of up to 8 bits fit in one word per document.");
        }

        var multi = new bool[dims.Length];
        var labels = new string[dims.Length][];
        var shifts = new int[dims.Length];
        var masks = new int[dims.Length];
        var sources = new SortedSetDocValues?[dims.Length];
        var widths = new int[dims.Length];
        for (var slot = 0; slot < dims.Length; slot++)
        {
            labels[slot] = [];
            var values = sources[slot] = reader.GetSortedSetDocValues(dims[slot]);
            if (values is not null)
            {
                labels[slot] = new string[values.ValueCount];
                var term = new BytesRef();
                for (var ord = 0; ord < labels[slot].Length; ord++)
                {
                    values.LookupOrd(ord, term);
                    labels[slot][ord] = term.Utf8ToString();
                }

                for (var doc = 0; doc < reader.MaxDoc && !multi[slot]; doc++)
                {
                    values.SetDocument(doc);
                    multi[slot] = values.NextOrd() != SortedSetDocValues.NO_MORE_ORDS && values.NextOrd() != SortedSetDocValues.NO_MORE_ORDS;
                }
            }

            // A mask needs a bit per value; an ord needs room for every ord plus the all-ones "none".
            var width = multi[slot] ? labels[slot].Length : Math.Max(1, 32 - System.Numerics.BitOperations.LeadingZeroCount((uint)labels[slot].Length));
            if (width > 8)
            {
                throw new InvalidOperationException($"Facet dimension {dims[slot]} has too many values ({labels[slot].Length}) for 8 bits.");
            }

            widths[slot] = width;
            masks[slot] = (1 << width) - 1;
        }

        // Fields placed so that none crosses a byte (first fit, widest first): the search counts hits per byte.
        var used = new int[8];
        foreach (var slot in Enumerable.Range(0, dims.Length).OrderByDescending(s => widths[s]).ThenBy(s => s))
        {
            var b = Array.FindIndex(used, u => u + widths[slot] <= 8);
            shifts[slot] = (b * 8) + used[b];
            used[b] += widths[slot];
        }

        var bits = used.Count(u => u > 0) * 8;

        var words = new ulong[reader.MaxDoc];
        for (var slot = 0; slot < dims.Length; slot++)
        {
            var none = multi[slot] ? 0UL : (ulong)masks[slot];
            var values = sources[slot];
            for (var doc = 0; doc < reader.MaxDoc; doc++)
            {
                var b = none;
                if (values is not null)
                {
                    values.SetDocument(doc);
                    long ord;
                    while ((ord = values.NextOrd()) != SortedSetDocValues.NO_MORE_ORDS)
                    {
                        b = multi[slot] ? b | (1UL << (int)ord) : (ulong)ord;
                    }
                }

                words[doc] |= b << shifts[slot];
            }
        }

        return new SegmentFacets(words, bits, dims, multi, shifts, masks, labels) { Runs = FacetRuns.Find(words, dims, multi, shifts, masks, labels) };
    }

    /// <summary>The segment's runs of documents with equal leading values (see <see cref="FacetRuns"/>), or null.</summary>
    public FacetRuns? Runs { get; private init; }

    /// <summary>The value bit sets that counting from bit sets reads: those of the dimensions the runs do not count.</summary>
    public int BitSetValues => Labels.Where((_, slot) => Runs?.Counts(slot) != true).Sum(l => l.Length);
}

/// <summary>
/// Runs of consecutive documents that share their values of the leading dimensions in
/// <see cref="IndexFields.RunOrder"/> (field, then region, then type, ...). A rebuilt index adds its documents in that
/// order, so a large segment holds a few thousand runs, and a dimension's counts are then population counts over
/// ranges of the hits: one pass over the hits instead of one pass per value (34 regions alone were half of the value
/// bit sets a search streamed from memory). Found by looking, never assumed: any segment is counted correctly, and one
/// whose documents are not grouped this way (small, recent ones) simply has no runs.
/// </summary>
internal sealed class FacetRuns
{
    private FacetRuns(int[] starts, int[] slots, byte[][] ords, bool[] multi)
    {
        Starts = starts;
        Slots = slots;
        Ords = ords;
        Multi = multi;
    }

    /// <summary>First document of each run, then the segment's document count.</summary>
    public int[] Starts { get; }

    /// <summary>The dimensions (slots) the runs count, leading first.</summary>
    public int[] Slots { get; }

    /// <summary>
    /// Per counted slot, the value of each run as in the facet word: an ord (all ones of the field's width: none), or
    /// for a multi-valued dimension (an expert's fields) a bit mask.
    /// </summary>
    public byte[][] Ords { get; }

    /// <summary>Per counted slot, whether its values are bit masks.</summary>
    public bool[] Multi { get; }

    public int Count => Starts.Length - 1;

    public bool Counts(int slot) => Array.IndexOf(Slots, slot) >= 0;

    /// <summary>
    /// The longest leading part of the run order whose runs stay few (at most one per 16 documents) and pay for
    /// themselves, or null when not even the first dimension qualifies.
    /// </summary>
    public static FacetRuns? Find(ulong[] words, string[] dims, bool[] multi, int[] shifts, int[] masks, string[][] labels)
    {
        var maxDoc = words.Length;
        var mask = 0UL;
        var slots = new List<int>();
        var starts = new List<int>();
        foreach (var dim in IndexFields.RunOrder)
        {
            var slot = Array.IndexOf(dims, dim);
            if (slot < 0)
            {
                break;
            }

            var wider = mask | ((ulong)masks[slot] << shifts[slot]);
            var candidate = new List<int> { 0 };
            for (var doc = 1; doc < maxDoc && candidate.Count <= maxDoc / 16; doc++)
            {
                if (((words[doc] ^ words[doc - 1]) & wider) != 0)
                {
                    candidate.Add(doc);
                }
            }

            // Worth it while the runs a dimension adds cost less than the value bit sets it spares: a run costs about as
            // much as 16 words of one value's bit set (measured at 1M documents).
            if (maxDoc == 0 || candidate.Count > maxDoc / 16 || (candidate.Count - Math.Max(1, starts.Count)) * 16L > (long)labels[slot].Length * (maxDoc >> 6))
            {
                break;
            }

            mask = wider;
            slots.Add(slot);
            starts = candidate;
        }

        if (slots.Count == 0)
        {
            return null;
        }

        var ords = slots.Select(slot => starts.Select(doc => (byte)((words[doc] >> shifts[slot]) & (ulong)masks[slot])).ToArray()).ToArray();
        return new FacetRuns([.. starts, maxDoc], [.. slots], ords, [.. slots.Select(slot => multi[slot])]);
    }

    /// <summary>Per run, how many bits of <paramref name="bits"/> fall in it: one pass over the words, whatever the run count.</summary>
    public void CountBits(long[] bits, int[] perRun)
    {
        var before = 0;
        var word = 0;
        var previous = 0;
        for (var r = 1; r < Starts.Length; r++)
        {
            var end = Starts[r];
            for (; word < end >> 6; word++)
            {
                before += System.Numerics.BitOperations.PopCount((ulong)bits[word]);
            }

            var upTo = before + ((end & 63) == 0 ? 0 : System.Numerics.BitOperations.PopCount((ulong)bits[word] & ((1UL << (end & 63)) - 1)));
            perRun[r - 1] = upTo - previous;
            previous = upTo;
        }
    }
}
