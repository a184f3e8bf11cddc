using System.Runtime.CompilerServices;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Search.Similarities;
using Lucene.Net.Util;

namespace TechMarket.Listings.Search;

/// <summary>
/// Runs the text query of <see cref="SearchService.TextQuery"/> (every word required; per word title^4 | tags^2 |
/// body; within a field every term of the word) without Lucene's scorer tree, with the same matches and the same
/// scores. Matching reads each term's postings once, in a tight loop, into plain arrays (one list per word and field:
/// a leapfrog intersection of the word's terms) and combines the lists as bit sets; scores are computed afterwards,
/// and only for the documents that pass the filters. Lucene's own tree (conjunction, disjunction and term scorers,
/// several virtual calls and a heap per matching document) was most of a search's CPU time.
/// </summary>
/// <remarks>
/// Scores are Lucene's, not an approximation: each term's weight and per-document score come from the searcher's
/// <see cref="Similarity"/> (same statistics, same normalization as <see cref="IndexSearcher.CreateNormalizedWeight"/>
/// over the same query tree), and they are combined in the same order and precision as Lucene's
/// <c>ConjunctionScorer</c> (float sum, clauses by increasing cost, times coord) and <c>DisjunctionSumScorer</c>
/// (double sum, then float times coord). A test compares the ranking and scores with Lucene's on a generated index.
/// </remarks>
internal sealed class TextMatcher
{
    private const int Fields = 3;
    private readonly IndexSearcher searcher;
    private readonly Word[] words;
    private readonly float[] fieldCoord;
    private readonly DensePostings? dense;

    private TextMatcher(IndexSearcher searcher, Word[] words, DensePostings? dense)
    {
        this.searcher = searcher;
        this.words = words;
        this.dense = dense is { Enabled: true } ? dense : null;
        var similarity = searcher.Similarity;
        fieldCoord = Enumerable.Range(0, Fields + 1).Select(i => similarity.Coord(i, Fields)).ToArray();
        WordCoord = words.Length == 1 ? 1f : similarity.Coord(words.Length, words.Length);
    }

    public float WordCoord { get; }

    /// <summary>Null when the text has no searchable word (only stop words or punctuation): no text query.</summary>
    /// <param name="dense">Decoded postings of dense terms; null (or disabled) reads every term from the index.</param>
    public static TextMatcher? Create(IndexSearcher searcher, string text, DensePostings? dense = null)
    {
        var words = new List<Word>();
        foreach (var clauses in SearchService.TextClauses(text))
        {
            words.Add(new Word(clauses.Select(c => new Clause(c.Field, c.Boost, c.Terms.Select(t => new Term(c.Field, t)).ToArray())).ToArray()));
        }

        if (words.Count == 0)
        {
            return null;
        }

        var matcher = new TextMatcher(searcher, words.ToArray(), dense);
        matcher.Normalize();
        return matcher;
    }

    /// <summary>
    /// The weights as <see cref="IndexSearcher.CreateNormalizedWeight"/> computes them for the equivalent query: the sum
    /// of squared weights over the tree (a Boolean query multiplies its clauses' sum by its boost squared), the query
    /// norm from it, then each term normalized with the product of the boosts above it.
    /// </summary>
    private void Normalize()
    {
        var similarity = searcher.Similarity;
        var total = 0f;
        foreach (var word in words)
        {
            var wordSum = 0f;
            foreach (var clause in word.Clauses)
            {
                var single = clause.Terms.Length == 1;
                // A one-term clause is a TermQuery carrying the boost; a longer one is a Boolean query carrying it.
                var boost = single ? clause.Boost : 1f;
                clause.Contexts = clause.Terms.Select(term => TermContext.Build(searcher.TopReaderContext, term)).ToArray();
                var stats = clause.Terms.Select((term, t) => (Collection: searcher.CollectionStatistics(term.Field), Term: searcher.TermStatistics(term, clause.Contexts[t]))).ToArray();
                clause.Weights = stats.Select(s => similarity.ComputeWeight(boost, s.Collection, s.Term)).ToArray();
                clause.Idfs = similarity is TFIDFSimilarity tfIdf && ComputesLikeDefault(tfIdf) ? stats.Select(s => tfIdf.IdfExplain(s.Collection, s.Term).Value).ToArray() : null;
                if (single)
                {
                    wordSum += clause.Weights[0].GetValueForNormalization();
                }
                else
                {
                    var sum = 0f;
                    foreach (var weight in clause.Weights)
                    {
                        sum += weight.GetValueForNormalization();
                    }

                    sum *= clause.Boost * clause.Boost;
                    wordSum += sum;
                }
            }

            total += wordSum;
        }

        var norm = similarity.QueryNorm(total);
        if (float.IsInfinity(norm) || float.IsNaN(norm))
        {
            norm = 1f;
        }

        foreach (var clause in words.SelectMany(w => w.Clauses))
        {
            var single = clause.Terms.Length == 1;
            var topLevelBoost = single ? 1f : clause.Boost;
            foreach (var weight in clause.Weights)
            {
                weight.Normalize(norm, topLevelBoost);
            }

            // TF-IDF's term weight, as its IDFStats computes it: (idf × boost) × (norm × top-level boost) × idf.
            clause.Values = clause.Idfs is { } idfs
                ? idfs.Select(idf =>
                {
                    var queryWeight = idf * (single ? clause.Boost : 1f);
                    queryWeight *= norm * topLevelBoost;
                    return queryWeight * idf;
                }).ToArray()
                : [];
        }
    }

    /// <summary>
    /// The documents of one segment matching the text, among <paramref name="accept"/> (live documents of the kind),
    /// as a bit set from <paramref name="pool"/>; null when none can match. <paramref name="withFreqs"/>: needed to score.
    /// </summary>
    public SegmentMatch? Match(AtomicReaderContext context, FixedBitSet accept, PooledBits pool, IntPool lists, bool withFreqs)
    {
        var segment = new SegmentMatch(this, words.Length);
        FixedBitSet? all = null;
        for (var w = 0; w < words.Length; w++)
        {
            var word = words[w];
            var any = pool.Rent();
            var cost = 0L;
            var matched = false;
            segment.Lists[w] = new FieldList?[word.Clauses.Length];
            for (var c = 0; c < word.Clauses.Length; c++)
            {
                var list = FieldList.Read(word.Clauses[c], context, accept, pool, lists, dense, withFreqs, searcher.Similarity);
                if (list is null)
                {
                    continue;
                }

                segment.Lists[w][c] = list;
                cost += list.Cost;
                matched = true;
                if (list.Bits is { } denseBits)
                {
                    BitWords.Or(any.GetBits(), denseBits);
                    list.Marks = denseBits;
                    continue;
                }

                // The clause's documents as a bit set too when scoring: the block bounds count matched fields from it.
                var marks = withFreqs ? pool.Rent().GetBits() : null;
                var bits = any.GetBits();
                for (var i = 0; i < list.Count; i++)
                {
                    var doc = list.Docs[i];
                    bits[doc >> 6] |= 1L << (doc & 63);
                    if (marks is not null)
                    {
                        marks[doc >> 6] |= 1L << (doc & 63);
                    }
                }

                list.Marks = marks ?? [];
            }

            if (!matched)
            {
                return null;
            }

            segment.WordCosts[w] = cost;
            if (all is null)
            {
                all = any;
            }
            else
            {
                BitWords.And(all.GetBits(), any.GetBits());
            }
        }

        // Dense lists are the raw postings: restricted to the accepted documents here, as the sparse ones are by their
        // DocsEnum (the scores of accepted documents do not depend on it).
        BitWords.And(all!.GetBits(), accept.GetBits());
        segment.Matches = all;
        segment.SortWords();
        return segment;
    }

    private static readonly float[] TfTable = Enumerable.Range(0, 64).Select(f => (float)Math.Sqrt(f)).ToArray();

    /// <summary>TF-IDF's term frequency factor, as DefaultSimilarity computes it.</summary>
    internal static float Tf(int freq) => freq < TfTable.Length ? TfTable[freq] : (float)Math.Sqrt(freq);

    /// <summary>
    /// A bound on (tf × value) × norm for every document whose tf × norm is at most <paramref name="impact"/> (as
    /// float bits): the product in another order differs by a few roundings of 2^-24 each, so a margin of 2^-20 covers
    /// them.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float ImpactBound(int impact, float value) => BitConverter.Int32BitsToSingle(impact) * value * (1f + (1f / (1 << 20)));

    /// <summary>One document's tf × norm for a term, as float bits (what <see cref="ImpactBound"/> takes the maximum of).</summary>
    internal static int Impact(int freq, byte[]? norms, int doc) =>
        BitConverter.SingleToInt32Bits(Tf(freq) * (norms is null ? 1f : LengthNorms.Decoded[norms[doc]]));

    /// <summary>Whether tf and the norm decoding are DefaultSimilarity's, which the direct scoring assumes.</summary>
    private static bool ComputesLikeDefault(TFIDFSimilarity similarity) =>
        LengthNorms.DecodesLike(similarity) && Enumerable.Range(1, TfTable.Length - 1).All(f => similarity.Tf(f) == TfTable[f]);

    /// <summary>One word: its clause per field (title, tags, body).</summary>
    internal sealed record Word(Clause[] Clauses);

    /// <summary>One field of one word: every term required.</summary>
    internal sealed record Clause(string Field, float Boost, Term[] Terms)
    {
        public Similarity.SimWeight[] Weights { get; set; } = [];

        /// <summary>Each term's normalized weight (TF-IDF's "value"): a document's score is tf × value × norm.</summary>
        public float[] Values { get; set; } = [];

        public float[]? Idfs { get; set; }

        /// <summary>Per term, where it is in each segment's terms dictionary (looked up once, for the statistics).</summary>
        public TermContext[] Contexts { get; set; } = [];
    }

    /// <summary>
    /// The documents where one clause matches in one segment, with each term's frequency: either a list (ascending,
    /// <see cref="Docs"/>) read from the postings, or — when every term of the clause is dense — a bit set
    /// (<see cref="Bits"/>, not restricted to the accepted documents) with the frequencies read through cursors.
    /// </summary>
    internal sealed class FieldList
    {
        // Fields, not properties: read for every scored document.
        public int[] Docs = [];
        public int Count;

        /// <summary>Position of the next candidate: documents are scored in increasing order.</summary>
        public int At;

        /// <summary>Frequencies per term, in increasing cost order (the order Lucene sums their scores in).</summary>
        public int[][] Freqs = [];

        /// <summary>Dense clause: its documents (shared or pooled, never modify); null for a list.</summary>
        public long[]? Bits;

        /// <summary>Dense clause: per term, in cost order, its frequencies in document order.</summary>
        public DenseTerm.Cursor[] Cursors = [];

        /// <summary>
        /// Per term (cost order), per block of 64 documents: the highest frequency (0: none in the block) and the
        /// highest norm byte among the term's documents there; empty when not scoring.
        /// </summary>
        public byte[][] BlockFreqs = [];

        public byte[][] BlockNorms = [];

        /// <summary>The same per 8 blocks (512 documents).</summary>
        public byte[][] SuperFreqs = [];

        public byte[][] SuperNorms = [];

        /// <summary>
        /// Per term and block (and per 8 blocks): the highest tf × norm of one document there, as the float's bits
        /// (non-negative floats order as their bits). Tighter than the highest tf with the highest norm, which may
        /// belong to two different documents; <see cref="Bound"/> takes the lower of the two.
        /// </summary>
        public int[][] BlockImpacts = [];

        public int[][] SuperImpacts = [];

        /// <summary>Per term, in the same order: its TF-IDF value; null when Lucene's scorers are used instead.</summary>
        public float[]? Values;

        /// <summary>The field's length norm per document, decoded (null: the field has no norms).</summary>
        public byte[]? Norms;

        public Similarity.SimScorer[] Scorers = [];

        /// <summary>Lucene's cost of the clause's scorer: a term's document frequency, a conjunction's lowest.</summary>
        public long Cost;

        public int MaxDoc;

        public static FieldList? Read(Clause clause, AtomicReaderContext context, FixedBitSet accept, PooledBits pool, IntPool lists, DensePostings? dense, bool withFreqs, Similarity similarity)
        {
            var reader = context.AtomicReader;
            var terms = reader.GetTerms(clause.Field);
            if (terms is null)
            {
                return null;
            }

            var sources = new Source[clause.Terms.Length];
            TermsEnum? termsEnum = null;
            for (var t = 0; t < clause.Terms.Length; t++)
            {
                // Positioned from the state found when the statistics were gathered: no second dictionary lookup. One
                // enumerator serves the clause's terms (a postings enumerator does not depend on its position).
                if (clause.Contexts[t].Get(context.Ord) is not { } state)
                {
                    return null;
                }

                termsEnum ??= terms.GetEnumerator();
                termsEnum.SeekExact(clause.Terms[t].Bytes, state);

                // Lucene's cost of a term's postings is its document frequency (the same with or without deletions).
                sources[t] = dense is not null && dense.IsDense(termsEnum.DocFreq, reader.MaxDoc)
                    ? new Source(t, termsEnum.DocFreq, null, dense.Get(reader, clause.Field, termsEnum))
                    : new Source(t, termsEnum.DocFreq, termsEnum.Docs(accept, null, withFreqs ? DocsFlags.FREQS : DocsFlags.NONE), null);
            }

            // Stable by cost, as Lucene's ConjunctionScorer orders its clauses: the rarest term leads.
            sources = sources.OrderBy(s => s.Cost).ThenBy(s => s.Index).ToArray();
            var list = new FieldList { Cost = sources[0].Cost, MaxDoc = reader.MaxDoc };
            if (sources[0].Dense is not null)
            {
                // A dense term is never rarer than a sparse one, so a dense lead means every term is dense.
                list.Bits = sources[0].Dense!.Bits;
                if (sources.Length > 1)
                {
                    var both = pool.And(list.Bits, sources[1].Dense!.Bits).GetBits();
                    foreach (var other in sources.Skip(2))
                    {
                        BitWords.And(both, other.Dense!.Bits);
                    }

                    list.Bits = both;
                }

                list.Cursors = withFreqs ? sources.Select(s => new DenseTerm.Cursor(s.Dense!)).ToArray() : [];
                list.BlockFreqs = withFreqs ? sources.Select(s => s.Dense!.BlockFreq).ToArray() : [];
                list.BlockNorms = withFreqs ? sources.Select(s => s.Dense!.BlockNorm).ToArray() : [];
                list.SuperFreqs = withFreqs ? sources.Select(s => s.Dense!.SuperFreq).ToArray() : [];
                list.SuperNorms = withFreqs ? sources.Select(s => s.Dense!.SuperNorm).ToArray() : [];
                list.BlockImpacts = withFreqs ? sources.Select(s => s.Dense!.BlockImpact).ToArray() : [];
                list.SuperImpacts = withFreqs ? sources.Select(s => s.Dense!.SuperImpact).ToArray() : [];
            }
            else
            {
                var capacity = (int)Math.Min(list.Cost, reader.MaxDoc);
                list.Docs = lists.Rent(capacity);
                list.Freqs = withFreqs ? sources.Select(_ => lists.Rent(capacity)).ToArray() : [];
                list.Fill(sources, withFreqs);
            }

            if (withFreqs)
            {
                list.Scorers = sources.Select(s => similarity.GetSimScorer(clause.Weights[s.Index], context)).ToArray();
                if (clause.Values.Length > 0)
                {
                    list.Values = sources.Select(s => clause.Values[s.Index]).ToArray();
                    list.Norms = LengthNorms.Of(reader, clause.Field);
                    list.CheckAgainstLucene();
                    if (list.Bits is null)
                    {
                        list.FillBlocks(lists);
                    }
                }
            }

            return list;
        }

        /// <summary>Whether the clause has a document in block <paramref name="block"/> among <paramref name="docs"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public bool Present(int block, long docs) => (Marks[block] & docs) != 0;

        /// <summary>The clause's documents as a bit set (the dense bits, or the list's documents); empty when not scoring.</summary>
        public long[] Marks = [];

        /// <summary>The highest score term <paramref name="t"/> can give a document of the block (see <see cref="TermBound"/>).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public float Bound(int t, int block) => TermBound(BlockFreqs[t][block], BlockNorms[t][block], BlockImpacts[t][block], Values![t]);

        /// <summary>
        /// The lower of two bounds on a term's score over some documents: the score computed in the same order and
        /// precision as <see cref="Score"/> from their highest frequency and highest norm (float rounding is monotonic,
        /// so no document's score exceeds it; exact when both are one document's, so equal scores still tie with it),
        /// and the highest single-document tf × norm with a margin for rounding (<see cref="ImpactBound"/>).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private float TermBound(byte freq, byte norm, int impact, float value)
        {
            var byImpact = ImpactBound(impact, value);
            if (freq == byte.MaxValue)
            {
                return byImpact;
            }

            var raw = Tf(freq) * value;
            return Math.Min(Norms is not null ? raw * LengthNorms.Decoded[norm] : raw, byImpact);
        }

        /// <summary>
        /// Per group of 512 documents (8 blocks), the clause's bound as <see cref="Bound"/> computes it for one block:
        /// term by term in the same order and precision; NaN for a group where a term has no document (the clause
        /// cannot match there).
        /// </summary>
        public void SuperClauseBounds(Span<float> clause)
        {
            var groups = clause.Length;
            clause.Clear();
            for (var t = 0; t < SuperFreqs.Length; t++)
            {
                var freqs = SuperFreqs[t];
                var norms = SuperNorms[t];
                var impacts = SuperImpacts[t];
                var value = Values![t];
                for (var g = 0; g < groups; g++)
                {
                    clause[g] += freqs[g] == 0 ? float.NaN : TermBound(freqs[g], norms[g], impacts[g], value);
                }
            }
        }

        /// <summary>The block maxima of a list (dense terms carry theirs, computed once per segment).</summary>
        private void FillBlocks(IntPool pool)
        {
            var blocks = FixedBitSet.Bits2words(MaxDoc);
            var norm = new byte[blocks];
            BlockFreqs = new byte[Freqs.Length][];
            BlockImpacts = new int[Freqs.Length][];
            for (var t = 0; t < Freqs.Length; t++)
            {
                var max = BlockFreqs[t] = new byte[blocks];
                var impacts = BlockImpacts[t] = pool.Rent(blocks);
                Array.Clear(impacts, 0, blocks);
                var freqs = Freqs[t];
                for (var i = 0; i < Count; i++)
                {
                    var doc = Docs[i];
                    var block = doc >> 6;
                    max[block] = (byte)Math.Max(max[block], Math.Min(freqs[i], byte.MaxValue));
                    impacts[block] = Math.Max(impacts[block], Impact(freqs[i], Norms, doc));
                }
            }

            SuperImpacts = BlockImpacts.Select(b => Blocks.Super<int>(b.AsSpan(0, blocks))).ToArray();

            if (Norms is { } norms)
            {
                for (var i = 0; i < Count; i++)
                {
                    var doc = Docs[i];
                    norm[doc >> 6] = Math.Max(norm[doc >> 6], norms[doc]);
                }
            }

            BlockNorms = Enumerable.Repeat(norm, Freqs.Length).ToArray();
            SuperFreqs = BlockFreqs.Select(b => Blocks.Super<byte>(b)).ToArray();
            var superNorm = Blocks.Super<byte>(norm);
            SuperNorms = Enumerable.Repeat(superNorm, Freqs.Length).ToArray();
        }

        /// <summary>Whether a dense clause holds the document (a list is walked with <see cref="At"/> instead).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public bool Holds(int doc) => ((Bits![doc >> 6] >> (doc & 63)) & 1) != 0;

        /// <summary>One term's score as TFIDFSimScorer computes it: (tf × value) × decoded norm.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public float Score(int t, int at, int doc)
        {
            var freq = Bits is null ? Freqs[t][at] : Cursors[t].Freq(doc);
            if (Values is not { } values)
            {
                return Scorers[t].Score(doc, freq);
            }

            var raw = Tf(freq) * values[t];
            return Norms is { } norms ? raw * LengthNorms.Decoded[norms[doc]] : raw;
        }

        private static float Tf(int freq) => TextMatcher.Tf(freq);

        /// <summary>
        /// The direct computation must give Lucene's score exactly; if a similarity ever computes it differently,
        /// the first document shows it and this list falls back to Lucene's scorers.
        /// </summary>
        private void CheckAgainstLucene()
        {
            var first = Bits is null ? (Count == 0 ? -1 : Docs[0]) : BitWords.First(Bits, FixedBitSet.Bits2words(MaxDoc));
            if (first < 0)
            {
                Values = null;
                return;
            }

            for (var t = 0; t < Scorers.Length; t++)
            {
                // Separate cursors: the ones for scoring must start at the beginning.
                var freq = Bits is null ? Freqs[t][0] : new DenseTerm.Cursor(Cursors[t].Term).Freq(first);
                var raw = Tf(freq) * Values![t];
                var direct = Norms is { } norms ? raw * LengthNorms.Decoded[norms[first]] : raw;
                if (direct != Scorers[t].Score(first, freq))
                {
                    Values = null;
                    return;
                }
            }
        }

        /// <summary>
        /// A leapfrog intersection led by the rarest term (always read from the postings); other sparse terms advance
        /// their postings, dense ones are bit tests.
        /// </summary>
        private void Fill(Source[] sources, bool withFreqs)
        {
            var lead = sources[0].Docs!;
            var cursors = sources.Select(s => s.Dense is { } d ? new DenseTerm.Cursor(d) : null).ToArray();
            var doc = lead.NextDoc();
            while (doc != DocIdSetIterator.NO_MORE_DOCS)
            {
                var next = doc;
                for (var t = 1; t < sources.Length; t++)
                {
                    if (sources[t].Dense is { } denseTerm)
                    {
                        if (((denseTerm.Bits[doc >> 6] >> (doc & 63)) & 1) == 0)
                        {
                            next = doc + 1;
                            break;
                        }

                        continue;
                    }

                    var other = sources[t].Docs!;
                    var at = other.DocID;
                    if (at < doc)
                    {
                        at = other.Advance(doc);
                    }

                    if (at > doc)
                    {
                        next = at;
                        break;
                    }
                }

                if (next != doc)
                {
                    doc = next == doc + 1 ? lead.NextDoc() : lead.Advance(next);
                    continue;
                }

                if (Count == Docs.Length)
                {
                    // The capacity is the lead's document frequency (deleted and unaccepted documents only shrink it).
                    throw new InvalidOperationException("More matches than the rarest term's document frequency.");
                }

                Docs[Count] = doc;
                if (withFreqs)
                {
                    for (var t = 0; t < sources.Length; t++)
                    {
                        Freqs[t][Count] = cursors[t] is { } cursor ? cursor.Freq(doc) : sources[t].Docs!.Freq;
                    }
                }

                Count++;
                doc = lead.NextDoc();
            }
        }

        /// <summary>One term of the clause: its postings, or its decoded dense postings.</summary>
        private sealed record Source(int Index, long Cost, DocsEnum? Docs, DenseTerm? Dense);
    }

    /// <summary>One segment's matches, and the per-document score of Lucene's query for any of them.</summary>
    internal sealed class SegmentMatch(TextMatcher matcher, int words)
    {
        private int[] order = [];

        public FieldList?[][] Lists { get; } = new FieldList?[words][];

        public long[] WordCosts { get; } = new long[words];

        public FixedBitSet Matches { get; set; } = null!;

        /// <summary>Per word, the document bit sets of its fields that match somewhere (for <see cref="MostMatched"/>).</summary>
        private long[][][] marks = [];

        /// <summary>Call once the lists are read.</summary>
        public void SortWords()
        {
            order = Enumerable.Range(0, WordCosts.Length).OrderBy(w => WordCosts[w]).ThenBy(w => w).ToArray();
            marks = Lists.Select(fields => fields.OfType<FieldList>().Select(l => l.Marks).ToArray()).ToArray();
        }

        /// <summary>Whether <see cref="Bound"/> is valid: every term scored directly, norms decoding monotonically.</summary>
        public bool CanBound => LengthNorms.Monotonic && Lists.All(fields => fields.All(l => l is null || (l.Values is not null && l.BlockFreqs.Length > 0)));

        /// <summary>
        /// No hit of block <paramref name="block"/> (64 documents) scores above this: <see cref="Score"/> with each
        /// term's block maximum, and as many fields matched as one hit there matches at most (coord only grows).
        /// </summary>
        public float Bound(int block, long[] hits)
        {
            var sum = 0f;
            foreach (var w in order)
            {
                var fieldSum = 0d;
                var present = 0;
                foreach (var list in Lists[w])
                {
                    if (list is null || !list.Present(block, hits[block]))
                    {
                        continue;
                    }

                    var clause = 0f;
                    for (var t = 0; t < list.BlockFreqs.Length; t++)
                    {
                        clause += list.Bound(t, block);
                    }

                    fieldSum += clause;
                    present++;
                }

                sum += (float)fieldSum * matcher.fieldCoord[MostMatched(marks[w], hits, block, block + 1, present)];
            }

            return sum * matcher.WordCoord;
        }

        /// <summary>
        /// <see cref="Bound"/> of every group of 512 documents (8 blocks), computed over arrays (a pass per clause and term
        /// instead of a call per group): the same operations in the same order for each group, so the same floats.
        /// </summary>
        public void SuperBounds(long[] hits, int words, float[] bounds)
        {
            var groups = (words + Blocks.PerSuper - 1) / Blocks.PerSuper;
            // On the stack up to 1M documents per segment (about 30 KB): pooled, two arrays of one size were not reused.
            const int OnStack = 2048;
            var fieldSums = groups <= OnStack ? stackalloc double[groups] : new double[groups];
            var present = groups <= OnStack ? stackalloc int[groups] : new int[groups];
            var clause = groups <= OnStack ? stackalloc float[groups] : new float[groups];
            Array.Clear(bounds, 0, groups);
            foreach (var w in order)
            {
                fieldSums.Clear();
                present.Clear();
                foreach (var list in Lists[w])
                {
                    if (list is null)
                    {
                        continue;
                    }

                    list.SuperClauseBounds(clause);
                    for (var g = 0; g < groups; g++)
                    {
                        if (!float.IsNaN(clause[g]))
                        {
                            fieldSums[g] += clause[g];
                            present[g]++;
                        }
                    }
                }

                for (var g = 0; g < groups; g++)
                {
                    bounds[g] += (float)fieldSums[g] * matcher.fieldCoord[MostMatched(marks[w], hits, g * Blocks.PerSuper, Math.Min(words, (g + 1) * Blocks.PerSuper), present[g])];
                }
            }

            for (var g = 0; g < groups; g++)
            {
                bounds[g] *= matcher.WordCoord;
            }
        }

        /// <summary>
        /// At most how many of a word's fields (up to the <paramref name="present"/> ones) one hit among words
        /// [<paramref name="from"/>, <paramref name="to"/>) matches, counted per document with bit operations: a document
        /// matching one field of three scores at most a third of one matching all three, so most blocks and groups fall
        /// far below the top hits.
        /// </summary>
        private static int MostMatched(long[][] fields, long[] hits, int from, int to, int present)
        {
            if (present <= 1 || fields.Length is <= 1 or > 3)
            {
                // Nothing to narrow, or more fields than counted below: the present ones are an upper bound.
                return Math.Min(present, fields.Length);
            }

            long one = 0, two = 0, three = 0;
            if (fields.Length == 2)
            {
                var (x, y) = (fields[0], fields[1]);
                for (var i = from; i < to; i++)
                {
                    long a = x[i] & hits[i], b = y[i] & hits[i];
                    one |= a | b;
                    two |= a & b;
                }
            }
            else
            {
                // Three fields (title, tags, body): a document is in "two" when in any two, in "three" when in all.
                var (x, y, z) = (fields[0], fields[1], fields[2]);
                for (var i = from; i < to; i++)
                {
                    long a = x[i] & hits[i], b = y[i] & hits[i], c = z[i] & hits[i];
                    one |= a | b | c;
                    two |= (a & b) | (a & c) | (b & c);
                    three |= a & b & c;
                }
            }

            return Math.Min(present, three != 0 ? 3 : two != 0 ? 2 : one != 0 ? 1 : 0);
        }

        /// <summary>The score of a matching document (fastest in increasing document order).</summary>
        public float Score(int doc)
        {
            var sum = 0f;
            foreach (var w in order)
            {
                var fieldSum = 0d;
                var matched = 0;
                foreach (var list in Lists[w])
                {
                    if (list is null)
                    {
                        continue;
                    }

                    if (list.Bits is not null)
                    {
                        if (!list.Holds(doc))
                        {
                            continue;
                        }

                        var denseClause = 0f;
                        for (var t = 0; t < list.Cursors.Length; t++)
                        {
                            denseClause += list.Score(t, 0, doc);
                        }

                        fieldSum += denseClause;
                        matched++;
                        continue;
                    }

                    var docs = list.Docs;
                    var at = list.At;
                    var count = list.Count;
                    if ((at > 0 && docs[at - 1] >= doc) || (at < count && docs[at] < doc - 64))
                    {
                        // Back, or far ahead: the best-first search scores groups out of order.
                        at = Array.BinarySearch(docs, 0, count, doc);
                        at = at < 0 ? ~at : at;
                    }

                    while (at < count && docs[at] < doc)
                    {
                        at++;
                    }

                    list.At = at;
                    if (at == count || docs[at] != doc)
                    {
                        continue;
                    }

                    // ConjunctionScorer: a float sum in cost order (times a coord of 1).
                    var clause = 0f;
                    for (var t = 0; t < list.Freqs.Length; t++)
                    {
                        clause += list.Score(t, at, doc);
                    }

                    fieldSum += clause;
                    matched++;
                }

                // DisjunctionSumScorer: a double sum, then the float times coord(matched, 3).
                sum += (float)fieldSum * matcher.fieldCoord[matched];
            }

            return sum * matcher.WordCoord;
        }
    }
}

/// <summary>
/// A field's length norms per document, decoded once per segment core into a byte array (instead of a packed read
/// from the index file per scored document), and the similarity's table from a norm byte to its float.
/// </summary>
internal static class LengthNorms
{
    private static readonly ConditionalWeakTable<object, Dictionary<string, byte[]?>> Cache = [];

    public static readonly float[] Decoded = Enumerable.Range(0, 256).Select(b => new DefaultSimilarity().DecodeNormValue(b)).ToArray();

    /// <summary>A higher norm byte decodes to a higher (or equal) norm: what the block score bounds rely on.</summary>
    public static readonly bool Monotonic = Enumerable.Range(1, 255).All(b => Decoded[b] >= Decoded[b - 1]);

    public static bool DecodesLike(TFIDFSimilarity similarity) => Enumerable.Range(0, 256).All(b => similarity.DecodeNormValue(b) == Decoded[b]);

    public static byte[]? Of(AtomicReader reader, string field)
    {
        var all = Cache.GetValue(reader.CoreCacheKey, _ => []);
        lock (all)
        {
            if (all.TryGetValue(field, out var cached))
            {
                return cached;
            }

            byte[]? norms = null;
            if (reader.GetNormValues(field) is { } values)
            {
                norms = new byte[reader.MaxDoc];
                for (var doc = 0; doc < norms.Length; doc++)
                {
                    norms[doc] = (byte)values.Get(doc);
                }
            }

            all[field] = norms;
            return norms;
        }
    }
}

/// <summary>Integer arrays from the shared pool for one search, returned on dispose.</summary>
internal sealed class IntPool : IDisposable
{
    private readonly List<int[]> rented = [];

    public int[] Rent(int length)
    {
        var array = System.Buffers.ArrayPool<int>.Shared.Rent(Math.Max(length, 1));
        rented.Add(array);
        return array;
    }

    public void Dispose()
    {
        foreach (var array in rented)
        {
            System.Buffers.ArrayPool<int>.Shared.Return(array);
        }

        rented.Clear();
    }
}

/// <summary>Whole-word operations on bit sets of one segment (same length), vectorized.</summary>
internal static class BitWords
{
    /// <summary>ORs the words both arrays have (pooled arrays may be longer than the segment; the rest is never read).</summary>
    public static void Or(long[] target, long[] other)
    {
        var length = Math.Min(target.Length, other.Length);
        var t = System.Runtime.InteropServices.MemoryMarshal.Cast<long, System.Numerics.Vector<long>>(target.AsSpan(0, length));
        var o = System.Runtime.InteropServices.MemoryMarshal.Cast<long, System.Numerics.Vector<long>>(other.AsSpan(0, length));
        for (var i = 0; i < t.Length; i++)
        {
            t[i] |= o[i];
        }

        for (var i = t.Length * System.Numerics.Vector<long>.Count; i < length; i++)
        {
            target[i] |= other[i];
        }
    }

    /// <summary>ANDs the words both arrays have (pooled arrays may be longer than the segment; the rest is never read).</summary>
    public static void And(long[] target, long[] other)
    {
        var length = Math.Min(target.Length, other.Length);
        var t = System.Runtime.InteropServices.MemoryMarshal.Cast<long, System.Numerics.Vector<long>>(target.AsSpan(0, length));
        var o = System.Runtime.InteropServices.MemoryMarshal.Cast<long, System.Numerics.Vector<long>>(other.AsSpan(0, length));
        for (var i = 0; i < t.Length; i++)
        {
            t[i] &= o[i];
        }

        for (var i = t.Length * System.Numerics.Vector<long>.Count; i < length; i++)
        {
            target[i] &= other[i];
        }
    }

    /// <summary>Writes a AND b into the first <paramref name="words"/> words of <paramref name="target"/>.</summary>
    public static void AndInto(long[] target, long[] a, long[] b, int words)
    {
        var t = System.Runtime.InteropServices.MemoryMarshal.Cast<long, System.Numerics.Vector<long>>(target.AsSpan(0, words));
        var x = System.Runtime.InteropServices.MemoryMarshal.Cast<long, System.Numerics.Vector<long>>(a.AsSpan(0, words));
        var y = System.Runtime.InteropServices.MemoryMarshal.Cast<long, System.Numerics.Vector<long>>(b.AsSpan(0, words));
        for (var i = 0; i < t.Length; i++)
        {
            t[i] = x[i] & y[i];
        }

        for (var i = t.Length * System.Numerics.Vector<long>.Count; i < words; i++)
        {
            target[i] = a[i] & b[i];
        }
    }

    /// <summary>
    /// The number of set bits among the first <paramref name="words"/> words. Not Lucene's FixedBitSet.Cardinality or
    /// IntersectionCount: they count the whole array, and pooled arrays are longer than the segment.
    /// </summary>
    public static int Count(long[] bits, int words)
    {
        var count = 0;
        for (var i = 0; i < words; i++)
        {
            count += System.Numerics.BitOperations.PopCount((ulong)bits[i]);
        }

        return count;
    }

    /// <summary>The number of bits set in both, among the first <paramref name="words"/> words.</summary>
    public static int AndCount(long[] a, long[] b, int words)
    {
        // Four sums: the population counts of consecutive words do not wait for each other.
        int c0 = 0, c1 = 0, c2 = 0, c3 = 0, i = 0;
        var x = a.AsSpan(0, words);
        var y = b.AsSpan(0, words);
        for (; i + 4 <= words; i += 4)
        {
            c0 += System.Numerics.BitOperations.PopCount((ulong)(x[i] & y[i]));
            c1 += System.Numerics.BitOperations.PopCount((ulong)(x[i + 1] & y[i + 1]));
            c2 += System.Numerics.BitOperations.PopCount((ulong)(x[i + 2] & y[i + 2]));
            c3 += System.Numerics.BitOperations.PopCount((ulong)(x[i + 3] & y[i + 3]));
        }

        for (; i < words; i++)
        {
            c0 += System.Numerics.BitOperations.PopCount((ulong)(x[i] & y[i]));
        }

        return c0 + c1 + c2 + c3;
    }

    /// <summary>The lowest set bit among the first <paramref name="words"/> words, or -1.</summary>
    public static int First(long[] bits, int words)
    {
        for (var i = 0; i < words; i++)
        {
            if (bits[i] != 0)
            {
                return (i << 6) + System.Numerics.BitOperations.TrailingZeroCount(bits[i]);
            }
        }

        return -1;
    }
}
