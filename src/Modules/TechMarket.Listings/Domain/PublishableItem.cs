namespace TechMarket.Listings.Domain;

/// <summary>What every publishable item's content carries, denormalised into columns so the database can filter on it.</summary>
public interface IPublishableContent
{
    string Title { get; }
    TechField Field { get; }
    string Province { get; }
}

/// <summary>
/// The review lifecycle shared by supply listings and demands (ADR 0032):
/// Draft → Submitted → Published | Rejected (with a reason); Rejected → Draft or Submitted again; anything but Closed → Closed.
/// An edit of a published item is held as a pending revision and goes through review while the published content stays visible.
/// Each transition is one method that checks the current state; the command handlers write the audit rows.
/// </summary>
public abstract class PublishableItem<TContent>
    where TContent : class, IPublishableContent, new()
{
    public Guid Id { get; private set; }
    public Guid OwnerId { get; private set; }
    public PublicationStatus Status { get; private set; }
    public TContent Content { get; private set; } = new();

    /// <summary>An edit of a published item waiting for review; the published content stays visible meanwhile.</summary>
    public TContent? PendingRevision { get; private set; }
    public TechField? SuggestedField { get; private set; }
    public float? SuggestedConfidence { get; private set; }
    public string AttributeTags { get; private set; } = "";
    public string? RejectionReason { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }
    public DateTimeOffset? SubmittedAt { get; private set; }
    public DateTimeOffset? PublishedAt { get; private set; }

    // Denormalised from Content so the database can filter, sort and count without reading JSON.
    public string Title { get; private set; } = "";
    public TechField Field { get; private set; }
    public string Province { get; private set; } = "";

    public bool IsVisible => Status is PublicationStatus.Published;

    public bool HasPendingRevision => PendingRevision is not null;

    /// <summary>What a reviewer must look at: the pending revision if any, else the content itself.</summary>
    public TContent UnderReview => PendingRevision ?? Content;

    /// <summary>A new submission, or a submitted revision of a published item (a revision still being written is not).</summary>
    public bool AwaitsReview => Status is PublicationStatus.Submitted || (Status is PublicationStatus.Published && PendingRevision is not null && SubmittedAt is not null);

    public bool CanBeSubmitted => Status is PublicationStatus.Draft or PublicationStatus.Rejected || (Status is PublicationStatus.Published && PendingRevision is not null);

    /// <summary>"listing" or "demand": names the item in exception messages.</summary>
    private string Noun => GetType().Name.ToLowerInvariant();

    protected void Initialise(Guid id, Guid ownerId, TContent content, DateTimeOffset now)
    {
        Id = id;
        OwnerId = ownerId;
        Status = PublicationStatus.Draft;
        CreatedAt = now;
        UpdatedAt = now;
        Apply(content);
    }

    /// <summary>Editing a draft or a rejected item changes it in place; editing a published one opens a revision.</summary>
    public void Edit(TContent content, DateTimeOffset now)
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
                throw new InvalidOperationException($"A {Status} {Noun} cannot be edited.");
        }

        UpdatedAt = now;
    }

    public void Submit(DateTimeOffset now)
    {
        if (!CanBeSubmitted)
        {
            throw new InvalidOperationException($"A {Status} {Noun} cannot be submitted.");
        }

        if (Status is not PublicationStatus.Published)
        {
            Status = PublicationStatus.Submitted;
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
            throw new InvalidOperationException($"A {Status} {Noun} is not waiting for review.");
        }

        if (PendingRevision is { } revision)
        {
            Apply(revision);
            PendingRevision = null;
            OnRevisionPublished();
        }

        if (Status is not PublicationStatus.Published)
        {
            PublishedAt = now;
            OnFirstPublished();
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
            throw new InvalidOperationException($"A {Status} {Noun} is not waiting for review.");
        }

        if (string.IsNullOrWhiteSpace(reason))
        {
            throw new ArgumentException("A rejection needs a reason for the publisher.", nameof(reason));
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
            throw new InvalidOperationException($"The {Noun} is already closed.");
        }

        Status = PublicationStatus.Closed;
        PendingRevision = null;
        UpdatedAt = now;
    }

    /// <summary>Called once, when a first submission is approved, after its content is in place.</summary>
    protected virtual void OnFirstPublished()
    {
    }

    /// <summary>Called when an approved revision replaces the published content.</summary>
    protected virtual void OnRevisionPublished()
    {
    }

    /// <summary>Called whenever content becomes the item's own, to copy further fields into columns.</summary>
    protected virtual void OnContentApplied(TContent content)
    {
    }

    private void Apply(TContent content)
    {
        Content = content;
        Title = content.Title;
        Field = content.Field;
        Province = content.Province;
        OnContentApplied(content);
    }
}
