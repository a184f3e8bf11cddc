namespace TechMarket.Insights.Classification;

/// <summary>
/// The most likely field, its probability, and every field with its probability, most likely first.
/// <see cref="Confidence"/> equals the score of the first entry of <see cref="Ranked"/>.
/// </summary>
public sealed record FieldPrediction(TechField Field, float Confidence, IReadOnlyList<(TechField Field, float Score)> Ranked);

/// <summary>Assigns a listing or demand to one of the eight high-tech fields.</summary>
public interface IFieldClassifier
{
    /// <summary>Classifies a title and its body text (abstract, description); either may be empty. Safe to call from many threads.</summary>
    FieldPrediction Predict(string title, string text);
}
