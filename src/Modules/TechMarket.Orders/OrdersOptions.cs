namespace TechMarket.Orders;

public sealed class OrdersOptions
{
    public const string Section = "Orders";

    /// <summary>An order not paid within this time is cancelled automatically.</summary>
    public TimeSpan UnpaidTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>How often each node looks for unpaid orders past the timeout.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(1);

    public bool BackgroundJobs { get; set; } = true;

    public int MaxDeliveryFiles { get; set; } = 10;

    public long MaxDeliveryFileBytes { get; set; } = 50L * 1024 * 1024;

    /// <summary>Alert: paid but not delivered within this many days.</summary>
    public int DeliveryAlertDays { get; set; } = 3;

    /// <summary>Alert: the price changed more than this many times.</summary>
    public int PriceChangeAlert { get; set; } = 3;

    /// <summary>Alert: an order this many times larger than the seller's average.</summary>
    public decimal LargeOrderFactor { get; set; } = 5m;
}
