namespace TechMarket.Listings.Domain;

public sealed record DemandContent : IPublishableContent
{
    public string Title { get; init; } = "";

    /// <summary>Shown to everyone.</summary>
    public string Summary { get; init; } = "";

    /// <summary>Sanitized HTML; when <see cref="Confidential"/>, shown only to verified members.</summary>
    public string DetailsHtml { get; init; } = "";
    public TechField Field { get; init; }
    public string Province { get; init; } = "";
    public string? City { get; init; }
    public decimal? BudgetMin { get; init; }
    public decimal? BudgetMax { get; init; }
    public DateOnly? Deadline { get; init; }
    public bool Confidential { get; init; }
    public string Tags { get; init; } = "";
}

/// <summary>A technology demand or problem (技术需求/难题), with the same review lifecycle as a listing.</summary>
public sealed class Demand : PublishableItem<DemandContent>
{
    private Demand()
    {
    }

    public static Demand Create(Guid id, Guid ownerId, DemandContent content, DateTimeOffset now)
    {
        var entity = new Demand();
        entity.Initialise(id, ownerId, content, now);
        return entity;
    }
}
