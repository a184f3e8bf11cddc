using Microsoft.Extensions.Localization;
using TechMarket.Kernel.Http;
using TechMarket.Listings.Domain;
using TechMarket.Listings.Features.Classification;
using TechMarket.Listings.Features.Publishing;
using TechMarket.Listings.Persistence;

namespace TechMarket.Listings.Features.Demands;

/// <summary>Publisher and operator actions on technology demands; the lifecycle and its audit rows are shared with supply listings.</summary>
public sealed class DemandCommands(ListingsDbContext db, TimeProvider clock, IListingClassifier classifier, IStringLocalizer<ListingsStrings> text)
    : PublishableCommands<Demand, DemandContent, DemandInput>(db, clock, classifier, text)
{
    protected override string Kind => EntityKinds.Demand;

    protected override Task<DemandContent?> ValidateAsync(Guid ownerId, DemandInput input, FieldErrors errors, CancellationToken ct) =>
        Task.FromResult(DemandValidation.Validate(input, errors, Text, DateOnly.FromDateTime(Clock.GetUtcNow().UtcDateTime)));

    protected override Demand NewItem(Guid id, Guid ownerId, DemandContent content, DateTimeOffset now) => Demand.Create(id, ownerId, content, now);

    protected override ClassificationText ClassificationTextOf(DemandContent content) =>
        new(content.Title, $"{content.Summary} {RichText.ToPlainText(content.DetailsHtml)}", content.BudgetMax, null, []);
}
