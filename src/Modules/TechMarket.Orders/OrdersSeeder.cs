using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TechMarket.Orders.Catalog;
using TechMarket.Orders.Domain;
using TechMarket.Orders.Features;
using TechMarket.Orders.Features.PlaceOrder;
using TechMarket.Orders.Features.Workflow;
using TechMarket.Orders.Persistence;

namespace TechMarket.Orders;

/// <summary>
/// Demo orders between the two verified demo members on the seeded listings, so "my orders", the seller console and
/// the operator's monitor are not empty for a newcomer. Every order goes through the real handlers (placement with its
/// stock reservation, price changes, cancellations), each with its timeline and audit rows, on a clock set back over
/// the last four weeks. Runs with Seed:DemoData and Seed:DemoOrders (unset: Development only, so tests and the
/// benchmarks, which count the demo buyer's orders, start without them); once: skipped when demo orders exist.
/// </summary>
/// <remarks>
/// Only states that hold no money are seeded here. Paid, delivered, completed, refunded and disputed orders need money
/// in escrow, which the Payments module records only from the bank's signed confirmation; the sandbox bank starts with
/// the host, after seeding, and a confirmation written here instead would leave an order "paid" with nothing held
/// (its release or refund would then fail). The host's second demo step (DemoTrading) pays those at the sandbox bank
/// once it listens.
/// </remarks>
public sealed class OrdersSeeder(IServiceProvider services, OrdersDbContext db, IOrderCatalog catalog, IConfiguration configuration, IHostEnvironment environment, TimeProvider clock, ILogger<OrdersSeeder> logger)
{
    /// <summary>Idempotency keys of demo orders start with this; their presence means the seed already ran.</summary>
    public const string KeyPrefix = "demo-order-";

    /// <summary>The two verified demo accounts (IdentitySeeder) that buy from and sell to each other.</summary>
    public const string DemoPerson = "13800000001";

    public const string DemoCompany = "enterprise@techmarket.demo";

    private enum Story
    {
        StaysPending,
        RepricedPending,
        CancelledByBuyer,
        CancelledBySeller,
        RepricedThenCancelled,
        TimedOut,
    }

    // Older orders first; the last few are minutes old, so they are still waiting for payment when the newcomer looks
    // (the unpaid-order sweep cancels them once Orders:UnpaidTimeout has passed, as it would any order).
    private static readonly (double DaysAgo, Story Story)[] Script =
    [
        (27.6, Story.CancelledByBuyer), (26.2, Story.TimedOut), (24.9, Story.RepricedThenCancelled), (23.1, Story.CancelledBySeller),
        (21.4, Story.TimedOut), (20.3, Story.CancelledByBuyer), (18.7, Story.RepricedThenCancelled), (17.2, Story.TimedOut),
        (15.8, Story.CancelledBySeller), (14.1, Story.CancelledByBuyer), (12.6, Story.TimedOut), (11.3, Story.RepricedThenCancelled),
        (9.9, Story.CancelledByBuyer), (8.2, Story.TimedOut), (6.7, Story.CancelledBySeller), (5.4, Story.CancelledByBuyer),
        (4.1, Story.RepricedThenCancelled), (2.8, Story.TimedOut), (1.6, Story.CancelledByBuyer), (0.7, Story.TimedOut),
        (0.012, Story.StaysPending), (0.009, Story.RepricedPending), (0.006, Story.StaysPending), (0.003, Story.StaysPending),
    ];

    public static int ScriptedOrders => Script.Length;

    public bool Enabled =>
        configuration.GetValue<bool>("Seed:DemoData") && (configuration.GetValue<bool?>("Seed:DemoOrders") ?? environment.IsDevelopment());

    /// <param name="findMember">Looks up a demo account's member id (Identity owns accounts; the host passes this in).</param>
    /// <param name="listingsOf">Published listings of the given members, oldest first (Listings owns them; the host passes this in).</param>
    /// <returns>How many orders were created (0 when disabled or already seeded).</returns>
    public async Task<int> SeedAsync(Func<string, Task<Guid?>> findMember, Func<IReadOnlyCollection<Guid>, Task<IReadOnlyList<Guid>>> listingsOf, CancellationToken cancellationToken = default)
    {
        if (!Enabled)
        {
            return 0;
        }

        if (await findMember(DemoPerson) is not { } personId || await findMember(DemoCompany) is not { } companyId)
        {
            return 0;
        }

        if (await db.Orders.AnyAsync(o => o.IdempotencyKey.StartsWith(KeyPrefix), cancellationToken))
        {
            return 0;
        }

        // The handlers read the time from this clock, so every row (order, timeline, audit) carries the story's date.
        // Notifications are left out: a month-old order is not news, and they would all be dated today.
        var at = new SeedClock(clock.GetUtcNow());
        var quiet = ActivatorUtilities.CreateInstance<OrderEvents>(services, new OrderNotifications(services.GetRequiredService<IServiceScopeFactory>(), services.GetRequiredService<ILogger<OrderNotifications>>()));
        var place = ActivatorUtilities.CreateInstance<PlaceOrderHandler>(services, at, quiet);
        var workflow = ActivatorUtilities.CreateInstance<OrderWorkflow>(services, at, quiet);

        var listings = await listingsOf([personId, companyId]);
        var now = clock.GetUtcNow();
        var created = 0;
        var next = 0;
        foreach (var (daysAgo, story) in Script)
        {
            at.Now = now.AddDays(-daysAgo);
            var order = await PlaceNextAsync();
            if (order is null)
            {
                break;
            }

            created++;
            var buyer = order.BuyerId;
            var seller = order.SellerId;
            switch (story)
            {
                case Story.RepricedPending:
                    at.Now += TimeSpan.FromMinutes(2);
                    await RequireAsync(workflow.ChangePriceAsync(order.Id, seller, Discount(order.Amount), "老客户优惠，含一次远程技术答疑", cancellationToken));
                    break;
                case Story.CancelledByBuyer:
                    at.Now += TimeSpan.FromMinutes(11);
                    await RequireAsync(workflow.CancelAsync(order.Id, buyer, false, "预算调整，暂不采购", cancellationToken));
                    break;
                case Story.CancelledBySeller:
                    at.Now += TimeSpan.FromMinutes(7);
                    await RequireAsync(workflow.CancelAsync(order.Id, seller, false, "该许可本季度名额已满", cancellationToken));
                    break;
                case Story.RepricedThenCancelled:
                    at.Now += TimeSpan.FromMinutes(4);
                    await RequireAsync(workflow.ChangePriceAsync(order.Id, seller, Discount(order.Amount), "按框架协议价调整", cancellationToken));
                    at.Now += TimeSpan.FromMinutes(9);
                    await RequireAsync(workflow.CancelAsync(order.Id, buyer, false, "需与法务确认后重新下单", cancellationToken));
                    break;
                case Story.TimedOut:
                    at.Now += TimeSpan.FromMinutes(31);
                    if (!await workflow.CancelUnpaidAsync(order.Id, cancellationToken))
                    {
                        throw new InvalidOperationException($"Demo order {order.Number} could not be cancelled as unpaid.");
                    }

                    break;
            }
        }

        logger.LogInformation("Seeded {Count} demo orders", created);
        return created;

        // The next seeded listing that takes an order.
        async Task<Order?> PlaceNextAsync()
        {
            while (next < listings.Count)
            {
                if (await PlaceDemoOrderAsync(place, catalog, listings[next++], (personId, companyId), KeyPrefix, cancellationToken) is { } order)
                {
                    return order;
                }
            }

            return null;
        }
    }

    /// <summary>
    /// One demo order on <paramref name="listingId"/>, bought by whichever demo member does not own it; null when the
    /// listing takes no order at a list price (closed, negotiable, no modes) or the handler refuses it. Shared with the
    /// host's second demo step.
    /// </summary>
    public static async Task<Order?> PlaceDemoOrderAsync(
        PlaceOrderHandler place, IOrderCatalog catalog, Guid listingId, (Guid Person, Guid Company) members, string keyPrefix, CancellationToken cancellationToken)
    {
        if (await catalog.FindAsync(listingId, cancellationToken) is not { IsOpen: true, Price: > 0, Modes.Count: > 0 } listing)
        {
            return null;
        }

        var byPerson = listing.SellerId == members.Company;
        var mode = listing.Modes.FirstOrDefault(m => !OrderableListing.SellsOnce(m)) ?? listing.Modes[0];
        var request = new PlaceOrderRequest(listing.Id, mode, 1, byPerson ? "张三" : "李经理", byPerson ? DemoPerson : "0591-87654321",
            byPerson ? "希望尽快安排技术对接" : "走公司对公流程，请开具发票");
        var outcome = await place.PlaceAsync(byPerson ? members.Person : members.Company, keyPrefix + listing.Id.ToString("N"), request, cancellationToken);
        return outcome is { Succeeded: true, Order: { } order } ? order : null;
    }

    // A round 5 % off, as a seller would offer it.
    private static decimal Discount(decimal amount) => Math.Max(0.01m, decimal.Round(amount * 0.95m / 100m, 0) * 100m);

    private static async Task RequireAsync(Task<OrderOutcome> step)
    {
        var outcome = await step;
        if (!outcome.Succeeded)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"Demo order step refused: {outcome.Code}"));
        }
    }

    private sealed class SeedClock(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = start;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
