namespace TechMarket.Listings.Domain;

public sealed record DemandContent
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

/// <summary>A technology demand or problem (技术需求/难题), with the same lifecycle as a listing.</summary>
public sealed class Demand
{
    private Demand()
    {
    }

    public Guid Id { get; private set; }
    public Guid OwnerId { get; private set; }
    public PublicationStatus Status { get; private set; }
    public DemandContent Content { get; private set; } = new();
    public DemandContent? PendingRevision { get; private set; }
    public TechField? SuggestedField { get; private set; }
    public float? SuggestedConfidence { get; private set; }
    public string AttributeTags { get; private set; } = "";
    public string? RejectionReason { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }
    public DateTimeOffset? SubmittedAt { get; private set; }
    public DateTimeOffset? PublishedAt { get; private set; }

    public DemandContent UnderReview => PendingRevision ?? Content;

    public bool AwaitsReview => Status is PublicationStatus.Submitted || (Status is PublicationStatus.Published && PendingRevision is not null && SubmittedAt is not null);

    public static Demand Create(Guid id, Guid ownerId, DemandContent content, DateTimeOffset now)
    {
        var entity = new Demand
        {
            Id = id,
            OwnerId = ownerId,
            Status = PublicationStatus.Draft,
            CreatedAt = now,
            UpdatedAt = now,
        };
        entity.Apply(content);
        return entity;
    }

    public void Edit(DemandContent content, DateTimeOffset now)
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
                throw new InvalidOperationException($"A {Status} demand cannot be edited.");
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
            throw new InvalidOperationException($"A {Status} demand cannot be submitted.");
        }

        SubmittedAt = now;
        UpdatedAt = now;
    }

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
            throw new InvalidOperationException($"A {Status} demand is not waiting for review.");
        }

        if (PendingRevision is { } revision)
        {
            Apply(revision);
            PendingRevision = null;
        }

        PublishedAt ??= now;
        Status = PublicationStatus.Published;
        RejectionReason = null;
        SubmittedAt = null;
        UpdatedAt = now;
    }

    public void Reject(string reason, DateTimeOffset now)
    {
        if (!AwaitsReview)
        {
            throw new InvalidOperationException($"A {Status} demand is not waiting for review.");
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
            throw new InvalidOperationException("The demand is already closed.");
        }

        Status = PublicationStatus.Closed;
        PendingRevision = null;
        UpdatedAt = now;
    }

    public string Title { get; private set; } = "";
    public TechField Field { get; private set; }
    public string Province { get; private set; } = "";

    private void Apply(DemandContent content)
    {
        Content = content;
        Title = content.Title;
        Field = content.Field;
        Province = content.Province;
    }
}
