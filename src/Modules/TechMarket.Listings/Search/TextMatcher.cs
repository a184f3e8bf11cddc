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

    private TextMatcher(IndexSearcher searcher, Word[] words)
    {
        this.searcher = searcher;
        this.words = words;
        var similarity = searcher.Similarity;
        fieldCoord = Enumerable.Range(0, Fields + 1).Select(i => similarity.Coord(i, Fields)).ToArray();
        WordCoord = words.Length == 1 ? 1f : similarity.Coord(words.Length, words.Length);
    }

    public float WordCoord { get; }

    /// <summary>Null when the text has no searchable word (only stop words or punctuation): no text query.</summary>
    public static TextMatcher? Create(IndexSearcher searcher, string text)
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

        var matcher = new TextMatcher(searcher, words.ToArray());
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
                var stats = clause.Terms.Select(term => (Collection: searcher.CollectionStatistics(term.Field), Term: searcher.TermStatistics(term, TermContext.Build(searcher.TopReaderContext, term)))).ToArray();
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
    public SegmentMatch? Match(AtomicReaderContext context, IBits accept, PooledBits pool, IntPool lists, bool withFreqs)
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
                var list = FieldList.Read(word.Clauses[c], context, accept, lists, withFreqs, searcher.Similarity);
                if (list is null)
                {
                    continue;
                }

                segment.Lists[w][c] = list;
                cost += list.Cost;
                matched = true;
                var bits = any.GetBits();
                for (var i = 0; i < list.Count; i++)
                {
                    var doc = list.Docs[i];
                    bits[doc >> 6] |= 1L << (doc & 63);
                }
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
                all.And(any);
            }
        }

        segment.Matches = all!;
        segment.SortWords();
        return segment;
    }

    private static readonly float[] TfTable = Enumerable.Range(0, 64).Select(f => (float)Math.Sqrt(f)).ToArray();

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
    }

    /// <summary>The documents (ascending) where one clause matches in one segment, with each term's frequency.</summary>
    internal sealed class FieldList
    {
        // Fields, not properties: read for every scored document.
        public int[] Docs = [];
        public int Count;

        /// <summary>Position of the next candidate: documents are scored in increasing order.</summary>
        public int At;

        /// <summary>Frequencies per term, in increasing cost order (the order Lucene sums their scores in).</summary>
        public int[][] Freqs = [];

        /// <summary>Per term, in the same order: its TF-IDF value; null when Lucene's scorers are used instead.</summary>
        public float[]? Values;

        /// <summary>The field's length norm per document, decoded (null: the field has no norms).</summary>
        public byte[]? Norms;

        public Similarity.SimScorer[] Scorers = [];

        /// <summary>Lucene's cost of the clause's scorer: a term's document frequency, a conjunction's lowest.</summary>
        public long Cost;

        public static FieldList? Read(Clause clause, AtomicReaderContext context, IBits accept, IntPool lists, bool withFreqs, Similarity similarity)
        {
            var terms = context.AtomicReader.GetTerms(clause.Field);
            if (terms is null)
            {
                return null;
            }

            var enums = new (DocsEnum Docs, int Index)[clause.Terms.Length];
            for (var t = 0; t < clause.Terms.Length; t++)
            {
                var termsEnum = terms.GetEnumerator();
                if (!termsEnum.SeekExact(clause.Terms[t].Bytes))
                {
                    return null;
                }

                enums[t] = (termsEnum.Docs(accept, null, withFreqs ? DocsFlags.FREQS : DocsFlags.NONE), t);
            }

            // Stable by cost, as Lucene's ConjunctionScorer orders its clauses: the rarest term leads.
            enums = enums.OrderBy(e => e.Docs.GetCost()).ThenBy(e => e.Index).ToArray();
            var lead = enums[0].Docs;
            var capacity = (int)Math.Min(lead.GetCost(), context.AtomicReader.MaxDoc);
            var list = new FieldList
            {
                Docs = lists.Rent(capacity),
                Freqs = withFreqs ? enums.Select(_ => lists.Rent(capacity)).ToArray() : [],
                Cost = lead.GetCost(),
            };
            list.Fill(enums.Select(e => e.Docs).ToArray(), withFreqs);
            if (withFreqs)
            {
                list.Scorers = enums.Select(e => similarity.GetSimScorer(clause.Weights[e.Index], context)).ToArray();
                if (clause.Values.Length > 0)
                {
                    list.Values = enums.Select(e => clause.Values[e.Index]).ToArray();
                    list.Norms = LengthNorms.Of(context.AtomicReader, clause.Field);
                    list.CheckAgainstLucene();
                }
            }

            return list;
        }

        /// <summary>One term's score as TFIDFSimScorer computes it: (tf × value) × decoded norm.</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public float Score(int t, int at, int doc)
        {
            var freq = Freqs[t][at];
            if (Values is not { } values)
            {
                return Scorers[t].Score(doc, freq);
            }

            var raw = Tf(freq) * values[t];
            return Norms is { } norms ? raw * LengthNorms.Decoded[norms[doc]] : raw;
        }

        private static float Tf(int freq) => freq < TfTable.Length ? TfTable[freq] : (float)Math.Sqrt(freq);

        /// <summary>
        /// The direct computation must give Lucene's score exactly; if a similarity ever computes it differently,
        /// the first document shows it and this list falls back to Lucene's scorers.
        /// </summary>
        private void CheckAgainstLucene()
        {
            if (Count == 0)
            {
                Values = null;
                return;
            }

            for (var t = 0; t < Scorers.Length; t++)
            {
                if (Score(t, 0, Docs[0]) != Scorers[t].Score(Docs[0], Freqs[t][0]))
                {
                    Values = null;
                    return;
                }
            }
        }

        private void Fill(DocsEnum[] enums, bool withFreqs)
        {
            var lead = enums[0];
            var doc = lead.NextDoc();
            while (doc != DocIdSetIterator.NO_MORE_DOCS)
            {
                var next = doc;
                for (var t = 1; t < enums.Length; t++)
                {
                    var other = enums[t];
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
                    doc = lead.Advance(next);
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
                    for (var t = 0; t < enums.Length; t++)
                    {
                        Freqs[t][Count] = enums[t].Freq;
                    }
                }

                Count++;
                doc = lead.NextDoc();
            }
        }
    }

    /// <summary>One segment's matches, and the per-document score of Lucene's query for any of them.</summary>
    internal sealed class SegmentMatch(TextMatcher matcher, int words)
    {
        private int[] order = [];

        public FieldList?[][] Lists { get; } = new FieldList?[words][];

        public long[] WordCosts { get; } = new long[words];

        public FixedBitSet Matches { get; set; } = null!;

        public void SortWords() =>
            order = Enumerable.Range(0, WordCosts.Length).OrderBy(w => WordCosts[w]).ThenBy(w => w).ToArray();

        /// <summary>The score of a matching document; call in increasing document order.</summary>
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

                    var docs = list.Docs;
                    var at = list.At;
                    var count = list.Count;
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
