namespace TechMarket.Listings.Domain;

/// <summary>What a publisher edits on a supply listing; a pending revision of a published listing is stored as this.</summary>
public sealed record ListingContent : IPublishableContent
{
    public string Title { get; init; } = "";
    public ListingType Type { get; init; }
    public IReadOnlyList<TransactionMode> Modes { get; init; } = [];
    public PricingKind Pricing { get; init; }
    public decimal? Price { get; init; }
    public decimal? PriceMin { get; init; }
    public decimal? PriceMax { get; init; }
    public MaturityStage Maturity { get; init; }
    public int? Trl { get; init; }
    public TechField Field { get; init; }
    public string Province { get; init; } = "";
    public string? City { get; init; }
    public string? PatentNumber { get; init; }
    public PatentStatus? PatentStatus { get; init; }
    public string Abstract { get; init; } = "";
    public string DescriptionHtml { get; init; } = "";
    public string Tags { get; init; } = "";
    public IReadOnlyList<string> Images { get; init; } = [];
    public IReadOnlyList<string> Attachments { get; init; } = [];
    public ContactPreference Contact { get; init; }

    /// <summary>An exclusive licence or a transfer sells once; other modes are not limited by stock.</summary>
    public bool SellsOnce => Modes.Contains(TransactionMode.Transfer) || Modes.Contains(TransactionMode.ExclusiveLicense);
}

/// <summary>A supply listing (技术成果): the shared review lifecycle plus a revision count and stock.</summary>
public sealed class Listing : PublishableItem<ListingContent>
{
    private Listing()
    {
    }

    /// <summary>Counts published versions: 1 until the first approved revision.</summary>
    public int Revision { get; private set; }

    /// <summary>1 for what sells once (an exclusive licence or a transfer) from its first publication; null means unlimited.</summary>
    public int? RemainingQuantity { get; private set; }

    // Denormalised from Content like Title, Field and Province.
    public ListingType Type { get; private set; }

    public static Listing Create(Guid id, Guid ownerId, ListingContent content, DateTimeOffset now)
    {
        var entity = new Listing { Revision = 1 };
        entity.Initialise(id, ownerId, content, now);
        return entity;
    }

    protected override void OnFirstPublished() => RemainingQuantity = Content.SellsOnce ? 1 : null;

    protected override void OnRevisionPublished() => Revision++;

    protected override void OnContentApplied(ListingContent content) => Type = content.Type;
}
