using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using TechMarket.Kernel.Auditing;
using TechMarket.Kernel.Http;
using TechMarket.Listings.Domain;
using TechMarket.Listings.Features.Supply;
using TechMarket.Listings.Persistence;

namespace TechMarket.Listings.Features.Profiles;

/// <summary>Expert and institution profiles: one per verified account, visible as soon as saved.</summary>
public sealed class ProfileCommands(ListingsDbContext db, TimeProvider clock, IStringLocalizer<ListingsStrings> text)
{
    public async Task<CommandOutcome<Profile>> SaveAsync(Guid memberId, ProfileInput input, CancellationToken ct = default)
    {
        var errors = new FieldErrors();
        if (string.IsNullOrWhiteSpace(input.Name) || input.Name.Trim().Length > 100)
        {
            errors.Add("Name", text["Error.Required"]);
        }

        if (!Enum.IsDefined(input.Kind))
        {
            errors.Add("Kind", text["Error.Required"]);
        }

        if (input.Fields is not { Count: > 0 } || input.Fields.Any(f => !Enum.IsDefined(f)))
        {
            errors.Add("Fields", text["Error.Required"]);
        }

        if (!Regions.IsProvince(input.Province))
        {
            errors.Add("Province", text["Error.Province"]);
        }

        if (input.Kind == ProfileKind.Institution && input.InstitutionKind is null)
        {
            errors.Add("InstitutionKind", text["Error.Required"]);
        }

        if ((input.Introduction?.Length ?? 0) > 2000 || (input.Achievements?.Length ?? 0) > 4000 || (input.JobTitle?.Length ?? 0) > 50 || (input.Affiliation?.Length ?? 0) > 100)
        {
            errors.Add("Introduction", text["Error.DescriptionLength"]);
        }

        if (input.InstitutionId is { } institutionId && input.Kind == ProfileKind.Expert
            && !await db.Profiles.AnyAsync(p => p.Id == institutionId && p.Kind == ProfileKind.Institution, ct))
        {
            errors.Add("InstitutionId", text["Error.Institution"]);
        }

        if (!errors.IsEmpty)
        {
            return CommandOutcome.Invalid<Profile>(errors);
        }

        var now = clock.GetUtcNow();
        var profile = await db.Profiles.FirstOrDefaultAsync(p => p.MemberId == memberId, ct);
        if (profile is null)
        {
            profile = Profile.Create(Guid.CreateVersion7(now), memberId, input.Kind, now);
            db.Profiles.Add(profile);
        }

        profile.Update(input, now);
        db.AuditLog.Add(AuditEntry.Record(now, memberId, "profile.saved", nameof(Profile), profile.Id.ToString()));
        await db.SaveChangesAsync(ct);
        return CommandOutcome.Ok(profile);
    }
}
