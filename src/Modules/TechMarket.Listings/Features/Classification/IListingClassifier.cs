using TechMarket.Listings.Domain;

namespace TechMarket.Listings.Features.Classification;

public sealed record FieldSuggestion(TechField Field, float Confidence, IReadOnlyList<string> Tags);

/// <summary>The Listings module's port to the classifier (P1). The Insights module's ML.NET model fills it in.</summary>
public interface IListingClassifier
{
    FieldSuggestion? Suggest(string title, string text, decimal? price, MaturityStage? maturity, IReadOnlyList<TransactionMode> modes);
}

/// <summary>Used until a real classifier is registered: no suggestion, the publisher's choice stands.</summary>
internal sealed class NoClassifier : IListingClassifier
{
    public FieldSuggestion? Suggest(string title, string text, decimal? price, MaturityStage? maturity, IReadOnlyList<TransactionMode> modes) => null;
}
