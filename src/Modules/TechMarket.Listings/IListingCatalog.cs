using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using TechMarket.Kernel.Auditing;
using TechMarket.Kernel.Persistence;
using TechMarket.Listings.Domain;
using TechMarket.Listings.Persistence;

namespace TechMarket.Listings;

/// <summary>What another module (Orders) needs to know about a published listing to sell it.</summary>
public sealed record CatalogListing(Guid Id, Guid SellerId, string Title, ListingType Type, IReadOnlyList<TransactionMode> Modes, PricingKind Pricing, decimal? Price, string Currency, int? RemainingQuantity, bool IsPublished);

public enum ReserveResult
{
    Reserved,
    NotFound,
    NotPublished,
    SoldOut,
}

/// <summary>The Listings module's public interface for other modules.</summary>
public interface IListingCatalog
{
    /// <summary>The listing as a buyer may order it, or null when it does not exist.</summary>
    Task<CatalogListing?> FindAsync(Guid listingId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Takes <paramref name="quantity"/> units from a listing's stock in one conditional UPDATE, so two buyers racing for a
    /// transfer or an exclusive licence (stock 1) cannot both succeed. Listings without a stock limit always succeed.
    /// </summary>
    Task<ReserveResult> ReserveAsync(Guid listingId, int quantity, CancellationToken cancellationToken = default);

    /// <summary>Gives units back (a cancelled or refunded order).</summary>
    Task ReleaseAsync(Guid listingId, int quantity, CancellationToken cancellationToken = default);

    /// <summary>
    /// <see cref="ReserveAsync(Guid, int, CancellationToken)"/> inside the caller's open database transaction (another
    /// module's context on the same database): the stock change and its change-feed row commit or roll back with the
    /// caller's own writes (ADR 0020).
    /// </summary>
    Task<ReserveResult> ReserveAsync(Guid listingId, int quantity, DbTransaction transaction, CancellationToken cancellationToken = default);

    /// <summary><see cref="ReleaseAsync(Guid, int, CancellationToken)"/> inside the caller's open database transaction.</summary>
    Task ReleaseAsync(Guid listingId, int quantity, DbTransaction transaction, CancellationToken cancellationToken = default);
}

internal sealed class ListingCatalog(ListingsDbContext db, DbContextOptions<ListingsDbContext> options, TimeProvider clock) : IListingCatalog
{
    public async Task<CatalogListing?> FindAsync(Guid listingId, CancellationToken cancellationToken = default)
    {
        var l = await db.Listings.AsNoTracking().FirstOrDefaultAsync(x => x.Id == listingId, cancellationToken);
        return l is null
            ? null
            : new CatalogListing(l.Id, l.OwnerId, l.Content.Title, l.Content.Type, l.Content.Modes, l.Content.Pricing, l.Content.Price, "CNY", l.RemainingQuantity, l.Status == PublicationStatus.Published);
    }

    public Task<ReserveResult> ReserveAsync(Guid listingId, int quantity, CancellationToken cancellationToken = default) =>
        ReserveAsync(db, listingId, quantity, cancellationToken);

    public Task ReleaseAsync(Guid listingId, int quantity, CancellationToken cancellationToken = default) =>
        ReleaseAsync(db, listingId, quantity, cancellationToken);

    public async Task<ReserveResult> ReserveAsync(Guid listingId, int quantity, DbTransaction transaction, CancellationToken cancellationToken = default)
    {
        await using var joined = await JoinAsync(transaction, cancellationToken);
        return await ReserveAsync(joined, listingId, quantity, cancellationToken);
    }

    public async Task ReleaseAsync(Guid listingId, int quantity, DbTransaction transaction, CancellationToken cancellationToken = default)
    {
        await using var joined = await JoinAsync(transaction, cancellationToken);
        await ReleaseAsync(joined, listingId, quantity, cancellationToken);
    }

    private Task<ListingsDbContext> JoinAsync(DbTransaction transaction, CancellationToken cancellationToken) =>
        new ListingsDbContext(options, clock).JoinAsync(transaction, cancellationToken);

    private async Task<ReserveResult> ReserveAsync(ListingsDbContext db, Guid listingId, int quantity, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(quantity);
        // The stock change and its change-feed row commit together (joining the caller's transaction if there is one).
        await using var tx = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(cancellationToken) : null;
        var updated = await db.Listings
            .Where(l => l.Id == listingId && l.Status == PublicationStatus.Published && l.RemainingQuantity != null && l.RemainingQuantity >= quantity)
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.RemainingQuantity, l => l.RemainingQuantity - quantity), cancellationToken);
        if (updated == 1)
        {
            await RecordAsync(db, listingId, $"reserved {quantity}", cancellationToken);
            if (tx is not null)
            {
                await tx.CommitAsync(cancellationToken);
            }

            return ReserveResult.Reserved;
        }

        var state = await db.Listings.AsNoTracking().Where(l => l.Id == listingId).Select(l => new { l.Status, l.RemainingQuantity }).FirstOrDefaultAsync(cancellationToken);
        return state switch
        {
            null => ReserveResult.NotFound,
            { Status: not PublicationStatus.Published } => ReserveResult.NotPublished,
            { RemainingQuantity: null } => ReserveResult.Reserved,
            _ => ReserveResult.SoldOut,
        };
    }

    private async Task ReleaseAsync(ListingsDbContext db, Guid listingId, int quantity, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(quantity);
        await using var tx = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(cancellationToken) : null;
        var updated = await db.Listings
            .Where(l => l.Id == listingId && l.RemainingQuantity != null)
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.RemainingQuantity, l => l.RemainingQuantity + quantity), cancellationToken);
        if (updated == 1)
        {
            await RecordAsync(db, listingId, $"released {quantity}", cancellationToken);
            if (tx is not null)
            {
                await tx.CommitAsync(cancellationToken);
            }
        }
    }

    // The change row lets search show "sold out"; the audit row says who moved stock. Both follow the conditional UPDATE.
    private async Task RecordAsync(ListingsDbContext db, Guid listingId, string detail, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        db.SearchChanges.Add(new SearchChange { Kind = EntityKinds.Listing, EntityId = listingId, At = now });
        db.AuditLog.Add(AuditEntry.Record(now, null, "listing.stock", nameof(Listing), listingId.ToString(), detail));
        await db.SaveChangesAsync(cancellationToken);
    }
}
