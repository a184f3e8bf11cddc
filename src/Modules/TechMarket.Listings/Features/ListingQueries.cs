using Microsoft.EntityFrameworkCore;
using TechMarket.Listings.Domain;
using TechMarket.Listings.Persistence;

namespace TechMarket.Listings.Features;

public sealed record ListingView(
    Guid Id,
    Guid OwnerId,
    PublicationStatus Status,
    ListingContent Content,
    ListingContent? PendingRevision,
    bool RevisionSubmitted,
    int Revision,
    int? RemainingQuantity,
    TechField? SuggestedField,
    float? SuggestedConfidence,
    IReadOnlyList<string> AttributeTags,
    string? RejectionReason,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? PublishedAt)
{
    public static ListingView Of(Listing l, bool owner) => new(
        l.Id, l.OwnerId, l.Status, l.Content, owner ? l.PendingRevision : null, l.AwaitsReview, l.Revision, l.RemainingQuantity,
        l.SuggestedField, l.SuggestedConfidence, Split(l.AttributeTags), owner ? l.RejectionReason : null, l.CreatedAt, l.UpdatedAt, l.PublishedAt);

    internal static IReadOnlyList<string> Split(string tags) => tags.Split(',', StringSplitOptions.RemoveEmptyEntries);
}

/// <summary>A demand as a given viewer may see it: confidential details only for verified members and the owner.</summary>
public sealed record DemandView(
    Guid Id,
    Guid OwnerId,
    PublicationStatus Status,
    string Title,
    string Summary,
    string? DetailsHtml,
    bool DetailsHidden,
    TechField Field,
    string Province,
    string? City,
    decimal? BudgetMin,
    decimal? BudgetMax,
    DateOnly? Deadline,
    bool Confidential,
    string Tags,
    DemandContent? PendingRevision,
    TechField? SuggestedField,
    IReadOnlyList<string> AttributeTags,
    string? RejectionReason,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? PublishedAt)
{
    public static DemandView Of(Demand d, bool owner, bool verified)
    {
        var c = d.Content;
        var hide = c.Confidential && !owner && !verified;
        return new(d.Id, d.OwnerId, d.Status, c.Title, c.Summary, hide ? null : c.DetailsHtml, hide, c.Field, c.Province, c.City, c.BudgetMin, c.BudgetMax,
            c.Deadline, c.Confidential, c.Tags, owner ? d.PendingRevision : null, d.SuggestedField, ListingView.Split(d.AttributeTags), owner ? d.RejectionReason : null, d.UpdatedAt, d.PublishedAt);
    }
}

public sealed record ReviewItem(string Kind, Guid Id, string Title, Guid OwnerId, bool IsRevision, TechField Field, TechField? SuggestedField, DateTimeOffset? SubmittedAt);

public sealed record StatRow(string Dimension, string Key, int Count);

public sealed record ProfileView(Guid Id, Guid MemberId, ProfileKind Kind, string Name, string? JobTitle, string? Affiliation, InstitutionKind? InstitutionKind, Guid? InstitutionId, IReadOnlyList<TechField> Fields, string Province, string Introduction, string Achievements, bool AvailableForConsultation)
{
    public static ProfileView Of(Profile p) => new(p.Id, p.MemberId, p.Kind, p.Name, p.JobTitle, p.Affiliation, p.InstitutionKind, p.InstitutionId, p.Fields, p.Province, p.Introduction, p.Achievements, p.AvailableForConsultation);
}

public sealed record ListingCard(Guid Id, string Title, ListingType Type, TechField Field, string Province, PublicationStatus Status, bool AwaitsReview, DateTimeOffset UpdatedAt);

public sealed class ListingQueries(ListingsDbContext db)
{
    /// <summary>Published listings for everyone; the owner and operators also see drafts and closed ones.</summary>
    public Task<Listing?> FindListingAsync(Guid id, Guid? viewer, bool staff, CancellationToken ct = default) =>
        FindVisibleAsync<Listing, ListingContent>(id, viewer, staff, ct);

    public Task<Demand?> FindDemandAsync(Guid id, Guid? viewer, bool staff, CancellationToken ct = default) =>
        FindVisibleAsync<Demand, DemandContent>(id, viewer, staff, ct);

    public async Task<IReadOnlyList<ListingCard>> MyListingsAsync(Guid owner, CancellationToken ct = default)
    {
        var rows = await db.Listings.AsNoTracking().Where(l => l.OwnerId == owner).OrderByDescending(l => l.UpdatedAt).Take(200).ToListAsync(ct);
        return rows.Select(l => new ListingCard(l.Id, l.Title, l.Type, l.Field, l.Province, l.Status, l.AwaitsReview, l.UpdatedAt)).ToList();
    }

    public async Task<IReadOnlyList<Demand>> MyDemandsAsync(Guid owner, CancellationToken ct = default) =>
        await db.Demands.AsNoTracking().Where(d => d.OwnerId == owner).OrderByDescending(d => d.UpdatedAt).Take(200).ToListAsync(ct);

    /// <summary>Everything waiting for an operator, oldest first: new submissions and revisions of published items.</summary>
    public async Task<IReadOnlyList<ReviewItem>> ReviewQueueAsync(CancellationToken ct = default)
    {
        var listings = await AwaitingReviewAsync<Listing, ListingContent>(EntityKinds.Listing, ct);
        var demands = await AwaitingReviewAsync<Demand, DemandContent>(EntityKinds.Demand, ct);
        return listings.Concat(demands).OrderBy(i => i.SubmittedAt).ToList();
    }

    public async Task<Profile?> FindProfileAsync(Guid id, CancellationToken ct = default) =>
        await db.Profiles.AsNoTracking().FirstOrDefaultAsync(p => p.Id == id, ct);

    public async Task<Profile?> ProfileOfAsync(Guid memberId, CancellationToken ct = default) =>
        await db.Profiles.AsNoTracking().FirstOrDefaultAsync(p => p.MemberId == memberId, ct);

    /// <summary>An institution lists the published listings of its own account and of the experts who belong to it.</summary>
    public async Task<IReadOnlyList<ListingCard>> InstitutionListingsAsync(Profile institution, CancellationToken ct = default)
    {
        var members = await db.Profiles.AsNoTracking().Where(p => p.InstitutionId == institution.Id).Select(p => p.MemberId).ToListAsync(ct);
        members.Add(institution.MemberId);
        var rows = await db.Listings.AsNoTracking().Where(l => members.Contains(l.OwnerId) && l.Status == PublicationStatus.Published).OrderByDescending(l => l.PublishedAt).Take(100).ToListAsync(ct);
        return rows.Select(l => new ListingCard(l.Id, l.Title, l.Type, l.Field, l.Province, l.Status, false, l.UpdatedAt)).ToList();
    }

    public async Task<IReadOnlyList<ProfileView>> InstitutionMembersAsync(Guid institutionId, CancellationToken ct = default) =>
        (await db.Profiles.AsNoTracking().Where(p => p.InstitutionId == institutionId).OrderBy(p => p.Name).ToListAsync(ct)).Select(ProfileView.Of).ToList();

    /// <summary>
    /// P2 data: published supply and demand counted per field, region, type and month. Grouping runs in the database on
    /// the denormalised columns; months are grouped in memory from publication dates (provider-neutral).
    /// </summary>
    public async Task<IReadOnlyList<StatRow>> StatisticsAsync(CancellationToken ct = default)
    {
        var rows = new List<StatRow>();
        var listings = db.Listings.AsNoTracking().Where(l => l.Status == PublicationStatus.Published);
        var demands = db.Demands.AsNoTracking().Where(d => d.Status == PublicationStatus.Published);
        rows.AddRange((await listings.GroupBy(l => l.Field).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct)).Select(g => new StatRow("supply.field", g.Key.ToString(), g.Count)));
        rows.AddRange((await listings.GroupBy(l => l.Province).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct)).Select(g => new StatRow("supply.region", g.Key, g.Count)));
        rows.AddRange((await listings.GroupBy(l => l.Type).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct)).Select(g => new StatRow("supply.type", g.Key.ToString(), g.Count)));
        rows.AddRange((await demands.GroupBy(d => d.Field).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct)).Select(g => new StatRow("demand.field", g.Key.ToString(), g.Count)));
        rows.AddRange((await demands.GroupBy(d => d.Province).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct)).Select(g => new StatRow("demand.region", g.Key, g.Count)));
        var supplyMonths = await listings.Select(l => l.PublishedAt).ToListAsync(ct);
        rows.AddRange(supplyMonths.Where(d => d.HasValue).GroupBy(d => d!.Value.ToString("yyyy-MM")).OrderBy(g => g.Key).Select(g => new StatRow("supply.month", g.Key, g.Count())));
        var demandMonths = await demands.Select(d => d.PublishedAt).ToListAsync(ct);
        rows.AddRange(demandMonths.Where(d => d.HasValue).GroupBy(d => d!.Value.ToString("yyyy-MM")).OrderBy(g => g.Key).Select(g => new StatRow("demand.month", g.Key, g.Count())));
        return rows;
    }

    private async Task<TItem?> FindVisibleAsync<TItem, TContent>(Guid id, Guid? viewer, bool staff, CancellationToken ct)
        where TItem : PublishableItem<TContent>
        where TContent : class, IPublishableContent, new()
    {
        var item = await db.Set<TItem>().AsNoTracking().FirstOrDefaultAsync(x => x.Id == id, ct);
        return item is not null && (item.Status == PublicationStatus.Published || item.OwnerId == viewer || staff) ? item : null;
    }

    /// <summary>The database narrows to candidates; whether a published item's revision was submitted is decided in memory.</summary>
    private async Task<IEnumerable<ReviewItem>> AwaitingReviewAsync<TItem, TContent>(string kind, CancellationToken ct)
        where TItem : PublishableItem<TContent>
        where TContent : class, IPublishableContent, new()
    {
        var rows = await db.Set<TItem>().AsNoTracking()
            .Where(i => i.SubmittedAt != null && (i.Status == PublicationStatus.Submitted || i.Status == PublicationStatus.Published))
            .ToListAsync(ct);
        return rows.Where(i => i.AwaitsReview)
            .Select(i => new ReviewItem(kind, i.Id, i.UnderReview.Title, i.OwnerId, i.Status == PublicationStatus.Published, i.UnderReview.Field, i.SuggestedField, i.SubmittedAt));
    }
}
