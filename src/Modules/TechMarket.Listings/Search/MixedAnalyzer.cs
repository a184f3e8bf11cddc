using System.Text.RegularExpressions;
using Lucene.Net.Analysis;
using Lucene.Net.Analysis.Cjk;
using Lucene.Net.Analysis.Core;
using Lucene.Net.Analysis.En;
using Lucene.Net.Analysis.Pattern;
using Lucene.Net.Analysis.Standard;
using Lucene.Net.Util;

namespace TechMarket.Listings.Search;

/// <summary>
/// Chinese and English in the same field. StandardTokenizer (UAX#29) splits Latin words and emits each Han character
/// alone; CJKBigramFilter joins neighbouring Han characters into overlapping bigrams ("锂电池" → 锂电, 电池); Latin
/// tokens are lower-cased, stop words dropped and Porter-stemmed ("batteries" → batteri). Whitespace between two Han
/// characters is removed first, so "深度 学习" and "深度学习" analyse the same.
/// </summary>
public sealed partial class MixedAnalyzer : Analyzer
{
    public const LuceneVersion Version = LuceneVersion.LUCENE_48;

    private readonly bool unigrams;
    private readonly bool joinHanGaps;
    private readonly MixedAnalyzer? withoutGaps;

    /// <param name="indexUnigrams">
    /// The index keeps single characters too, so a one-character query ("锂") still finds "锂电池"; queries use bigrams
    /// only (a lone character stays a unigram), which keeps multi-character queries precise.
    /// </param>
    public MixedAnalyzer(bool indexUnigrams)
        : this(indexUnigrams, joinHanGaps: true)
    {
    }

    private MixedAnalyzer(bool indexUnigrams, bool joinHanGaps)
    {
        unigrams = indexUnigrams;
        this.joinHanGaps = joinHanGaps;
        withoutGaps = joinHanGaps ? new MixedAnalyzer(indexUnigrams, joinHanGaps: false) : null;
    }

    protected override TokenStreamComponents CreateComponents(string fieldName, TextReader reader)
    {
        var tokenizer = new StandardTokenizer(Version, reader);
        TokenStream stream = new CJKWidthFilter(tokenizer);
        stream = new AsciiFastLowerCaseFilter(stream);
        stream = new CJKBigramFilter(stream, CJKScript.HAN | CJKScript.HIRAGANA | CJKScript.KATAKANA | CJKScript.HANGUL, unigrams);
        stream = new StopFilter(Version, stream, EnglishAnalyzer.DefaultStopSet);
        stream = new PorterStemFilter(stream);
        return new TokenStreamComponents(tokenizer, stream);
    }

    protected override TextReader InitReader(string fieldName, TextReader reader) =>
        joinHanGaps ? new PatternReplaceCharFilter(HanGap(), "", reader) : reader;

    /// <summary>The analysed terms of a text, in order (used by highlighting and tests).</summary>
    public IReadOnlyList<(string Term, int Start, int End)> Tokens(string text)
    {
        var result = new List<(string, int, int)>();
        using var stream = GetTokenStream("body", text);
        var term = stream.AddAttribute<Lucene.Net.Analysis.TokenAttributes.ICharTermAttribute>();
        var offsets = stream.AddAttribute<Lucene.Net.Analysis.TokenAttributes.IOffsetAttribute>();
        stream.Reset();
        while (stream.IncrementToken())
        {
            result.Add((term.ToString(), offsets.StartOffset, offsets.EndOffset));
        }

        stream.End();
        return result;
    }

    /// <summary>
    /// Where the analysed terms of <paramref name="text"/> that are among <paramref name="terms"/> occur, as character
    /// ranges with overlapping ones merged (highlighting the shown hits of every search). Allocates no string per
    /// token (the term buffer is looked up as a span), and text without whitespace between Han characters — nearly
    /// all — skips the character filter that joins them, which copies the whole text.
    /// </summary>
    public List<(int Start, int End)> Matches(string text, HashSet<string> terms)
    {
        var ranges = new List<(int Start, int End)>();
        if (terms.Count == 0 || text.Length == 0)
        {
            return ranges;
        }

        var gap = HanGap().IsMatch(text);
        if (!gap && terms.All(IsHanBigram))
        {
            return HanBigramMatches(text, terms);
        }

        var lookup = terms.GetAlternateLookup<ReadOnlySpan<char>>();
        var analyzer = withoutGaps is null || gap ? this : withoutGaps;
        using var stream = analyzer.GetTokenStream("body", text);
        var term = stream.AddAttribute<Lucene.Net.Analysis.TokenAttributes.ICharTermAttribute>();
        var offsets = stream.AddAttribute<Lucene.Net.Analysis.TokenAttributes.IOffsetAttribute>();
        stream.Reset();
        while (stream.IncrementToken())
        {
            var (start, end) = (offsets.StartOffset, offsets.EndOffset);
            if (end > text.Length || !lookup.Contains(term.Buffer.AsSpan(0, term.Length)))
            {
                continue;
            }

            AddMerged(ranges, start, end);
        }

        stream.End();
        return ranges;
    }

    /// <summary>
    /// <see cref="Matches"/> for terms that are all two Han characters, in text without whitespace between Han
    /// characters (nearly every Chinese search): the analysis emits such a bigram exactly where its two characters stand
    /// side by side (each Han character is a token of its own, neighbouring ones are joined, and no later filter
    /// changes Han characters), so an ordinal search for each term finds the same ranges without running the analysis.
    /// </summary>
    internal static List<(int Start, int End)> HanBigramMatches(string text, IEnumerable<string> terms)
    {
        var found = new List<(int Start, int End)>();
        foreach (var term in terms)
        {
            for (var at = text.IndexOf(term, StringComparison.Ordinal); at >= 0; at = text.IndexOf(term, at + 1, StringComparison.Ordinal))
            {
                found.Add((at, at + 2));
            }
        }

        found.Sort();
        var ranges = new List<(int Start, int End)>(found.Count);
        foreach (var (start, end) in found)
        {
            AddMerged(ranges, start, end);
        }

        return ranges;
    }

    /// <summary>Adds a range found in increasing start order, merged into the last one when they overlap or touch.</summary>
    private static void AddMerged(List<(int Start, int End)> ranges, int start, int end)
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

    internal static bool IsHanBigram(string term) => term.Length == 2 && IsHan(term[0]) && IsHan(term[1]);

    // CJK Unified Ideographs and Extension A as of Unicode 6.1, which StandardTokenizer's tables know as ideographic
    // (each character a token of its own); later additions are left to the analysis.
    private static bool IsHan(char c) => char.IsBetween(c, '\u4E00', '\u9FCC') || char.IsBetween(c, '\u3400', '\u4DB5');

    /// <summary>
    /// Same output as Lucene's LowerCaseFilter for the text we index (BMP characters), without its per-character
    /// culture call: most of our characters are Han, which have no case, and ICU case mapping was the largest single
    /// cost of analysing text (indexing and highlighting). Only characters that are upper case are mapped.
    /// </summary>
    private sealed class AsciiFastLowerCaseFilter : TokenFilter
    {
        private readonly Lucene.Net.Analysis.TokenAttributes.ICharTermAttribute term;

        public AsciiFastLowerCaseFilter(TokenStream input)
            : base(input) => term = AddAttribute<Lucene.Net.Analysis.TokenAttributes.ICharTermAttribute>();

        public override bool IncrementToken()
        {
            if (!m_input.IncrementToken())
            {
                return false;
            }

            var buffer = term.Buffer;
            for (var i = 0; i < term.Length; i++)
            {
                var c = buffer[i];
                if (c < 0x80)
                {
                    if (c is >= 'A' and <= 'Z')
                    {
                        buffer[i] = (char)(c | 0x20);
                    }
                }
                else if (char.IsUpper(c))
                {
                    buffer[i] = char.ToLowerInvariant(c);
                }
            }

            return true;
        }
    }

    [GeneratedRegex(@"(?<=\p{IsCJKUnifiedIdeographs})\s+(?=\p{IsCJKUnifiedIdeographs})")]
    internal static partial Regex HanGap();
}
