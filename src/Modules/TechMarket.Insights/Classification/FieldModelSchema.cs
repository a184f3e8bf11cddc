using Microsoft.ML.Data;

namespace TechMarket.Insights.Classification;

// The column contract between the trainer and the classifier: the saved model reads "Text" and writes "Score".
internal static class FieldModelSchema
{
    public const string Text = nameof(FieldModelInput.Text);
    public const string Label = nameof(FieldTrainingRow.Label);
    public const string Features = "Features";
    public const string Score = "Score";

    public const string EmbeddedModelName = "TechMarket.Insights.Classification.field-classifier.zip";

    // Title and body are classified as one text; the training rows hold both in one column the same way.
    public static string Compose(string title, string text) =>
        title.Length == 0 ? text : text.Length == 0 ? title : title + "\n" + text;
}

internal sealed class FieldModelInput
{
    public string Text { get; set; } = "";
}

internal sealed class FieldTrainingRow
{
    public string Label { get; set; } = "";

    public string Text { get; set; } = "";
}

internal sealed class FieldModelOutput
{
    [ColumnName(FieldModelSchema.Score)]
    public float[] Score { get; set; } = [];
}
