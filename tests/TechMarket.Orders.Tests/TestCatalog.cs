using System.Data.Common;
using TechMarket.Orders.Catalog;

namespace TechMarket.Orders.Tests;

/// <summary>
/// Listings for the tests while the Listings module is not wired into this branch: the same contract (atomic
/// reserve, release). <see cref="EnforceStock"/> off shows that the Orders table alone still sells an exclusive
/// licence once. It keeps stock in memory, so it cannot join the Orders transaction; the transactional behaviour
/// is tested against the real Listings module (StockTransactionTests).
/// </summary>
public sealed class TestCatalog : IOrderCatalog
{
    private readonly Lock gate = new();
    private readonly Dictionary<Guid, OrderableListing> listings = [];

    public bool EnforceStock { get; set; } = true;

    public OrderableListing Add(Guid sellerId, decimal? price = 1000m, int? stock = null, bool open = true, params string[] modes)
    {
        var listing = new OrderableListing(Guid.NewGuid(), sellerId, "一种锂电池正极材料的制备方法", modes.Length == 0 ? ["ExclusiveLicense", "OrdinaryLicense"] : modes, price, stock, open);
        lock (gate)
        {
            listings[listing.Id] = listing;
        }

        return listing;
    }

    /// <summary>A listing whose price is negotiable (no list price): buyers order at a seller's quote.</summary>
    public OrderableListing AddNegotiable(Guid sellerId, int? stock = null)
    {
        var listing = new OrderableListing(Guid.NewGuid(), sellerId, "一种氢燃料电池双极板的冲压成形工艺", ["OrdinaryLicense", "ExclusiveLicense"], null, stock, true, Negotiable: true);
        lock (gate)
        {
            listings[listing.Id] = listing;
        }

        return listing;
    }

    public int? Remaining(Guid id)
    {
        lock (gate)
        {
            return listings[id].RemainingQuantity;
        }
    }

    public Task<OrderableListing?> FindAsync(Guid listingId, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            return Task.FromResult(listings.GetValueOrDefault(listingId));
        }
    }

    public Task<StockReservation> ReserveAsync(Guid listingId, int quantity, DbTransaction transaction, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            if (!listings.TryGetValue(listingId, out var l))
            {
                return Task.FromResult(StockReservation.NotFound);
            }

            if (!l.IsOpen)
            {
                return Task.FromResult(StockReservation.Closed);
            }

            if (l.RemainingQuantity is null || !EnforceStock)
            {
                return Task.FromResult(StockReservation.Unlimited);
            }

            if (l.RemainingQuantity < quantity)
            {
                return Task.FromResult(StockReservation.SoldOut);
            }

            listings[listingId] = l with { RemainingQuantity = l.RemainingQuantity - quantity };
            return Task.FromResult(StockReservation.Reserved);
        }
    }

    public Task ReleaseAsync(Guid listingId, int quantity, DbTransaction transaction, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            if (listings.TryGetValue(listingId, out var l) && l.RemainingQuantity is { } left)
            {
                listings[listingId] = l with { RemainingQuantity = left + quantity };
            }
        }

        return Task.CompletedTask;
    }
}
