namespace TechMarket.Listings.Domain;

/// <summary>What a publisher edits on a supply listing; a pending revision of a published listing is stored as this.</summary>
public sealed record ListingContent
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

/// <summary>A supply listing (技术成果). State machine: Draft → Submitted → Published | Rejected; Published → Closed.</summary>
public sealed class Listing
{
    private Listing()
    {
    }

    public Guid Id { get; private set; }
    public Guid OwnerId { get; private set; }
    public PublicationStatus Status { get; private set; }
    public ListingContent Content { get; private set; } = new();

    /// <summary>An edit of a published listing waiting for review; the published content stays visible meanwhile.</summary>
    public ListingContent? PendingRevision { get; private set; }
    public int Revision { get; private set; }
    public int? RemainingQuantity { get; private set; }
    public TechField? SuggestedField { get; private set; }
    public float? SuggestedConfidence { get; private set; }
    public string AttributeTags { get; private set; } = "";
    public string? RejectionReason { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }
    public DateTimeOffset? SubmittedAt { get; private set; }
    public DateTimeOffset? PublishedAt { get; private set; }

    public bool IsVisible => Status is PublicationStatus.Published;

    public bool HasPendingRevision => PendingRevision is not null;

    /// <summary>What a reviewer must look at: the pending revision if any, else the content itself.</summary>
    public ListingContent UnderReview => PendingRevision ?? Content;

    public static Listing Create(Guid id, Guid ownerId, ListingContent content, DateTimeOffset now)
    {
        var entity = new Listing
        {
            Id = id,
            OwnerId = ownerId,
            Status = PublicationStatus.Draft,
            Revision = 1,
            CreatedAt = now,
            UpdatedAt = now,
        };
        entity.Apply(content);
        return entity;
    }

    /// <summary>Editing a draft or a rejected listing changes it in place; editing a published one opens a revision.</summary>
    public void Edit(ListingContent content, DateTimeOffset now)
    {
        switch (Status)
        {
            case PublicationStatus.Draft or PublicationStatus.Rejected:
                Apply(content);
                Status = PublicationStatus.Draft;
                break;
            case PublicationStatus.Submitted when PendingRevision is null:
                Apply(content);
                break;
            case PublicationStatus.Published or PublicationStatus.Submitted:
                PendingRevision = content;
                break;
            default:
                throw new InvalidOperationException($"A {Status} listing cannot be edited.");
        }

        UpdatedAt = now;
    }

    public void Submit(DateTimeOffset now)
    {
        if (Status is PublicationStatus.Draft or PublicationStatus.Rejected)
        {
            Status = PublicationStatus.Submitted;
        }
        else if (!(Status is PublicationStatus.Published && PendingRevision is not null))
        {
            throw new InvalidOperationException($"A {Status} listing cannot be submitted.");
        }

        SubmittedAt = now;
        UpdatedAt = now;
    }

    public bool AwaitsReview => Status is PublicationStatus.Submitted || (Status is PublicationStatus.Published && PendingRevision is not null && SubmittedAt is not null);

    public void Classify(TechField suggested, float confidence, string tags)
    {
        SuggestedField = suggested;
        SuggestedConfidence = confidence;
        AttributeTags = tags;
    }

    public void Approve(DateTimeOffset now)
    {
        if (!AwaitsReview)
        {
            throw new InvalidOperationException($"A {Status} listing is not waiting for review.");
        }

        if (PendingRevision is { } revision)
        {
            Apply(revision);
            PendingRevision = null;
            Revision++;
        }

        if (Status is not PublicationStatus.Published)
        {
            RemainingQuantity = Content.SellsOnce ? 1 : null;
            PublishedAt = now;
        }

        Status = PublicationStatus.Published;
        RejectionReason = null;
        SubmittedAt = null;
        UpdatedAt = now;
    }

    /// <summary>A rejected first submission goes back to the publisher; a rejected revision is dropped and the published content stays.</summary>
    public void Reject(string reason, DateTimeOffset now)
    {
        if (!AwaitsReview)
        {
            throw new InvalidOperationException($"A {Status} listing is not waiting for review.");
        }

        RejectionReason = reason;
        if (Status is PublicationStatus.Published)
        {
            PendingRevision = null;
        }
        else
        {
            Status = PublicationStatus.Rejected;
        }

        SubmittedAt = null;
        UpdatedAt = now;
    }

    public void Close(DateTimeOffset now)
    {
        if (Status is PublicationStatus.Closed)
        {
            throw new InvalidOperationException("The listing is already closed.");
        }

        Status = PublicationStatus.Closed;
        PendingRevision = null;
        UpdatedAt = now;
    }

    // Denormalised from Content so the database can filter, sort and count without reading JSON.
    public string Title { get; private set; } = "";
    public ListingType Type { get; private set; }
    public TechField Field { get; private set; }
    public string Province { get; private set; } = "";

    private void Apply(ListingContent content)
    {
        Content = content;
        Title = content.Title;
        Type = content.Type;
        Field = content.Field;
        Province = content.Province;
    }
}
