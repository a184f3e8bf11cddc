using TechMarket.Insights.Classification;
using TechMarket.Listings.Domain;
using InsightsMode = TechMarket.Insights.Classification.TransactionMode;
using ListingsField = TechMarket.Listings.Domain.TechField;
using TransactionMode = TechMarket.Listings.Domain.TransactionMode;

namespace TechMarket.Listings.Features.Classification;

/// <summary>Adapts the Insights ML.NET field classifier and attribute tagger to this module's types (enums map by name).</summary>
internal sealed class InsightsClassifier(IFieldClassifier classifier, AttributeTagger tagger) : IListingClassifier
{
    public FieldSuggestion? Suggest(string title, string text, decimal? price, MaturityStage? maturity, IReadOnlyList<TransactionMode> modes)
    {
        if (string.IsNullOrWhiteSpace(title) && string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var prediction = classifier.Predict(title, text);
        var tags = tagger.Tag(title, text, price, maturity is { } m ? MaturityOf(m) : null, modes.Select(x => Enum.Parse<InsightsMode>(x.ToString())));
        var all = tags.Keywords
            .Concat(tags.Maturity is { } t ? [t] : [])
            .Concat(tags.TransactionModes)
            .Append(tags.PriceBand)
            .Distinct()
            .ToList();
        return new FieldSuggestion(Enum.Parse<ListingsField>(prediction.Field.ToString()), prediction.Confidence, all);
    }

    private static TechMaturity MaturityOf(MaturityStage stage) => stage switch
    {
        MaturityStage.Lab => TechMaturity.Research,
        MaturityStage.Pilot => TechMaturity.PilotTrial,
        MaturityStage.SmallBatch => TechMaturity.SmallScaleTrial,
        _ => TechMaturity.MassProduction,
    };
}
