using TechMarket.Listings.Domain;

namespace TechMarket.Listings.Features.Profiles;

/// <summary>The profile page's form: text in, so unknown choices become field errors in ProfileCommands.</summary>
public sealed class ProfileForm
{
    public string? Kind { get; set; }
    public string? Name { get; set; }
    public string? JobTitle { get; set; }
    public string? Affiliation { get; set; }
    public string? InstitutionKind { get; set; }
    public string? Province { get; set; }
    public string? Introduction { get; set; }
    public string? Achievements { get; set; }
    public bool Available { get; set; }

    public static ProfileForm From(Profile p) => new()
    {
        Kind = p.Kind.ToString(),
        Name = p.Name,
        JobTitle = p.JobTitle,
        Affiliation = p.Affiliation,
        InstitutionKind = p.InstitutionKind?.ToString(),
        Province = p.Province,
        Introduction = p.Introduction,
        Achievements = p.Achievements,
        Available = p.AvailableForConsultation,
    };

    /// <param name="fields">The checked technology fields (checkboxes are read from the form by the page).</param>
    /// <param name="institutionId">An expert keeps the institution they already belong to.</param>
    public ProfileInput ToInput(IEnumerable<string> fields, Guid? institutionId) => new(
        Enum.TryParse<ProfileKind>(Kind, out var kind) && Enum.IsDefined(kind) ? kind : (ProfileKind)(-1),
        Name ?? "",
        string.IsNullOrWhiteSpace(JobTitle) ? null : JobTitle,
        string.IsNullOrWhiteSpace(Affiliation) ? null : Affiliation,
        Enum.TryParse<InstitutionKind>(InstitutionKind, out var ik) && Enum.IsDefined(ik) ? ik : null,
        institutionId,
        fields.Select(f => Enum.TryParse<TechField>(f, out var t) ? t : (TechField)(-1)).Distinct().ToList(),
        Province,
        Introduction,
        Achievements,
        Available);
}
