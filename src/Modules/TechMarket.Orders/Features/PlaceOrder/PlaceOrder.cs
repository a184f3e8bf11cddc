using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Logging;
using TechMarket.Orders.Catalog;
using TechMarket.Orders.Domain;
using TechMarket.Orders.Features.Workflow;
using TechMarket.Orders.Payments;
using TechMarket.Orders.Persistence;

namespace TechMarket.Orders.Features.PlaceOrder;

/// <summary>The buyer's purchase information; <paramref name="QuoteId"/> orders at the seller's negotiated price for this buyer.</summary>
public sealed record PlaceOrderRequest(Guid ListingId, string? Mode, int Quantity, string? ContactName, string? ContactPhone, string? Note, Guid? QuoteId = null);

/// <summary>The placement's outcome and, when it succeeded, the payment intent (or why there is none).</summary>
public sealed record PlacedWithPayment(OrderOutcome Outcome, OrderPaymentIntent? Payment, string? PaymentError);

public sealed class PlaceOrderHandler(
    OrdersDbContext db,
    IOrderCatalog catalog,
    IOrderPayments payments,
    OrderWorkflow workflow,
    OrderEvents events,
    TimeProvider clock,
    ILogger<PlaceOrderHandler> logger)
{
    public const int MaxQuantity = 10_000;

    public async Task<OrderOutcome> PlaceAsync(Guid buyerId, string? idempotencyKey, PlaceOrderRequest request, CancellationToken cancellationToken = default) =>
        (await PlaceAsync(buyerId, idempotencyKey, request, startPayment: false, cancellationToken)).Outcome;

    /// <summary>
    /// "Buy now": places the order and creates its payment intent in one call, so a shop client needs one request
    /// instead of two. The order row is written already carrying its payment reference (no second UPDATE), and the
    /// payment is created inside the order's transaction (Payments joins it, as Listings does for stock), so the order,
    /// the payment and their audit rows are one commit: a crash leaves both or neither. A replay under the same key
    /// returns the same order and the same (idempotent) payment. When the payment side refuses, the order stands and
    /// <see cref="PlacedWithPayment.PaymentError"/> says why; the buyer can pay later through the pay endpoint.
    /// </summary>
    public async Task<PlacedWithPayment> PlaceAndPayAsync(Guid buyerId, string? idempotencyKey, PlaceOrderRequest request, CancellationToken cancellationToken = default)
    {
        var placed = await PlaceAsync(buyerId, idempotencyKey, request, startPayment: true, cancellationToken);
        if (!placed.Outcome.Succeeded || placed.Outcome.Kind == OutcomeKind.Created)
        {
            return placed;
        }

        // A replay: the order may have been placed without a payment, paid meanwhile or repriced; the pay path knows.
        var order = placed.Outcome.Order!;
        var paid = await workflow.PayAsync(order.Id, buyerId, cancellationToken);
        return paid is { Succeeded: true, Extra: OrderPaymentIntent existing }
            ? new PlacedWithPayment(placed.Outcome, existing, null)
            : new PlacedWithPayment(placed.Outcome, null, paid.Code);
    }

    internal static string PaymentSubject(Order order) => $"{order.ListingTitle} ({order.Number})";

    private async Task<PlacedWithPayment> PlaceAsync(Guid buyerId, string? idempotencyKey, PlaceOrderRequest request, bool startPayment, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(idempotencyKey) || idempotencyKey.Length > 100)
        {
            return NotPlaced(OrderOutcome.Invalid("idempotencyKey", "idempotency-key"));
        }

        var key = idempotencyKey.Trim();
        var invalid = Validate(request);
        if (invalid is not null)
        {
            return NotPlaced(invalid);
        }

        var hash = Hash(request);
        // No look-up by key before the INSERT of an order without a stock limit: the unique index on (buyer, key)
        // refuses a replayed key and the catch below answers it from the stored order, so a new order (the common
        // case) saves a round trip. A refusal on the
        // way there looks first, because a replay of an order that itself took the last unit or spent the quote must
        // get that order back, not "sold out".
        async Task<PlacedWithPayment> RefusedAsync(OrderOutcome refusal) =>
            NotPlaced(await FindByKeyAsync(buyerId, key, cancellationToken) is { } existing ? Replay(existing, hash) : refusal);

        var listing = await catalog.FindAsync(request.ListingId, cancellationToken);
        if (listing is null)
        {
            return await RefusedAsync(OrderOutcome.Invalid("listingId", "listing-not-found"));
        }

        if (!listing.IsOpen)
        {
            return await RefusedAsync(OrderOutcome.Refused("listing-closed"));
        }

        if (listing.SellerId == buyerId)
        {
            return await RefusedAsync(OrderOutcome.Refused("own-listing"));
        }

        var mode = request.Mode!.Trim();
        if (!listing.Modes.Contains(mode, StringComparer.Ordinal))
        {
            return await RefusedAsync(OrderOutcome.Invalid("mode", "mode"));
        }

        var sellsOnce = OrderableListing.SellsOnce(mode);
        if (sellsOnce && request.Quantity != 1)
        {
            return await RefusedAsync(OrderOutcome.Invalid("quantity", "sells-once-quantity"));
        }

        // The price: the buyer's own quote when one is given (only that buyer, once, before it expires), else the list price.
        Quote? quote = null;
        decimal price;
        if (request.QuoteId is { } quoteId)
        {
            quote = await db.Quotes.FirstOrDefaultAsync(q => q.Id == quoteId, cancellationToken);
            if (quote is null || quote.ListingId != listing.Id)
            {
                return await RefusedAsync(OrderOutcome.Invalid("quoteId", "quote-not-found"));
            }

            if (quote.BuyerId != buyerId)
            {
                return await RefusedAsync(OrderOutcome.Forbidden("quote-not-yours"));
            }

            var refusal = quote.State switch
            {
                QuoteState.Used => "quote-used",
                QuoteState.Quoted when quote.ValidUntil <= clock.GetUtcNow() => "quote-expired",
                QuoteState.Quoted => null,
                _ => "quote-not-quoted",
            };
            if (refusal is not null)
            {
                return await RefusedAsync(OrderOutcome.Refused(refusal));
            }

            price = quote.Amount!.Value;
        }
        else if (listing.Price is { } listed && listed > 0)
        {
            price = listed;
        }
        else
        {
            return await RefusedAsync(OrderOutcome.Refused("price-not-quoted"));
        }

        if (listing.RemainingQuantity is { } left && request.Quantity > left)
        {
            return await RefusedAsync(OrderOutcome.Refused(left == 0 ? "sold-out" : "more-than-stock"));
        }

        // With a stock limit, a replay is looked up before reserving: reserving and rolling back would take the
        // listing's row lock, the contended one when many buy the same listing, for nothing.
        if (listing.RemainingQuantity is not null && await FindByKeyAsync(buyerId, key, cancellationToken) is { } earlier)
        {
            return NotPlaced(Replay(earlier, hash));
        }

        // Stock, order and payment in one transaction (ADR 0020, 0021): the Listings and Payments contexts join this
        // connection and transaction, so the stock decrement, its change-feed row, the order and its payment intent commit
        // or roll back together. An order without a stock limit and without payment needs no transaction beyond
        // SaveChanges' own.
        await using var tx = listing.RemainingQuantity is null && !startPayment ? null : await db.Database.BeginTransactionAsync(cancellationToken);
        // A failure rolls the whole transaction back (below), so EF's savepoint around SaveChanges (SAVEPOINT and
        // RELEASE, two round trips) buys nothing here. The pool resets the setting when the context goes back.
        db.Database.AutoSavepointsEnabled = false;
        var reserved = false;
        if (tx is not null && listing.RemainingQuantity is not null)
        {
            switch (await catalog.ReserveAsync(listing.Id, request.Quantity, tx.GetDbTransaction(), cancellationToken))
            {
                case StockReservation.SoldOut:
                    return await RefusedAsync(OrderOutcome.Refused("sold-out"));
                case StockReservation.Closed:
                    return await RefusedAsync(OrderOutcome.Refused("listing-closed"));
                case StockReservation.NotFound:
                    return await RefusedAsync(OrderOutcome.Invalid("listingId", "listing-not-found"));
                case StockReservation.Reserved:
                    reserved = true;
                    break;
            }
        }

        var now = clock.GetUtcNow();
        var (order, created) = Order.Place(
            buyerId, listing.SellerId, listing.Id, listing.Title, mode, request.Quantity, price, sellsOnce, reserved,
            request.ContactName!.Trim(), request.ContactPhone!.Trim(), string.IsNullOrWhiteSpace(request.Note) ? null : request.Note.Trim(), key, hash, now);
        if (quote is not null)
        {
            order.PlacedAtQuote(quote, now);
        }

        if (startPayment)
        {
            order.StartPayment(order.PaymentReferenceFor(order.PriceVersion), now);
        }

        db.Orders.Add(order);
        db.Events.Add(created);
        db.AuditLog.Add(OrderEvents.Audit(created, order));
        var orderSaved = false;
        OrderPaymentIntent? intent = null;
        string? paymentError = null;
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            orderSaved = true;
            if (startPayment)
            {
                (intent, paymentError) = await payments.CreateAsync(order.PaymentReference!, order.BuyerId, order.SellerId, order.Amount, PaymentSubject(order), tx!.GetDbTransaction(), cancellationToken);
            }

            if (tx is not null)
            {
                await tx.CommitAsync(cancellationToken);
            }
        }
        // Only the order's own INSERT is resolved here; a failure of the payment's (its reference is new by construction,
        // so only a broken database gets there) propagates and the transaction's disposal rolls the order back with it.
        catch (DbUpdateException) when (!orderSaved)
        {
            // A unique index refused the row: the same key raced in (idempotent replay) or the listing was sold
            // meanwhile. Rolling back gives the reserved units back with it.
            if (tx is not null)
            {
                await tx.RollbackAsync(CancellationToken.None);
            }

            db.ChangeTracker.Clear();
            var raced = await FindByKeyAsync(buyerId, key, cancellationToken);
            if (raced is not null)
            {
                return NotPlaced(Replay(raced, hash));
            }

            // Or another order spent the same quote first (its Revision or the unique QuoteId refused this one).
            var quoteSpent = quote is not null && await db.Quotes.AnyAsync(q => q.Id == quote.Id && q.State == QuoteState.Used, cancellationToken);
            return NotPlaced(OrderOutcome.Refused(quoteSpent ? "quote-used" : "sold-out"));
        }

        if (startPayment && intent is null)
        {
            logger.LogWarning("Payment for new order {OrderId} was not created: {Error}", order.Id, paymentError);
            paymentError = "payment-unavailable";
        }

        logger.LogInformation("Order {OrderId} placed for listing {ListingId} amount {Amount}", order.Id, order.ListingId, order.Amount);
        await events.PublishAsync(order, created, cancellationToken);
        return new PlacedWithPayment(OrderOutcome.Created(order), intent, paymentError);
    }

    private static PlacedWithPayment NotPlaced(OrderOutcome outcome) => new(outcome, null, null);

    private static OrderOutcome Replay(Order existing, string hash) =>
        existing.RequestHash == hash ? OrderOutcome.Ok(existing) : OrderOutcome.Refused("idempotency-mismatch", existing);

    private Task<Order?> FindByKeyAsync(Guid buyerId, string key, CancellationToken cancellationToken) =>
        db.Orders.AsNoTracking().FirstOrDefaultAsync(o => o.BuyerId == buyerId && o.IdempotencyKey == key, cancellationToken);

    private static OrderOutcome? Validate(PlaceOrderRequest request)
    {
        if (request.ListingId == Guid.Empty)
        {
            return OrderOutcome.Invalid("listingId", "required");
        }

        if (string.IsNullOrWhiteSpace(request.Mode))
        {
            return OrderOutcome.Invalid("mode", "required");
        }

        if (request.Quantity is < 1 or > MaxQuantity)
        {
            return OrderOutcome.Invalid("quantity", "quantity");
        }

        if (string.IsNullOrWhiteSpace(request.ContactName) || request.ContactName.Trim().Length > 64)
        {
            return OrderOutcome.Invalid("contactName", "contact-name");
        }

        var phone = request.ContactPhone?.Trim() ?? "";
        if (phone.Length is < 5 or > 32 || !phone.All(c => char.IsAsciiDigit(c) || c is '+' or '-' or ' '))
        {
            return OrderOutcome.Invalid("contactPhone", "contact-phone");
        }

        return request.Note is { Length: > 500 } ? OrderOutcome.Invalid("note", "note") : null;
    }

    /// <summary>What the key promises: the same content. Anything else under the same key is refused.</summary>
    internal static string Hash(PlaceOrderRequest r)
    {
        var text = string.Join('\u001f', r.ListingId.ToString("N"), r.Mode?.Trim(), r.Quantity, r.ContactName?.Trim(), r.ContactPhone?.Trim(), r.Note?.Trim() ?? "");
        if (r.QuoteId is { } quoteId)
        {
            text += "\u001fquote:" + quoteId.ToString("N");
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }
}
