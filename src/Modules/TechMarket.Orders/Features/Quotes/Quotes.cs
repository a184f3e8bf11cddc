using Microsoft.EntityFrameworkCore;
using TechMarket.Kernel.Members;
using TechMarket.Orders.Catalog;
using TechMarket.Orders.Domain;
using TechMarket.Orders.Persistence;

namespace TechMarket.Orders.Features.Quotes;

public sealed record QuoteDto(
    Guid Id, Guid ListingId, string ListingTitle, Guid SellerId, Guid BuyerId, string State, string? RequestNote, decimal? Amount,
    DateTimeOffset? ValidUntil, Guid? OrderId, DateTimeOffset CreatedAt, DateTimeOffset? QuotedAt, bool Usable)
{
    public static QuoteDto From(Quote q, DateTimeOffset now) => new(
        q.Id, q.ListingId, q.ListingTitle, q.SellerId, q.BuyerId, q.State.ToString(), q.RequestNote, q.Amount, q.ValidUntil, q.OrderId,
        q.CreatedAt, q.QuotedAt, q.IsUsableBy(q.BuyerId, now));
}

/// <summary>A buyer asking the seller of a negotiable listing for a price.</summary>
public sealed record QuoteRequest(Guid ListingId, string? Note);

/// <summary>The seller's price for one buyer: unit price in CNY, valid for <see cref="ValidHours"/> hours.</summary>
public sealed record QuoteAnswer(decimal Amount, int ValidHours);

/// <summary>The seller offering a price to a buyer who has not asked.</summary>
public sealed record QuoteOffer(Guid ListingId, Guid BuyerId, decimal Amount, int ValidHours);

public sealed record QuoteOutcome(OutcomeKind Kind, Quote? Quote, string? Code = null, string? Field = null)
{
    public bool Succeeded => Kind is OutcomeKind.Ok or OutcomeKind.Created;

    public static QuoteOutcome Invalid(string field, string code) => new(OutcomeKind.Invalid, null, code, field);

    public static QuoteOutcome Refused(string code) => new(OutcomeKind.Refused, null, code);
}

/// <summary>
/// Negotiated per-buyer prices (O2). A quote belongs to one listing, one seller and one buyer; the buyer orders at it
/// through <see cref="PlaceOrder.PlaceOrderRequest.QuoteId"/>, which spends it (see PlaceOrderHandler).
/// </summary>
public sealed class QuoteService(OrdersDbContext db, IOrderCatalog catalog, IMemberDirectory members, TimeProvider clock)
{
    public const int MaxValidHours = 30 * 24;

    public async Task<QuoteOutcome> RequestAsync(Guid buyerId, QuoteRequest request, CancellationToken cancellationToken = default)
    {
        if (request.Note is { Length: > 500 })
        {
            return QuoteOutcome.Invalid("note", "note");
        }

        var (listing, refusal) = await NegotiableAsync(request.ListingId, cancellationToken);
        if (listing is null)
        {
            return refusal!;
        }

        if (listing.SellerId == buyerId)
        {
            return QuoteOutcome.Refused("own-listing");
        }

        // One open request per buyer and listing: asking again returns the one already open.
        var open = await db.Quotes.FirstOrDefaultAsync(
            q => q.ListingId == listing.Id && q.BuyerId == buyerId && (q.State == QuoteState.Requested || q.State == QuoteState.Quoted), cancellationToken);
        if (open is not null && (open.State == QuoteState.Requested || open.ValidUntil > clock.GetUtcNow()))
        {
            return new QuoteOutcome(OutcomeKind.Ok, open);
        }

        var quote = Quote.Request(listing.Id, listing.Title, listing.SellerId, buyerId, string.IsNullOrWhiteSpace(request.Note) ? null : request.Note.Trim(), clock.GetUtcNow());
        db.Quotes.Add(quote);
        await db.SaveChangesAsync(cancellationToken);
        return new QuoteOutcome(OutcomeKind.Created, quote);
    }

    public async Task<QuoteOutcome> AnswerAsync(Guid quoteId, Guid sellerId, QuoteAnswer answer, CancellationToken cancellationToken = default)
    {
        var quote = await db.Quotes.FirstOrDefaultAsync(q => q.Id == quoteId, cancellationToken);
        if (quote is null || (quote.SellerId != sellerId && quote.BuyerId != sellerId))
        {
            return new QuoteOutcome(OutcomeKind.NotFound, null, "not-found");
        }

        if (quote.SellerId != sellerId)
        {
            return new QuoteOutcome(OutcomeKind.Forbidden, null, "seller-only");
        }

        if (Validate(answer.Amount, answer.ValidHours) is { } invalid)
        {
            return invalid;
        }

        var now = clock.GetUtcNow();
        return await SaveAsync(quote, q => q.Answer(answer.Amount, now.AddHours(answer.ValidHours), now), cancellationToken);
    }

    public async Task<QuoteOutcome> DeclineAsync(Guid quoteId, Guid sellerId, CancellationToken cancellationToken = default)
    {
        var quote = await db.Quotes.FirstOrDefaultAsync(q => q.Id == quoteId, cancellationToken);
        if (quote is null || (quote.SellerId != sellerId && quote.BuyerId != sellerId))
        {
            return new QuoteOutcome(OutcomeKind.NotFound, null, "not-found");
        }

        return quote.SellerId != sellerId
            ? new QuoteOutcome(OutcomeKind.Forbidden, null, "seller-only")
            : await SaveAsync(quote, q => q.Decline(), cancellationToken);
    }

    public async Task<QuoteOutcome> OfferAsync(Guid sellerId, QuoteOffer offer, CancellationToken cancellationToken = default)
    {
        if (Validate(offer.Amount, offer.ValidHours) is { } invalid)
        {
            return invalid;
        }

        var (listing, refusal) = await NegotiableAsync(offer.ListingId, cancellationToken);
        if (listing is null)
        {
            return refusal!;
        }

        if (listing.SellerId != sellerId)
        {
            return new QuoteOutcome(OutcomeKind.Forbidden, null, "seller-only");
        }

        if (offer.BuyerId == Guid.Empty || offer.BuyerId == sellerId || !(await members.GetAsync([offer.BuyerId], cancellationToken)).ContainsKey(offer.BuyerId))
        {
            return QuoteOutcome.Invalid("buyerId", "quote-buyer");
        }

        var now = clock.GetUtcNow();
        var quote = Quote.Offer(listing.Id, listing.Title, sellerId, offer.BuyerId, offer.Amount, now.AddHours(offer.ValidHours), now);
        db.Quotes.Add(quote);
        await db.SaveChangesAsync(cancellationToken);
        return new QuoteOutcome(OutcomeKind.Created, quote);
    }

    public async Task<IReadOnlyList<QuoteDto>> ListAsync(Guid memberId, CancellationToken cancellationToken = default)
    {
        var rows = await db.Quotes.AsNoTracking()
            .Where(q => q.BuyerId == memberId || q.SellerId == memberId)
            .OrderByDescending(q => q.CreatedAt)
            .Take(100)
            .ToListAsync(cancellationToken);
        var now = clock.GetUtcNow();
        return rows.Select(q => QuoteDto.From(q, now)).ToList();
    }

    public async Task<Quote?> FindAsync(Guid quoteId, Guid memberId, CancellationToken cancellationToken = default) =>
        await db.Quotes.AsNoTracking().FirstOrDefaultAsync(q => q.Id == quoteId && (q.BuyerId == memberId || q.SellerId == memberId), cancellationToken);

    private static QuoteOutcome? Validate(decimal amount, int validHours) =>
        amount <= 0 || amount > Quote.MaxAmount || decimal.Round(amount, 2) != amount ? QuoteOutcome.Invalid("amount", "amount")
        : validHours is < 1 or > MaxValidHours ? QuoteOutcome.Invalid("validHours", "quote-validity")
        : null;

    private async Task<(OrderableListing? Listing, QuoteOutcome? Refusal)> NegotiableAsync(Guid listingId, CancellationToken cancellationToken)
    {
        var listing = listingId == Guid.Empty ? null : await catalog.FindAsync(listingId, cancellationToken);
        return listing switch
        {
            null => (null, QuoteOutcome.Invalid("listingId", "listing-not-found")),
            { IsOpen: false } => (null, QuoteOutcome.Refused("listing-closed")),
            { Negotiable: false } => (null, QuoteOutcome.Refused("not-negotiable")),
            _ => (listing, null),
        };
    }

    private async Task<QuoteOutcome> SaveAsync(Quote quote, Action<Quote> step, CancellationToken cancellationToken)
    {
        try
        {
            step(quote);
            await db.SaveChangesAsync(cancellationToken);
            return new QuoteOutcome(OutcomeKind.Ok, quote);
        }
        catch (QuoteStateException e)
        {
            db.ChangeTracker.Clear();
            return QuoteOutcome.Refused(e.Code);
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            return QuoteOutcome.Refused("concurrent");
        }
    }
}
