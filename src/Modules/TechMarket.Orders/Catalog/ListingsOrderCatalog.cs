using TechMarket.Listings;

namespace TechMarket.Orders.Catalog;

/// <summary>Adapts the Listings module's public catalog (<see cref="IListingCatalog"/>) to what Orders needs.</summary>
internal sealed class ListingsOrderCatalog(IListingCatalog listings) : IOrderCatalog
{
    public async Task<OrderableListing?> FindAsync(Guid listingId, CancellationToken cancellationToken = default)
    {
        var l = await listings.FindAsync(listingId, cancellationToken);
        return l is null
            ? null
            : new OrderableListing(l.Id, l.SellerId, l.Title, l.Modes.Select(m => m.ToString()).ToList(), l.Price, l.RemainingQuantity, l.IsPublished);
    }

    public async Task<StockReservation> ReserveAsync(Guid listingId, int quantity, CancellationToken cancellationToken = default) =>
        await listings.ReserveAsync(listingId, quantity, cancellationToken) switch
        {
            ReserveResult.Reserved => StockReservation.Reserved,
            ReserveResult.SoldOut => StockReservation.SoldOut,
            ReserveResult.NotPublished => StockReservation.Closed,
            _ => StockReservation.NotFound,
        };

    public Task ReleaseAsync(Guid listingId, int quantity, CancellationToken cancellationToken = default) =>
        listings.ReleaseAsync(listingId, quantity, cancellationToken);
}
