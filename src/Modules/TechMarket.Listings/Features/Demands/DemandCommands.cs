using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using TechMarket.Kernel.Auditing;
using TechMarket.Kernel.Http;
using TechMarket.Listings.Domain;
using TechMarket.Listings.Features.Classification;
using TechMarket.Listings.Features.Supply;
using TechMarket.Listings.Persistence;

namespace TechMarket.Listings.Features.Demands;

public sealed class DemandInput
{
    public string? Title { get; set; }
    public string? Summary { get; set; }
    public string? Details { get; set; }
    public TechField? Field { get; set; }
    public string? Province { get; set; }
    public string? City { get; set; }
    public decimal? BudgetMin { get; set; }
    public decimal? BudgetMax { get; set; }
    public DateOnly? Deadline { get; set; }
    public bool Confidential { get; set; }
    public string? Tags { get; set; }
}

/// <summary>Technology demands: the same lifecycle as supply listings.</summary>
public sealed class DemandCommands(ListingsDbContext db, TimeProvider clock, IListingClassifier classifier, IStringLocalizer<ListingsStrings> text)
{
    public DemandContent? Validate(DemandInput input, FieldErrors errors)
    {
        var title = input.Title?.Trim() ?? "";
        if (title.Length < 5 || title.Length > 100)
        {
            errors.Add("Title", text["Error.TitleLength"]);
        }

        var summary = input.Summary?.Trim() ?? "";
        if (summary.Length < 10 || summary.Length > 500)
        {
            errors.Add("Summary", text["Error.AbstractLength"]);
        }

        if ((input.Details?.Length ?? 0) > 20_000)
        {
            errors.Add("Details", text["Error.DescriptionLength"]);
        }

        if (input.Field is null)
        {
            errors.Add("Field", text["Error.Required"]);
        }

        if (!Regions.IsProvince(input.Province))
        {
            errors.Add("Province", text["Error.Province"]);
        }

        if (input.BudgetMin is { } min && (min < 0 || min > ListingValidation.MaxPrice))
        {
            errors.Add("BudgetMin", text["Error.PriceRange"]);
        }

        if (input.BudgetMax is { } max && (max <= 0 || max > ListingValidation.MaxPrice))
        {
            errors.Add("BudgetMax", text["Error.PriceRange"]);
        }

        if (input.BudgetMin is { } lo && input.BudgetMax is { } hi && lo > hi)
        {
            errors.Add("BudgetMax", text["Error.PriceOrder"]);
        }

        if (input.Deadline is { } deadline && deadline < DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime))
        {
            errors.Add("Deadline", text["Error.Deadline"]);
        }

        if (!errors.IsEmpty)
        {
            return null;
        }

        return new DemandContent
        {
            Title = title,
            Summary = summary,
            DetailsHtml = RichText.Sanitize(input.Details),
            Field = input.Field!.Value,
            Province = input.Province!,
            City = string.IsNullOrWhiteSpace(input.City) ? null : input.City.Trim(),
            BudgetMin = input.BudgetMin,
            BudgetMax = input.BudgetMax,
            Deadline = input.Deadline,
            Confidential = input.Confidential,
            Tags = string.Join(',', (input.Tags ?? "").Split([',', '，'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct().Take(10)),
        };
    }

    public async Task<CommandOutcome<Demand>> CreateAsync(Guid ownerId, DemandInput input, bool submit, CancellationToken ct = default)
    {
        var errors = new FieldErrors();
        if (Validate(input, errors) is not { } content)
        {
            return CommandOutcome.Invalid<Demand>(errors);
        }

        var now = clock.GetUtcNow();
        var demand = Demand.Create(Guid.CreateVersion7(now), ownerId, content, now);
        db.Demands.Add(demand);
        db.AuditLog.Add(AuditEntry.Record(now, ownerId, "demand.created", nameof(Demand), demand.Id.ToString()));
        if (submit)
        {
            SubmitInternal(demand, ownerId, now);
        }

        await db.SaveChangesAsync(ct);
        return CommandOutcome.Ok(demand);
    }

    public async Task<CommandOutcome<Demand>> UpdateAsync(Guid ownerId, Guid id, DemandInput input, bool submit, CancellationToken ct = default)
    {
        var demand = await db.Demands.FirstOrDefaultAsync(d => d.Id == id && d.OwnerId == ownerId, ct);
        if (demand is null)
        {
            return CommandOutcome.NotFound<Demand>();
        }

        if (demand.Status is PublicationStatus.Closed)
        {
            return CommandOutcome.Conflict<Demand>(text["Error.Closed"]);
        }

        var errors = new FieldErrors();
        if (Validate(input, errors) is not { } content)
        {
            return CommandOutcome.Invalid<Demand>(errors);
        }

        var now = clock.GetUtcNow();
        demand.Edit(content, now);
        db.AuditLog.Add(AuditEntry.Record(now, ownerId, "demand.edited", nameof(Demand), demand.Id.ToString()));
        if (submit)
        {
            SubmitInternal(demand, ownerId, now);
        }

        return await SaveAsync(demand, ct);
    }

    public async Task<CommandOutcome<Demand>> SubmitAsync(Guid ownerId, Guid id, CancellationToken ct = default)
    {
        var demand = await db.Demands.FirstOrDefaultAsync(d => d.Id == id && d.OwnerId == ownerId, ct);
        if (demand is null)
        {
            return CommandOutcome.NotFound<Demand>();
        }

        if (!(demand.Status is PublicationStatus.Draft or PublicationStatus.Rejected || (demand.Status is PublicationStatus.Published && demand.PendingRevision is not null)))
        {
            return CommandOutcome.Conflict<Demand>(text["Error.NotSubmittable"]);
        }

        SubmitInternal(demand, ownerId, clock.GetUtcNow());
        return await SaveAsync(demand, ct);
    }

    public async Task<CommandOutcome<Demand>> CloseAsync(Guid ownerId, Guid id, bool asOperator, CancellationToken ct = default)
    {
        var demand = await db.Demands.FirstOrDefaultAsync(d => d.Id == id && (asOperator || d.OwnerId == ownerId), ct);
        if (demand is null)
        {
            return CommandOutcome.NotFound<Demand>();
        }

        if (demand.Status is PublicationStatus.Closed)
        {
            return CommandOutcome.Conflict<Demand>(text["Error.Closed"]);
        }

        var now = clock.GetUtcNow();
        demand.Close(now);
        db.AuditLog.Add(AuditEntry.Record(now, ownerId, "demand.closed", nameof(Demand), demand.Id.ToString()));
        return await SaveAsync(demand, ct);
    }

    public async Task<CommandOutcome<Demand>> ReviewAsync(Guid operatorId, Guid id, bool approve, string? reason, CancellationToken ct = default)
    {
        reason = reason?.Trim();
        if (!approve && (string.IsNullOrEmpty(reason) || reason.Length > 500))
        {
            return CommandOutcome.Invalid<Demand>(new FieldErrors().Add("Reason", text["Error.Reason"]));
        }

        var demand = await db.Demands.FirstOrDefaultAsync(d => d.Id == id, ct);
        if (demand is null)
        {
            return CommandOutcome.NotFound<Demand>();
        }

        if (!demand.AwaitsReview)
        {
            return CommandOutcome.Conflict<Demand>(text["Error.NotInReview"]);
        }

        var now = clock.GetUtcNow();
        if (approve)
        {
            demand.Approve(now);
        }
        else
        {
            demand.Reject(reason!, now);
        }

        db.AuditLog.Add(AuditEntry.Record(now, operatorId, approve ? "demand.approved" : "demand.rejected", nameof(Demand), demand.Id.ToString(), reason));
        return await SaveAsync(demand, ct);
    }

    private void SubmitInternal(Demand demand, Guid actorId, DateTimeOffset now)
    {
        demand.Submit(now);
        var content = demand.UnderReview;
        var body = $"{content.Summary} {RichText.ToPlainText(content.DetailsHtml)}";
        if (classifier.Suggest(content.Title, body, content.BudgetMax, null, []) is { } suggestion)
        {
            demand.Classify(suggestion.Field, suggestion.Confidence, string.Join(',', suggestion.Tags));
            if (suggestion.Field != content.Field)
            {
                db.FieldCorrections.Add(new FieldCorrection
                {
                    Kind = EntityKinds.Demand,
                    EntityId = demand.Id,
                    Title = content.Title,
                    Text = body.Length > 4000 ? body[..4000] : body,
                    Suggested = suggestion.Field,
                    Chosen = content.Field,
                    At = now,
                });
            }
        }

        db.AuditLog.Add(AuditEntry.Record(now, actorId, "demand.submitted", nameof(Demand), demand.Id.ToString()));
    }

    private async Task<CommandOutcome<Demand>> SaveAsync(Demand demand, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
            return CommandOutcome.Ok(demand);
        }
        catch (DbUpdateConcurrencyException)
        {
            return CommandOutcome.Conflict<Demand>(text["Error.Concurrent"]);
        }
    }
}
