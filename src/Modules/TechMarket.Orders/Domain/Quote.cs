namespace TechMarket.Orders.Domain;

public enum QuoteState
{
    /// <summary>The buyer asked; the seller has not named a price yet.</summary>
    Requested,

    /// <summary>The seller named a unit price valid until <see cref="Quote.ValidUntil"/>.</summary>
    Quoted,

    /// <summary>An order was placed at the quoted price; a quote buys once.</summary>
    Used,

    /// <summary>The seller declined to quote.</summary>
    Declined,
}

/// <summary>
/// A negotiated unit price for one buyer on one negotiable listing (O2): the buyer asks (or the seller offers), the
/// seller names an amount and how long it holds, and only that buyer can order at it, once, before it expires.
/// </summary>
public sealed class Quote
{
    public const decimal MaxAmount = 100_000_000m;

    public Guid Id { get; private set; }
    public Guid ListingId { get; private set; }
    public string ListingTitle { get; private set; } = "";
    public Guid SellerId { get; private set; }
    public Guid BuyerId { get; private set; }
    public QuoteState State { get; private set; }
    public string? RequestNote { get; private set; }
    public decimal? Amount { get; private set; }
    public DateTimeOffset? ValidUntil { get; private set; }
    public Guid? OrderId { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset? QuotedAt { get; private set; }
    public DateTimeOffset? UsedAt { get; private set; }

    /// <summary>Two answers (or an answer and an order) racing on one quote cannot both commit.</summary>
    public int Revision { get; private set; }

    private Quote()
    {
    }

    public static Quote Request(Guid listingId, string title, Guid sellerId, Guid buyerId, string? note, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(now),
        ListingId = listingId,
        ListingTitle = title,
        SellerId = sellerId,
        BuyerId = buyerId,
        State = QuoteState.Requested,
        RequestNote = note,
        CreatedAt = now,
    };

    /// <summary>The seller's offer to a buyer who has not asked (yet).</summary>
    public static Quote Offer(Guid listingId, string title, Guid sellerId, Guid buyerId, decimal amount, DateTimeOffset validUntil, DateTimeOffset now)
    {
        var quote = Request(listingId, title, sellerId, buyerId, null, now);
        quote.Answer(amount, validUntil, now);
        return quote;
    }

    public bool IsUsableBy(Guid buyerId, DateTimeOffset now) => BuyerId == buyerId && State == QuoteState.Quoted && ValidUntil > now;

    /// <summary>Names (or renews) the price; a used or declined quote cannot be changed.</summary>
    public void Answer(decimal amount, DateTimeOffset validUntil, DateTimeOffset now)
    {
        if (State is QuoteState.Used or QuoteState.Declined)
        {
            throw new QuoteStateException("quote-closed");
        }

        State = QuoteState.Quoted;
        Amount = amount;
        ValidUntil = validUntil;
        QuotedAt = now;
        Revision++;
    }

    public void Decline()
    {
        if (State is QuoteState.Used or QuoteState.Declined)
        {
            throw new QuoteStateException("quote-closed");
        }

        State = QuoteState.Declined;
        Revision++;
    }

    internal void Use(Guid orderId, Guid buyerId, DateTimeOffset now)
    {
        if (!IsUsableBy(buyerId, now))
        {
            throw new QuoteStateException(State == QuoteState.Used ? "quote-used" : "quote-unusable");
        }

        State = QuoteState.Used;
        OrderId = orderId;
        UsedAt = now;
        Revision++;
    }
}

/// <summary>A quote step that its state does not allow; <see cref="Code"/> is the reason shown to the member.</summary>
public sealed class QuoteStateException(string code) : Exception($"Quote: {code}.")
{
    public string Code { get; } = code;
}
