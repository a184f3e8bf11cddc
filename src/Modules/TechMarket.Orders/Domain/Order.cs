namespace TechMarket.Orders.Domain;

public enum OrderState
{
    PendingPayment,
    Paid,
    Delivered,
    Accepted,
    Completed,
    Cancelled,
    RefundRequested,
    Refunded,
}

/// <summary>
/// An order: the buyer's purchase information (listing, mode, quantity, contact) taken at creation and the payment
/// information (reference, amount, provider trade number) added when the money arrives. Transitions are one method
/// each; every one checks the current state and returns the event to store (who, when, from, to, why).
/// </summary>
public sealed class Order
{
    public Guid Id { get; private set; }
    public string Number { get; private set; } = "";
    public Guid BuyerId { get; private set; }
    public Guid SellerId { get; private set; }
    public Guid ListingId { get; private set; }
    public string ListingTitle { get; private set; } = "";
    public string Mode { get; private set; } = "";
    public int Quantity { get; private set; }
    public decimal UnitPrice { get; private set; }
    public decimal Amount { get; private set; }
    public decimal OriginalAmount { get; private set; }
    public string Currency { get; private set; } = "CNY";
    public OrderState State { get; private set; }

    /// <summary>Set to the listing id while an order for a sell-once listing is alive; a unique index makes it sell once.</summary>
    public Guid? ExclusiveClaim { get; private set; }

    /// <summary>Whether stock was taken from the listing's counter (given back on cancel or refund).</summary>
    public bool StockReserved { get; private set; }

    public string ContactName { get; private set; } = "";
    public string ContactPhone { get; private set; } = "";
    public string? BuyerNote { get; private set; }

    /// <summary>The seller's quote this order was placed at (negotiated price); unique, so a quote buys once.</summary>
    public Guid? QuoteId { get; private set; }

    public string IdempotencyKey { get; private set; } = "";
    public string RequestHash { get; private set; } = "";

    /// <summary>Raised by every price change; a payment made for an older version is refused.</summary>
    public int PriceVersion { get; private set; }
    public int PriceChanges { get; private set; }

    public string? PaymentReference { get; private set; }
    public decimal? PaidAmount { get; private set; }
    public string? ProviderTradeNo { get; private set; }
    public int RefusedPayments { get; private set; }

    public string? DeliveryNote { get; private set; }
    public bool EscrowReleased { get; private set; }
    public bool Disputed { get; private set; }
    public string? DisputeReason { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }
    public DateTimeOffset? PaidAt { get; private set; }
    public DateTimeOffset? DeliveredAt { get; private set; }
    public DateTimeOffset? AcceptedAt { get; private set; }
    public DateTimeOffset? CompletedAt { get; private set; }
    public DateTimeOffset? CancelledAt { get; private set; }

    /// <summary>Optimistic concurrency: two transitions racing on one order cannot both commit.</summary>
    public int Revision { get; private set; }

    private Order()
    {
    }

    public static (Order Order, OrderEvent Created) Place(
        Guid buyerId, Guid sellerId, Guid listingId, string title, string mode, int quantity, decimal unitPrice, bool sellsOnce, bool stockReserved,
        string contactName, string contactPhone, string? note, string idempotencyKey, string requestHash, DateTimeOffset now)
    {
        var id = Guid.CreateVersion7(now);
        var order = new Order
        {
            Id = id,
            Number = $"{now:yyyyMMddHHmmss}{id.ToString("N")[^6..].ToUpperInvariant()}",
            BuyerId = buyerId,
            SellerId = sellerId,
            ListingId = listingId,
            ListingTitle = title,
            Mode = mode,
            Quantity = quantity,
            UnitPrice = unitPrice,
            Amount = unitPrice * quantity,
            OriginalAmount = unitPrice * quantity,
            State = OrderState.PendingPayment,
            ExclusiveClaim = sellsOnce ? listingId : null,
            StockReserved = stockReserved,
            ContactName = contactName,
            ContactPhone = contactPhone,
            BuyerNote = note,
            IdempotencyKey = idempotencyKey,
            RequestHash = requestHash,
            CreatedAt = now,
            UpdatedAt = now,
        };
        return (order, OrderEvent.For(order, now, buyerId, OrderEventKinds.Created, null, OrderState.PendingPayment, null));
    }

    /// <summary>Placed at a negotiated price: the quote is spent by this order.</summary>
    public void PlacedAtQuote(Quote quote, DateTimeOffset now)
    {
        quote.Use(Id, BuyerId, now);
        QuoteId = quote.Id;
    }

    public string PaymentReferenceFor(int priceVersion) => $"ORD{Number}-{priceVersion}";

    public bool IsParty(Guid memberId) => memberId == BuyerId || memberId == SellerId;

    public OrderEvent Cancel(Guid? actor, string reason, DateTimeOffset now)
    {
        Require(OrderState.PendingPayment);
        CancelledAt = now;
        ExclusiveClaim = null;
        return Move(OrderState.Cancelled, actor, OrderEventKinds.Cancelled, reason, now);
    }

    public OrderEvent ChangePrice(Guid seller, decimal newAmount, string reason, DateTimeOffset now)
    {
        Require(OrderState.PendingPayment);
        var old = Amount;
        Amount = newAmount;
        PriceVersion++;
        PriceChanges++;
        PaymentReference = null;
        Touch(now);
        var e = OrderEvent.For(this, now, seller, OrderEventKinds.PriceChanged, State, State, reason);
        e.OldAmount = old;
        e.NewAmount = newAmount;
        return e;
    }

    public void StartPayment(string reference, DateTimeOffset now)
    {
        Require(OrderState.PendingPayment);
        PaymentReference = reference;
        Touch(now);
    }

    public OrderEvent MarkPaid(string reference, decimal amount, string providerTradeNo, DateTimeOffset paidAt, DateTimeOffset now)
    {
        Require(OrderState.PendingPayment);
        PaymentReference = reference;
        PaidAmount = amount;
        ProviderTradeNo = providerTradeNo;
        PaidAt = paidAt;
        var e = Move(OrderState.Paid, BuyerId, OrderEventKinds.Paid, reference, now);
        e.NewAmount = amount;
        return e;
    }

    public OrderEvent RefusePayment(string reference, decimal amount, string why, DateTimeOffset now)
    {
        RefusedPayments++;
        Touch(now);
        var e = OrderEvent.For(this, now, null, OrderEventKinds.PaymentRefused, State, State, $"{reference}: {why}");
        e.NewAmount = amount;
        return e;
    }

    public OrderEvent Deliver(Guid seller, string note, DateTimeOffset now)
    {
        Require(OrderState.Paid);
        DeliveryNote = note;
        DeliveredAt = now;
        return Move(OrderState.Delivered, seller, OrderEventKinds.Delivered, note, now);
    }

    public OrderEvent Accept(Guid buyer, DateTimeOffset now)
    {
        Require(OrderState.Delivered);
        AcceptedAt = now;
        return Move(OrderState.Accepted, buyer, OrderEventKinds.Accepted, null, now);
    }

    public OrderEvent Complete(DateTimeOffset now)
    {
        Require(OrderState.Accepted);
        EscrowReleased = true;
        CompletedAt = now;
        return Move(OrderState.Completed, null, OrderEventKinds.Completed, "escrow released", now);
    }

    public OrderEvent RequestRefund(Guid buyer, string reason, DateTimeOffset now)
    {
        Require(OrderState.Paid, OrderState.Delivered);
        return Move(OrderState.RefundRequested, buyer, OrderEventKinds.RefundRequested, reason, now);
    }

    public OrderEvent Refund(Guid actor, string reason, DateTimeOffset now)
    {
        Require(OrderState.RefundRequested);
        ExclusiveClaim = null;
        return Move(OrderState.Refunded, actor, OrderEventKinds.Refunded, reason, now);
    }

    public OrderEvent Dispute(Guid actor, string reason, DateTimeOffset now)
    {
        Require(OrderState.Paid, OrderState.Delivered, OrderState.Accepted, OrderState.RefundRequested);
        if (Disputed)
        {
            throw new OrderStateException(State, "already-disputed");
        }

        Disputed = true;
        DisputeReason = reason;
        Touch(now);
        return OrderEvent.For(this, now, actor, OrderEventKinds.Disputed, State, State, reason);
    }

    public void StockGivenBack() => StockReserved = false;

    private void Require(params OrderState[] allowed)
    {
        if (!allowed.Contains(State))
        {
            throw new OrderStateException(State, null);
        }
    }

    private OrderEvent Move(OrderState to, Guid? actor, string kind, string? reason, DateTimeOffset now)
    {
        var from = State;
        State = to;
        Touch(now);
        return OrderEvent.For(this, now, actor, kind, from, to, reason);
    }

    private void Touch(DateTimeOffset now)
    {
        UpdatedAt = now;
        Revision++;
    }
}

/// <summary>The current state does not allow the transition; nothing was changed.</summary>
public sealed class OrderStateException(OrderState state, string? code) : Exception($"Not allowed in state {state}.")
{
    public OrderState State { get; } = state;

    public string? Code { get; } = code;
}
