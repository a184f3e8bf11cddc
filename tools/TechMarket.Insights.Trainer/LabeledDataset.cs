using System.Text;
using TechMarket.Insights.Classification;

namespace TechMarket.Insights.Trainer;

internal sealed record LabeledText(TechField Field, string Text);

internal static class LabeledDataset
{
    private const string Header = "field\ttext";

    /// <summary>
    /// Reads "field&lt;TAB&gt;text" rows after a header line; fails on the first malformed row so bad labels never train.
    /// The curated dataset must not repeat a text (a repeat could sit on both sides of the split and inflate the
    /// held-out figures); in a corrections file a later row for the same text replaces the earlier one.
    /// </summary>
    public static List<LabeledText> Read(string path, bool rejectDuplicates)
    {
        var rows = new List<LabeledText>();
        var lineNumber = 0;
        foreach (var line in File.ReadLines(path, Encoding.UTF8))
        {
            lineNumber++;
            if (lineNumber == 1)
            {
                if (line.TrimStart('\uFEFF') != Header)
                {
                    throw new InvalidDataException($"{path}:1: expected the header \"field<TAB>text\".");
                }

                continue;
            }

            if (line.Length == 0)
            {
                continue;
            }

            var parts = line.Split('\t');
            if (parts.Length != 2)
            {
                throw new InvalidDataException($"{path}:{lineNumber}: expected 2 tab-separated columns, found {parts.Length}.");
            }

            if (!Enum.TryParse<TechField>(parts[0], out var field) || !Enum.IsDefined(field) || int.TryParse(parts[0], out _))
            {
                throw new InvalidDataException($"{path}:{lineNumber}: unknown field '{parts[0]}'; use one of {string.Join(", ", Enum.GetNames<TechField>())}.");
            }

            var text = parts[1].Trim();
            if (text.Length == 0)
            {
                throw new InvalidDataException($"{path}:{lineNumber}: the text is empty.");
            }

            rows.Add(new LabeledText(field, text));
        }

        var groups = rows.GroupBy(r => r.Text, StringComparer.Ordinal).ToList();
        if (!rejectDuplicates)
        {
            return groups.Select(g => g.Last()).ToList();
        }

        var duplicate = groups.FirstOrDefault(g => g.Count() > 1);
        return duplicate is null
            ? rows
            : throw new InvalidDataException($"{path}: the text \"{duplicate.Key}\" appears {duplicate.Count()} times.");
    }

    /// <summary>Per field, a seeded shuffle, then the first <paramref name="testShare"/> of each field is held out.</summary>
    public static (List<LabeledText> Train, List<LabeledText> Test) StratifiedSplit(IReadOnlyList<LabeledText> rows, double testShare, int seed)
    {
        var random = new Random(seed);
        var train = new List<LabeledText>();
        var test = new List<LabeledText>();
        foreach (var group in rows.GroupBy(r => r.Field).OrderBy(g => g.Key))
        {
            var shuffled = Shuffle(group.ToList(), random);
            var testCount = (int)Math.Round(shuffled.Count * testShare, MidpointRounding.AwayFromZero);
            test.AddRange(shuffled.Take(testCount));
            train.AddRange(shuffled.Skip(testCount));
        }

        return (train, test);
    }

    /// <summary>Stratified k folds: each field's rows are shuffled and dealt round-robin, so every fold holds every field.</summary>
    public static List<(List<LabeledText> Train, List<LabeledText> Validation)> StratifiedFolds(IReadOnlyList<LabeledText> rows, int folds, int seed)
    {
        var random = new Random(seed);
        var foldOf = new Dictionary<LabeledText, int>(ReferenceEqualityComparer.Instance);
        foreach (var group in rows.GroupBy(r => r.Field).OrderBy(g => g.Key))
        {
            var shuffled = Shuffle(group.ToList(), random);
            for (var i = 0; i < shuffled.Count; i++)
            {
                foldOf[shuffled[i]] = i % folds;
            }
        }

        return Enumerable.Range(0, folds)
            .Select(k => (rows.Where(r => foldOf[r] != k).ToList(), rows.Where(r => foldOf[r] == k).ToList()))
            .ToList();
    }

    /// <summary>
    /// Corrections whose text matches a curated row replace that row's label where it stands (train or test);
    /// the rest are added to training only, so the held-out set stays the curated one and figures stay comparable.
    /// </summary>
    public static (List<LabeledText> Train, List<LabeledText> Test, int Overrides, int Added) ApplyCorrections(
        List<LabeledText> train, List<LabeledText> test, IReadOnlyList<LabeledText> corrections)
    {
        var unmatched = corrections.ToDictionary(c => c.Text, StringComparer.Ordinal);
        var overrides = 0;
        List<LabeledText> Relabel(List<LabeledText> rows)
        {
            var result = new List<LabeledText>(rows.Count);
            foreach (var row in rows)
            {
                var matched = unmatched.Remove(row.Text, out var correction);
                overrides += matched ? 1 : 0;
                result.Add(matched ? correction! : row);
            }

            return result;
        }

        var newTrain = Relabel(train);
        var newTest = Relabel(test);
        var added = corrections.Where(c => unmatched.ContainsKey(c.Text)).ToList();
        newTrain.AddRange(added);
        return (newTrain, newTest, overrides, added.Count);
    }

    private static List<T> Shuffle<T>(List<T> items, Random random)
    {
        for (var i = items.Count - 1; i > 0; i--)
        {
            var j = random.Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }

        return items;
    }
}
