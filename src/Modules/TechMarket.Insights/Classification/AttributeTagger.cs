using System.Collections.Frozen;
using System.Text;
using System.Text.RegularExpressions;

namespace TechMarket.Insights.Classification;

/// <summary>
/// Attribute tags for listings and demands: keywords pulled from the text, and Chinese labels for maturity,
/// transaction mode and price band. Deterministic and stateless, so one instance can be shared.
/// </summary>
/// <remarks>
/// Keywords without a dictionary: Chinese text is cut into runs of CJK characters at punctuation, Latin text,
/// function characters (的, 与, …) and boilerplate phrases (本发明, 一种, 基于, …); every substring of a run
/// (2 to 16 characters) is counted, and a substring qualifies when it occurs at least twice and is not a stop
/// word. A qualifying substring is dropped when a longer qualifying one contains it and occurs as often
/// (so "深度学习" survives and its fragments "深度", "度学" do not); what is left are the longest repeated
/// phrases, of which those up to 10 characters are terms and longer ones (a repeated clause) are not tags.
/// Latin terms such as "5G", "PLC" or "CRISPR" are already delimited, so one occurrence is enough.
/// Ranking: occurrences, then first position, then ordinal order.
/// </remarks>
public sealed partial class AttributeTagger
{
    private const int MinimumCjkOccurrences = 2;
    private const int MinimumGram = 2;
    private const int MaximumGram = 16;
    private const int MaximumKeywordLength = 10;

    // Characters that never sit inside a term, so runs are cut there: "材料的制备" gives "材料" and "制备".
    private static readonly FrozenSet<char> BreakChars = FrozenSet.ToFrozenSet("的了与及或是其之而被把着");

    // Characters a term neither starts nor ends with, though they may sit inside one (再生 and 还原 start with 再 and 还, so those are absent).
    private static readonly FrozenSet<char> EdgeChars = FrozenSet.ToFrozenSet("将为于由从也都很该此每所又就即若则但且已");

    // Boilerplate, not topics: the text is cut where they stand, so "一种基于深度学习" leaves only "深度学习".
    private static readonly string[] StopPhrases =
    [
        "本发明", "本实用新型", "所述", "一种", "涉及", "提供", "包括", "通过", "进行", "能够", "可以", "用于", "基于",
        "具有", "采用", "实现", "其中", "以及", "我们", "我司", "我厂", "我公司", "我单位", "我院", "本项目", "本成果",
        "本技术", "需要", "希望", "寻求", "达到", "小于", "大于", "低于", "高于", "以上", "以下", "左右", "提高", "提升",
        "降低", "减少", "已经", "完成", "适用", "适合", "目前", "现有", "主要", "相关", "同时", "一个", "一套", "一家", "一批",
    ];

    // Words too generic to be a tag on a technology market, dropped only when they are the whole candidate.
    private static readonly FrozenSet<string> DefaultStopWords = FrozenSet.ToFrozenSet(
    [
        "技术", "方法", "系统", "装置", "设备", "工艺", "产品", "企业", "公司", "研究", "开发", "研发", "应用", "领域", "项目",
        "问题", "需求", "合作", "服务", "平台", "方案", "国内", "国际", "行业", "市场", "成果", "专利", "转让", "许可", "效果",
        "性能", "效率", "成本", "质量", "生产", "制备", "材料", "数据", "信息", "管理", "控制", "检测", "处理", "设计", "优化",
        "运行", "使用", "要求", "情况", "过程", "结构", "模块", "功能", "水平", "能力", "时间", "部分", "高校", "大学", "团队",
        "学院", "研究院", "国家", "我国", "全国", "万元", "预算", "实施例", "权利要求", "技术领域", "制备方法", "制备工艺",
        "生产工艺", "技术方案", "解决方案", "技术服务", "工作原理", "有限公司",
    ], StringComparer.Ordinal);

    private static readonly FrozenSet<string> LatinStopWords = FrozenSet.ToFrozenSet(
    [
        "the", "and", "or", "of", "for", "with", "to", "in", "on", "by", "via", "an", "is", "are", "as", "at", "from",
        "mm", "cm", "km", "nm", "um", "kg", "mg", "ml", "kw", "kwh", "mw", "gw", "mpa", "gpa", "ppm", "ppb", "hz", "khz",
        "mhz", "ghz", "db", "dbm", "kv", "ma", "ms", "min", "m2", "m3", "nm3", "wh", "ah", "mah", "rpm", "dtex",
    ], StringComparer.OrdinalIgnoreCase);

    private readonly FrozenSet<string> _stopWords;

    public AttributeTagger()
        : this([])
    {
    }

    /// <summary>Adds platform-specific stop words (whole-candidate matches) to the built-in list.</summary>
    public AttributeTagger(IEnumerable<string> extraStopWords) =>
        _stopWords = DefaultStopWords.Concat(extraStopWords).ToFrozenSet(StringComparer.Ordinal);

    /// <summary>Up to <paramref name="max"/> keywords, most frequent first; fewer (or none) when the text repeats little.</summary>
    public IReadOnlyList<string> Keywords(string title, string text, int max = 8)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);

        // NFKC turns full-width Latin and digits (ＰＬＣ, ５Ｇ) into their ASCII forms.
        var content = (title + "\n" + text).Normalize(NormalizationForm.FormKC);
        var candidates = new List<Candidate>();
        candidates.AddRange(CjkCandidates(content));
        candidates.AddRange(LatinCandidates(content));

        return candidates
            .OrderByDescending(c => c.Count)
            .ThenBy(c => c.FirstIndex)
            .ThenBy(c => c.Term, StringComparer.Ordinal)
            .Take(max)
            .Select(c => c.Term)
            .ToList();
    }

    /// <summary>Keywords plus the labels of the structured attributes, ready to store with a listing.</summary>
    public AttributeTags Tag(string title, string text, decimal? price, TechMaturity? maturity = null, IEnumerable<TransactionMode>? modes = null) =>
        new(
            Keywords(title, text),
            maturity is { } m ? MaturityTag(m) : null,
            (modes ?? []).Distinct().Order().Select(ModeTag).ToList(),
            PriceBandTag(BracketOf(price)));

    /// <summary>The bracket of a price or budget in CNY, for filters and counts; <c>null</c> means negotiable (面议).</summary>
    public static PriceBracket BracketOf(decimal? price) => price switch
    {
        null => PriceBracket.Negotiable,
        < 0m => throw new ArgumentOutOfRangeException(nameof(price), price, "A price cannot be negative."),
        < 100_000m => PriceBracket.Below100K,
        < 500_000m => PriceBracket.From100KTo500K,
        < 2_000_000m => PriceBracket.From500KTo2M,
        < 10_000_000m => PriceBracket.From2MTo10M,
        _ => PriceBracket.From10MUp,
    };

    /// <summary>The price band label of a price or budget in CNY, e.g. "50–200万"; <c>null</c> gives "面议".</summary>
    public static string PriceBand(decimal? price) => PriceBandTag(BracketOf(price));

    public static string PriceBandTag(PriceBracket bracket) => bracket switch
    {
        PriceBracket.Negotiable => "面议",
        PriceBracket.Below100K => "<10万",
        PriceBracket.From100KTo500K => "10–50万",
        PriceBracket.From500KTo2M => "50–200万",
        PriceBracket.From2MTo10M => "200–1000万",
        PriceBracket.From10MUp => "≥1000万",
        _ => throw new ArgumentOutOfRangeException(nameof(bracket), bracket, "Unknown price bracket."),
    };

    public static string MaturityTag(TechMaturity maturity) => maturity switch
    {
        TechMaturity.Research => "研发阶段",
        TechMaturity.Prototype => "已有样品",
        TechMaturity.SmallScaleTrial => "通过小试",
        TechMaturity.PilotTrial => "通过中试",
        TechMaturity.MassProduction => "可以量产",
        _ => throw new ArgumentOutOfRangeException(nameof(maturity), maturity, "Unknown maturity."),
    };

    public static string ModeTag(TransactionMode mode) => mode switch
    {
        TransactionMode.Transfer => "转让",
        TransactionMode.ExclusiveLicense => "独占许可",
        TransactionMode.SoleLicense => "排他许可",
        TransactionMode.OrdinaryLicense => "普通许可",
        TransactionMode.Equity => "技术入股",
        TransactionMode.CoDevelopment => "合作开发",
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown transaction mode."),
    };

    private List<Candidate> CjkCandidates(string content)
    {
        var counts = new Dictionary<string, Candidate>(StringComparer.Ordinal);
        foreach (var (start, length) in CjkRuns(content))
        {
            for (var n = MinimumGram; n <= Math.Min(MaximumGram, length); n++)
            {
                for (var i = start; i + n <= start + length; i++)
                {
                    var gram = content.Substring(i, n);
                    counts[gram] = counts.TryGetValue(gram, out var seen) ? seen with { Count = seen.Count + 1 } : new Candidate(gram, 1, i);
                }
            }
        }

        var qualified = counts.Values
            .Where(c => c.Count >= MinimumCjkOccurrences && IsCjkTerm(c.Term))
            .OrderByDescending(c => c.Term.Length)
            .ThenBy(c => c.Term, StringComparer.Ordinal)
            .ToList();

        // Longest first, so each candidate is compared with the longer ones already kept.
        var kept = new List<Candidate>();
        foreach (var candidate in qualified)
        {
            if (!kept.Any(k => k.Term.Length > candidate.Term.Length && k.Count >= candidate.Count && k.Term.Contains(candidate.Term, StringComparison.Ordinal)))
            {
                kept.Add(candidate);
            }
        }

        return kept.Where(c => c.Term.Length <= MaximumKeywordLength).ToList();
    }

    private bool IsCjkTerm(string term) =>
        !EdgeChars.Contains(term[0])
        && !EdgeChars.Contains(term[^1])
        && !_stopWords.Contains(term);

    private IEnumerable<Candidate> LatinCandidates(string content)
    {
        var byKey = new Dictionary<string, Candidate>(StringComparer.OrdinalIgnoreCase);
        foreach (Match match in LatinTerm().Matches(content))
        {
            var term = match.Value;
            if (!IsLatinTerm(term))
            {
                continue;
            }

            // The first spelling seen is kept; "PLC" and "plc" count as one term.
            byKey[term] = byKey.TryGetValue(term, out var seen) ? seen with { Count = seen.Count + 1 } : new Candidate(term, 1, match.Index);
        }

        return byKey.Values;
    }

    // A Latin term has a letter and at least two characters; number-plus-unit tokens ("200kg", "4.3kWh") are
    // measurements, except a number with one capital ("5G", "3D", "4K"), which names a technology.
    private bool IsLatinTerm(string term) =>
        term.Length >= 2
        && term.Any(char.IsAsciiLetter)
        && (!char.IsAsciiDigit(term[0]) || DigitsThenCapital().IsMatch(term))
        && !LatinStopWords.Contains(term)
        && !_stopWords.Contains(term);

    private static IEnumerable<(int Start, int Length)> CjkRuns(string content)
    {
        var cut = new bool[content.Length];
        for (var i = 0; i < content.Length; i++)
        {
            cut[i] = !IsCjk(content[i]) || BreakChars.Contains(content[i]);
        }

        foreach (var phrase in StopPhrases)
        {
            for (var at = content.IndexOf(phrase, StringComparison.Ordinal); at >= 0; at = content.IndexOf(phrase, at + 1, StringComparison.Ordinal))
            {
                Array.Fill(cut, true, at, phrase.Length);
            }
        }

        var start = -1;
        for (var i = 0; i <= content.Length; i++)
        {
            var inRun = i < content.Length && !cut[i];
            if (inRun && start < 0)
            {
                start = i;
            }
            else if (!inRun && start >= 0)
            {
                yield return (start, i - start);
                start = -1;
            }
        }
    }

    private static bool IsCjk(char c) => c is >= '\u4E00' and <= '\u9FFF' or >= '\u3400' and <= '\u4DBF';

    [GeneratedRegex(@"[A-Za-z0-9][A-Za-z0-9+#]*(?:[-.][A-Za-z0-9+#]+)*", RegexOptions.CultureInvariant)]
    private static partial Regex LatinTerm();

    [GeneratedRegex(@"^[0-9]+[A-Z]$", RegexOptions.CultureInvariant)]
    private static partial Regex DigitsThenCapital();

    private sealed record Candidate(string Term, int Count, int FirstIndex);
}
