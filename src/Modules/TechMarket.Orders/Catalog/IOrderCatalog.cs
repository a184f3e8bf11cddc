using System.Data.Common;

namespace TechMarket.Orders.Catalog;

/// <summary>What Orders needs to know about a listing to sell it (a narrow port onto the Listings module).</summary>
/// <param name="Modes">The listing's transaction modes by name (Transfer, ExclusiveLicense, …).</param>
/// <param name="Price">Unit price in CNY, or null when the price is negotiable and not yet quoted.</param>
/// <param name="RemainingQuantity">Units left, or null when the listing has no stock limit.</param>
/// <param name="IsOpen">Published and not closed.</param>
/// <param name="Negotiable">The price is negotiable: buyers may ask the seller for a quote (O2).</param>
public sealed record OrderableListing(Guid Id, Guid SellerId, string Title, IReadOnlyList<string> Modes, decimal? Price, int? RemainingQuantity, bool IsOpen, bool Negotiable = false)
{
    /// <summary>A transfer or an exclusive licence sells exactly once.</summary>
    public static bool SellsOnce(string mode) => mode is "Transfer" or "ExclusiveLicense";
}

public enum StockReservation
{
    Reserved,
    Unlimited,
    SoldOut,
    Closed,
    NotFound,
}

/// <summary>The listings the Orders module can sell; the host adapts the Listings module's public catalog to it.</summary>
public interface IOrderCatalog
{
    Task<OrderableListing?> FindAsync(Guid listingId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Takes units from the listing's stock atomically (a conditional update), or says why not, inside the Orders
    /// transaction <paramref name="transaction"/>: the stock change commits or rolls back with the order (ADR 0020).
    /// </summary>
    Task<StockReservation> ReserveAsync(Guid listingId, int quantity, DbTransaction transaction, CancellationToken cancellationToken = default);

    /// <summary>Gives units back after a cancellation or a refund, inside the Orders transaction that records it.</summary>
    Task ReleaseAsync(Guid listingId, int quantity, DbTransaction transaction, CancellationToken cancellationToken = default);
}
