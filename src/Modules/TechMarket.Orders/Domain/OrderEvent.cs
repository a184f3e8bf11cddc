namespace TechMarket.Orders.Domain;

public static class OrderEventKinds
{
    public const string Created = "created";
    public const string Cancelled = "cancelled";
    public const string PriceChanged = "price-changed";
    public const string Paid = "paid";
    public const string PaymentRefused = "payment-refused";
    public const string Delivered = "delivered";
    public const string Accepted = "accepted";
    public const string Completed = "completed";
    public const string ReleaseFailed = "release-failed";
    public const string RefundRequested = "refund-requested";
    public const string Refunded = "refunded";
    public const string Disputed = "disputed";
}

/// <summary>One line of an order's timeline and its audit trail: who, when, from, to, why. Append-only.</summary>
public sealed class OrderEvent
{
    public long Id { get; private set; }
    public Guid OrderId { get; private set; }
    public DateTimeOffset At { get; private set; }
    public Guid? ActorId { get; private set; }
    public string Kind { get; private set; } = "";
    public OrderState? FromState { get; private set; }
    public OrderState ToState { get; private set; }
    public string? Reason { get; private set; }
    public decimal? OldAmount { get; set; }
    public decimal? NewAmount { get; set; }

    private OrderEvent()
    {
    }

    public static OrderEvent For(Order order, DateTimeOffset at, Guid? actor, string kind, OrderState? from, OrderState to, string? reason) => new()
    {
        OrderId = order.Id,
        At = at,
        ActorId = actor,
        Kind = kind,
        FromState = from,
        ToState = to,
        Reason = reason is { Length: > 500 } ? reason[..500] : reason,
    };
}

/// <summary>A file the seller delivered; only the buyer may download it.</summary>
public sealed class OrderAttachment
{
    public Guid Id { get; init; }
    public Guid OrderId { get; init; }
    public string FileName { get; init; } = "";
    public string ContentType { get; init; } = "application/octet-stream";
    public string Sha256 { get; init; } = "";
    public long Length { get; init; }
    public DateTimeOffset UploadedAt { get; init; }
}
