using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using TechMarket.Kernel.Auditing;
using TechMarket.Kernel.Http;
using TechMarket.Listings.Domain;
using TechMarket.Listings.Features.Classification;
using TechMarket.Listings.Persistence;

namespace TechMarket.Listings.Features.Supply;

public enum CommandStatus
{
    Ok,
    Invalid,
    NotFound,
    Conflict,
}

public sealed record CommandOutcome<T>(CommandStatus Status, T? Value, FieldErrors Errors);

public static class CommandOutcome
{
    public static CommandOutcome<T> Ok<T>(T value) => new(CommandStatus.Ok, value, new FieldErrors());
    public static CommandOutcome<T> Invalid<T>(FieldErrors errors) => new(CommandStatus.Invalid, default, errors);
    public static CommandOutcome<T> NotFound<T>() => new(CommandStatus.NotFound, default, new FieldErrors());
    public static CommandOutcome<T> Conflict<T>(string message) => new(CommandStatus.Conflict, default, new FieldErrors().Add("", message));
}

/// <summary>Publisher and operator actions on supply listings. Every transition writes an audit row in the same SaveChanges.</summary>
public sealed class ListingCommands(ListingsDbContext db, TimeProvider clock, IListingClassifier classifier, IStringLocalizer<ListingsStrings> text)
{
    public async Task<CommandOutcome<Listing>> CreateAsync(Guid ownerId, ListingInput input, bool submit, CancellationToken ct = default)
    {
        var errors = new FieldErrors();
        if (ListingValidation.Validate(input, errors, text) is not { } content || !await OwnsFilesAsync(ownerId, content, errors, ct))
        {
            return CommandOutcome.Invalid<Listing>(errors);
        }

        var now = clock.GetUtcNow();
        var listing = Listing.Create(Guid.CreateVersion7(now), ownerId, content, now);
        db.Listings.Add(listing);
        db.AuditLog.Add(AuditEntry.Record(now, ownerId, "listing.created", nameof(Listing), listing.Id.ToString()));
        if (submit)
        {
            SubmitInternal(listing, ownerId, now);
        }

        await db.SaveChangesAsync(ct);
        return CommandOutcome.Ok(listing);
    }

    public async Task<CommandOutcome<Listing>> UpdateAsync(Guid ownerId, Guid id, ListingInput input, bool submit, CancellationToken ct = default)
    {
        // Someone else's listing is indistinguishable from a missing one: no probing of ids.
        var listing = await db.Listings.FirstOrDefaultAsync(l => l.Id == id && l.OwnerId == ownerId, ct);
        if (listing is null)
        {
            return CommandOutcome.NotFound<Listing>();
        }

        if (listing.Status is PublicationStatus.Closed)
        {
            return CommandOutcome.Conflict<Listing>(text["Error.Closed"]);
        }

        var errors = new FieldErrors();
        if (ListingValidation.Validate(input, errors, text) is not { } content || !await OwnsFilesAsync(ownerId, content, errors, ct))
        {
            return CommandOutcome.Invalid<Listing>(errors);
        }

        var now = clock.GetUtcNow();
        listing.Edit(content, now);
        db.AuditLog.Add(AuditEntry.Record(now, ownerId, listing.HasPendingRevision ? "listing.revised" : "listing.edited", nameof(Listing), listing.Id.ToString()));
        if (submit)
        {
            SubmitInternal(listing, ownerId, now);
        }

        return await SaveAsync(listing, ct);
    }

    public async Task<CommandOutcome<Listing>> SubmitAsync(Guid ownerId, Guid id, CancellationToken ct = default)
    {
        var listing = await db.Listings.FirstOrDefaultAsync(l => l.Id == id && l.OwnerId == ownerId, ct);
        if (listing is null)
        {
            return CommandOutcome.NotFound<Listing>();
        }

        if (!(listing.Status is PublicationStatus.Draft or PublicationStatus.Rejected || (listing.Status is PublicationStatus.Published && listing.HasPendingRevision)))
        {
            return CommandOutcome.Conflict<Listing>(text["Error.NotSubmittable"]);
        }

        SubmitInternal(listing, ownerId, clock.GetUtcNow());
        return await SaveAsync(listing, ct);
    }

    public async Task<CommandOutcome<Listing>> CloseAsync(Guid ownerId, Guid id, bool asOperator, CancellationToken ct = default)
    {
        var listing = await db.Listings.FirstOrDefaultAsync(l => l.Id == id && (asOperator || l.OwnerId == ownerId), ct);
        if (listing is null)
        {
            return CommandOutcome.NotFound<Listing>();
        }

        if (listing.Status is PublicationStatus.Closed)
        {
            return CommandOutcome.Conflict<Listing>(text["Error.Closed"]);
        }

        var now = clock.GetUtcNow();
        listing.Close(now);
        db.AuditLog.Add(AuditEntry.Record(now, ownerId, "listing.closed", nameof(Listing), listing.Id.ToString()));
        return await SaveAsync(listing, ct);
    }

    public async Task<CommandOutcome<Listing>> ApproveAsync(Guid operatorId, Guid id, CancellationToken ct = default)
    {
        var listing = await db.Listings.FirstOrDefaultAsync(l => l.Id == id, ct);
        if (listing is null)
        {
            return CommandOutcome.NotFound<Listing>();
        }

        if (!listing.AwaitsReview)
        {
            return CommandOutcome.Conflict<Listing>(text["Error.NotInReview"]);
        }

        var now = clock.GetUtcNow();
        listing.Approve(now);
        db.AuditLog.Add(AuditEntry.Record(now, operatorId, "listing.approved", nameof(Listing), listing.Id.ToString(), $"revision {listing.Revision}"));
        return await SaveAsync(listing, ct);
    }

    public async Task<CommandOutcome<Listing>> RejectAsync(Guid operatorId, Guid id, string? reason, CancellationToken ct = default)
    {
        reason = reason?.Trim();
        if (string.IsNullOrEmpty(reason) || reason.Length > 500)
        {
            return CommandOutcome.Invalid<Listing>(new FieldErrors().Add("Reason", text["Error.Reason"]));
        }

        var listing = await db.Listings.FirstOrDefaultAsync(l => l.Id == id, ct);
        if (listing is null)
        {
            return CommandOutcome.NotFound<Listing>();
        }

        if (!listing.AwaitsReview)
        {
            return CommandOutcome.Conflict<Listing>(text["Error.NotInReview"]);
        }

        var now = clock.GetUtcNow();
        listing.Reject(reason, now);
        db.AuditLog.Add(AuditEntry.Record(now, operatorId, "listing.rejected", nameof(Listing), listing.Id.ToString(), reason));
        return await SaveAsync(listing, ct);
    }

    /// <summary>
    /// P1: on submit the classifier suggests a field and attribute tags; both are stored with the listing. When the
    /// publisher's chosen field differs from the suggestion, the pair is kept as a correction for retraining.
    /// </summary>
    private void SubmitInternal(Listing listing, Guid actorId, DateTimeOffset now)
    {
        listing.Submit(now);
        var content = listing.UnderReview;
        var body = $"{content.Abstract} {RichText.ToPlainText(content.DescriptionHtml)}";
        if (classifier.Suggest(content.Title, body, content.Price ?? content.PriceMax, content.Maturity, content.Modes) is { } suggestion)
        {
            listing.Classify(suggestion.Field, suggestion.Confidence, string.Join(',', suggestion.Tags));
            if (suggestion.Field != content.Field)
            {
                db.FieldCorrections.Add(new FieldCorrection
                {
                    Kind = EntityKinds.Listing,
                    EntityId = listing.Id,
                    Title = content.Title,
                    Text = body.Length > 4000 ? body[..4000] : body,
                    Suggested = suggestion.Field,
                    Chosen = content.Field,
                    At = now,
                });
            }
        }

        db.AuditLog.Add(AuditEntry.Record(now, actorId, "listing.submitted", nameof(Listing), listing.Id.ToString()));
    }

    /// <summary>Images and attachments must be files this publisher uploaded; nobody can attach another member's upload.</summary>
    private async Task<bool> OwnsFilesAsync(Guid ownerId, ListingContent content, FieldErrors errors, CancellationToken ct)
    {
        var keys = content.Images.Concat(content.Attachments).Distinct().ToList();
        if (keys.Count == 0 || await db.Files.CountAsync(f => keys.Contains(f.Key) && f.OwnerId == ownerId, ct) == keys.Count)
        {
            return true;
        }

        errors.Add("Images", text["Error.Files"]);
        return false;
    }

    private async Task<CommandOutcome<Listing>> SaveAsync(Listing listing, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
            return CommandOutcome.Ok(listing);
        }
        catch (DbUpdateConcurrencyException)
        {
            return CommandOutcome.Conflict<Listing>(text["Error.Concurrent"]);
        }
    }
}
