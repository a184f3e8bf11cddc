using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using TechMarket.Kernel.Http;
using TechMarket.Listings.Domain;
using TechMarket.Listings.Features.Classification;
using TechMarket.Listings.Features.Publishing;
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

/// <summary>Publisher and operator actions on supply listings; the lifecycle and its audit rows are shared with demands.</summary>
public sealed class ListingCommands(ListingsDbContext db, TimeProvider clock, IListingClassifier classifier, IStringLocalizer<ListingsStrings> text)
    : PublishableCommands<Listing, ListingContent, ListingInput>(db, clock, classifier, text)
{
    protected override string Kind => EntityKinds.Listing;

    protected override async Task<ListingContent?> ValidateAsync(Guid ownerId, ListingInput input, FieldErrors errors, CancellationToken ct) =>
        ListingValidation.Validate(input, errors, Text) is { } content && await OwnsFilesAsync(ownerId, content, errors, ct) ? content : null;

    protected override Listing NewItem(Guid id, Guid ownerId, ListingContent content, DateTimeOffset now) => Listing.Create(id, ownerId, content, now);

    protected override ClassificationText ClassificationTextOf(ListingContent content) =>
        new(content.Title, $"{content.Abstract} {RichText.ToPlainText(content.DescriptionHtml)}", content.Price ?? content.PriceMax, content.Maturity, content.Modes);

    protected override string EditedAction(Listing listing) => listing.HasPendingRevision ? "revised" : "edited";

    protected override string? ApprovalDetail(Listing listing) => $"revision {listing.Revision}";

    /// <summary>Images and attachments must be files this publisher uploaded; nobody can attach another member's upload.</summary>
    private async Task<bool> OwnsFilesAsync(Guid ownerId, ListingContent content, FieldErrors errors, CancellationToken ct)
    {
        var keys = content.Images.Concat(content.Attachments).Distinct().ToList();
        if (keys.Count == 0 || await Db.Files.CountAsync(f => keys.Contains(f.Key) && f.OwnerId == ownerId, ct) == keys.Count)
        {
            return true;
        }

        errors.Add("Images", Text["Error.Files"]);
        return false;
    }
}
