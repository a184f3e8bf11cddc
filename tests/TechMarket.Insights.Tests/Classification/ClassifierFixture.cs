using TechMarket.Insights.Classification;

namespace TechMarket.Insights.Tests.Classification;

// Loading the model takes a moment, so the test classes share one classifier.
public sealed class ClassifierFixture : IDisposable
{
    public FieldClassifier Classifier { get; } = new();

    public void Dispose() => Classifier.Dispose();
}
