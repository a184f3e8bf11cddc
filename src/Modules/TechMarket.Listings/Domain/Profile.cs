namespace TechMarket.Listings.Domain;

public enum ProfileKind
{
    Expert,
    Institution,
}

/// <summary>An expert or an institution, one per verified account; experts may belong to an institution.</summary>
public sealed class Profile
{
    private Profile()
    {
    }

    public Guid Id { get; private set; }
    public Guid MemberId { get; private set; }
    public ProfileKind Kind { get; private set; }
    public string Name { get; private set; } = "";

    /// <summary>Professional title for an expert (e.g. 教授); unused for institutions.</summary>
    public string? JobTitle { get; private set; }
    public string? Affiliation { get; private set; }
    public InstitutionKind? InstitutionKind { get; private set; }
    public Guid? InstitutionId { get; private set; }
    public IReadOnlyList<TechField> Fields { get; private set; } = [];
    public string Province { get; private set; } = "";
    public string Introduction { get; private set; } = "";
    public string Achievements { get; private set; } = "";
    public bool AvailableForConsultation { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }

    public static Profile Create(Guid id, Guid memberId, ProfileKind kind, DateTimeOffset now) => new()
    {
        Id = id,
        MemberId = memberId,
        Kind = kind,
        CreatedAt = now,
        UpdatedAt = now,
    };

    public void Update(ProfileInput input, DateTimeOffset now)
    {
        Name = input.Name.Trim();
        JobTitle = input.JobTitle?.Trim();
        Affiliation = input.Affiliation?.Trim();
        InstitutionKind = Kind == ProfileKind.Institution ? input.InstitutionKind : null;
        InstitutionId = Kind == ProfileKind.Expert ? input.InstitutionId : null;
        Fields = input.Fields?.Distinct().ToList() ?? [];
        Province = input.Province ?? "";
        Introduction = input.Introduction?.Trim() ?? "";
        Achievements = input.Achievements?.Trim() ?? "";
        AvailableForConsultation = input.AvailableForConsultation;
        UpdatedAt = now;
    }
}

public sealed record ProfileInput(
    ProfileKind Kind,
    string Name,
    string? JobTitle,
    string? Affiliation,
    InstitutionKind? InstitutionKind,
    Guid? InstitutionId,
    IReadOnlyList<TechField>? Fields,
    string? Province,
    string? Introduction,
    string? Achievements,
    bool AvailableForConsultation);

/// <summary>The change feed the search indexers on every node read; one row per change, written in the same transaction.</summary>
public sealed class SearchChange
{
    public long Id { get; set; }
    public string Kind { get; set; } = "";
    public Guid EntityId { get; set; }
    public DateTimeOffset At { get; set; }
}

public static class EntityKinds
{
    public const string Listing = "listing";
    public const string Demand = "demand";
    public const string Profile = "expert";
}

/// <summary>A publisher overriding the suggested field: a labelled example for retraining the classifier.</summary>
public sealed class FieldCorrection
{
    public long Id { get; set; }
    public string Kind { get; set; } = "";
    public Guid EntityId { get; set; }
    public string Title { get; set; } = "";
    public string Text { get; set; } = "";
    public TechField Suggested { get; set; }
    public TechField Chosen { get; set; }
    public DateTimeOffset At { get; set; }
}

/// <summary>An image or attachment uploaded for a listing. Only keys recorded here are served, and only to listings of their owner.</summary>
public sealed class ListingFile
{
    public string Key { get; set; } = "";
    public Guid OwnerId { get; set; }
    public string ContentType { get; set; } = "";
    public long Length { get; set; }
    public DateTimeOffset At { get; set; }
}
