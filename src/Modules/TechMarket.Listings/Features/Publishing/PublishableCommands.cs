using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using TechMarket.Kernel.Auditing;
using TechMarket.Kernel.Http;
using TechMarket.Listings.Domain;
using TechMarket.Listings.Features.Classification;
using TechMarket.Listings.Features.Supply;
using TechMarket.Listings.Persistence;

namespace TechMarket.Listings.Features.Publishing;

/// <summary>What the classifier reads of an item under review.</summary>
public sealed record ClassificationText(string Title, string Body, decimal? Price, MaturityStage? Maturity, IReadOnlyList<TransactionMode> Modes);

/// <summary>
/// Publisher and operator actions on a publishable item (ADR 0032): create, edit, submit, close, approve, reject.
/// Every transition writes an audit row ("listing.submitted", "demand.approved", …) in the same SaveChanges as the change
/// itself, and the context adds the search change-feed row there too. Subclasses supply validation and what differs per type.
/// </summary>
public abstract class PublishableCommands<TItem, TContent, TInput>(ListingsDbContext db, TimeProvider clock, IListingClassifier classifier, IStringLocalizer<ListingsStrings> text)
    where TItem : PublishableItem<TContent>
    where TContent : class, IPublishableContent, new()
{
    private const int MaxReasonLength = 500;

    private static readonly string SubjectType = typeof(TItem).Name;

    protected ListingsDbContext Db => db;

    protected TimeProvider Clock => clock;

    protected IStringLocalizer<ListingsStrings> Text => text;

    /// <summary>"listing" or "demand": the kind in the change feed and field corrections, and the prefix of audit actions.</summary>
    protected abstract string Kind { get; }

    public async Task<CommandOutcome<TItem>> CreateAsync(Guid ownerId, TInput input, bool submit, CancellationToken ct = default)
    {
        var errors = new FieldErrors();
        if (await ValidateAsync(ownerId, input, errors, ct) is not { } content)
        {
            return CommandOutcome.Invalid<TItem>(errors);
        }

        var now = clock.GetUtcNow();
        var item = NewItem(Guid.CreateVersion7(now), ownerId, content, now);
        db.Set<TItem>().Add(item);
        Audit(now, ownerId, "created", item);
        if (submit)
        {
            SubmitInternal(item, ownerId, now);
        }

        await db.SaveChangesAsync(ct);
        return CommandOutcome.Ok(item);
    }

    public async Task<CommandOutcome<TItem>> UpdateAsync(Guid ownerId, Guid id, TInput input, bool submit, CancellationToken ct = default)
    {
        // Someone else's item is indistinguishable from a missing one: no probing of ids.
        var item = await FindAsync(id, ownerId, ct);
        if (item is null)
        {
            return CommandOutcome.NotFound<TItem>();
        }

        if (item.Status is PublicationStatus.Closed)
        {
            return CommandOutcome.Conflict<TItem>(text["Error.Closed"]);
        }

        var errors = new FieldErrors();
        if (await ValidateAsync(ownerId, input, errors, ct) is not { } content)
        {
            return CommandOutcome.Invalid<TItem>(errors);
        }

        var now = clock.GetUtcNow();
        item.Edit(content, now);
        Audit(now, ownerId, EditedAction(item), item);
        if (submit)
        {
            SubmitInternal(item, ownerId, now);
        }

        return await SaveAsync(item, ct);
    }

    public Task<CommandOutcome<TItem>> SubmitAsync(Guid ownerId, Guid id, CancellationToken ct = default) =>
        TransitionAsync(id, ownerId, item => item.CanBeSubmitted, "Error.NotSubmittable", (item, now) => SubmitInternal(item, ownerId, now), ct);

    /// <summary>The owner closes their own item; an operator closes anyone's (the audit row names whoever did it).</summary>
    public Task<CommandOutcome<TItem>> CloseAsync(Guid actorId, Guid id, bool asOperator, CancellationToken ct = default) =>
        TransitionAsync(id, asOperator ? null : actorId, item => item.Status is not PublicationStatus.Closed, "Error.Closed", (item, now) =>
        {
            item.Close(now);
            Audit(now, actorId, "closed", item);
        }, ct);

    public Task<CommandOutcome<TItem>> ApproveAsync(Guid operatorId, Guid id, CancellationToken ct = default) =>
        TransitionAsync(id, null, item => item.AwaitsReview, "Error.NotInReview", (item, now) =>
        {
            item.Approve(now);
            Audit(now, operatorId, "approved", item, ApprovalDetail(item));
        }, ct);

    public async Task<CommandOutcome<TItem>> RejectAsync(Guid operatorId, Guid id, string? reason, CancellationToken ct = default)
    {
        reason = reason?.Trim();
        if (string.IsNullOrEmpty(reason) || reason.Length > MaxReasonLength)
        {
            return CommandOutcome.Invalid<TItem>(new FieldErrors().Add("Reason", text["Error.Reason"]));
        }

        return await TransitionAsync(id, null, item => item.AwaitsReview, "Error.NotInReview", (item, now) =>
        {
            item.Reject(reason, now);
            Audit(now, operatorId, "rejected", item, reason);
        }, ct);
    }

    /// <summary>Checks the input and builds the content, or adds field errors and returns null.</summary>
    protected abstract Task<TContent?> ValidateAsync(Guid ownerId, TInput input, FieldErrors errors, CancellationToken ct);

    protected abstract TItem NewItem(Guid id, Guid ownerId, TContent content, DateTimeOffset now);

    protected abstract ClassificationText ClassificationTextOf(TContent content);

    /// <summary>The audit action (without the kind) for an edit that was applied or held as a revision.</summary>
    protected virtual string EditedAction(TItem item) => "edited";

    /// <summary>The audit detail of an approval.</summary>
    protected virtual string? ApprovalDetail(TItem item) => null;

    /// <summary>
    /// P1: on submit the classifier suggests a field and attribute tags; both are stored with the item. When the
    /// publisher's chosen field differs from the suggestion, the pair is kept as a correction for retraining.
    /// </summary>
    private void SubmitInternal(TItem item, Guid actorId, DateTimeOffset now)
    {
        item.Submit(now);
        var content = item.UnderReview;
        var read = ClassificationTextOf(content);
        if (classifier.Suggest(read.Title, read.Body, read.Price, read.Maturity, read.Modes) is { } suggestion)
        {
            item.Classify(suggestion.Field, suggestion.Confidence, string.Join(',', suggestion.Tags));
            if (suggestion.Field != content.Field)
            {
                db.FieldCorrections.Add(new FieldCorrection
                {
                    Kind = Kind,
                    EntityId = item.Id,
                    Title = content.Title,
                    Text = read.Body.Length > 4000 ? read.Body[..4000] : read.Body,
                    Suggested = suggestion.Field,
                    Chosen = content.Field,
                    At = now,
                });
            }
        }

        Audit(now, actorId, "submitted", item);
    }

    /// <summary>With an owner, someone else's item is not found; without one (operators), any item is.</summary>
    private Task<TItem?> FindAsync(Guid id, Guid? ownerId, CancellationToken ct)
    {
        var items = db.Set<TItem>().Where(i => i.Id == id);
        if (ownerId is { } owner)
        {
            items = items.Where(i => i.OwnerId == owner);
        }

        return items.FirstOrDefaultAsync(ct);
    }

    /// <summary>
    /// Loads the item (only the owner's when an owner is given), answers a conflict with the given message when the
    /// transition is not allowed from its state, else applies it and saves.
    /// </summary>
    private async Task<CommandOutcome<TItem>> TransitionAsync(Guid id, Guid? ownerId, Func<TItem, bool> allowed, string refusal, Action<TItem, DateTimeOffset> transition, CancellationToken ct)
    {
        var item = await FindAsync(id, ownerId, ct);
        if (item is null)
        {
            return CommandOutcome.NotFound<TItem>();
        }

        if (!allowed(item))
        {
            return CommandOutcome.Conflict<TItem>(text[refusal]);
        }

        transition(item, clock.GetUtcNow());
        return await SaveAsync(item, ct);
    }

    private void Audit(DateTimeOffset now, Guid actorId, string action, TItem item, string? detail = null) =>
        db.AuditLog.Add(AuditEntry.Record(now, actorId, $"{Kind}.{action}", SubjectType, item.Id.ToString(), detail));

    private async Task<CommandOutcome<TItem>> SaveAsync(TItem item, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
            return CommandOutcome.Ok(item);
        }
        catch (DbUpdateConcurrencyException)
        {
            return CommandOutcome.Conflict<TItem>(text["Error.Concurrent"]);
        }
    }
}
