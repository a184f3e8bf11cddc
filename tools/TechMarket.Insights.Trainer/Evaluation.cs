using TechMarket.Insights.Classification;

namespace TechMarket.Insights.Trainer;

internal sealed record FieldScore(TechField Field, int Support, double Precision, double Recall)
{
    public double F1 => Precision + Recall == 0 ? 0 : 2 * Precision * Recall / (Precision + Recall);
}

internal sealed record Miss(LabeledText Row, FieldPrediction Prediction);

internal sealed record ConfidenceBand(float From, float To, int Rows, int Correct);

/// <summary>
/// Metrics over one labelled set. Micro accuracy is the share of rows classified correctly; macro accuracy is
/// the mean per-field recall (ML.NET's definition), so a weak field counts as much as a large one.
/// </summary>
internal sealed class Evaluation
{
    private static readonly TechField[] Fields = Enum.GetValues<TechField>();

    // Bands for reading the confidence: how often the classifier is right when it reports a given confidence.
    private static readonly float[] BandEdges = [0f, 0.3f, 0.5f, 0.7f, 1.01f];

    private Evaluation(int[,] confusion, List<Miss> misses, List<ConfidenceBand> bands)
    {
        Confusion = confusion;
        Misses = misses;
        Bands = bands;
        Total = confusion.Cast<int>().Sum();
        var correct = Fields.Sum(f => confusion[(int)f, (int)f]);
        MicroAccuracy = Total == 0 ? 0 : (double)correct / Total;
        PerField = Fields.Select(f =>
        {
            var support = Fields.Sum(p => confusion[(int)f, (int)p]);
            var predicted = Fields.Sum(a => confusion[(int)a, (int)f]);
            var hits = confusion[(int)f, (int)f];
            return new FieldScore(f, support, predicted == 0 ? 0 : (double)hits / predicted, support == 0 ? 0 : (double)hits / support);
        }).ToList();
        MacroAccuracy = PerField.Where(s => s.Support > 0).Average(s => s.Recall);
    }

    /// <summary>Rows are actual fields, columns predicted fields, both in <see cref="TechField"/> order.</summary>
    public int[,] Confusion { get; }

    public List<Miss> Misses { get; }

    public List<ConfidenceBand> Bands { get; }

    public int Total { get; }

    public double MicroAccuracy { get; }

    public double MacroAccuracy { get; }

    public List<FieldScore> PerField { get; }

    public static Evaluation Run(IFieldClassifier classifier, IEnumerable<LabeledText> rows)
    {
        var confusion = new int[Fields.Length, Fields.Length];
        var misses = new List<Miss>();
        var bandRows = new int[BandEdges.Length - 1];
        var bandCorrect = new int[BandEdges.Length - 1];
        foreach (var row in rows)
        {
            var prediction = classifier.Predict("", row.Text);
            confusion[(int)row.Field, (int)prediction.Field]++;
            var band = Array.FindLastIndex(BandEdges, edge => prediction.Confidence >= edge);
            bandRows[band]++;
            if (prediction.Field == row.Field)
            {
                bandCorrect[band]++;
            }
            else
            {
                misses.Add(new Miss(row, prediction));
            }
        }

        var bands = Enumerable.Range(0, bandRows.Length)
            .Select(i => new ConfidenceBand(BandEdges[i], Math.Min(BandEdges[i + 1], 1f), bandRows[i], bandCorrect[i]))
            .ToList();
        return new Evaluation(confusion, misses, bands);
    }
}
