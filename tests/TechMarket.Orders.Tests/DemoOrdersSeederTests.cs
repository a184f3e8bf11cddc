using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TechMarket.Identity.Domain;
using TechMarket.Kernel.Persistence;
using TechMarket.Listings.Domain;
using TechMarket.Listings.Persistence;
using TechMarket.Orders.Domain;
using TechMarket.Orders.Persistence;
using TechMarket.Testing;

namespace TechMarket.Orders.Tests;

/// <summary>The demo orders a newcomer finds in the embedded default (Seed:DemoOrders), on the real seeded listings.</summary>
public sealed class DemoOrdersSeederTests
{
    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Demo_orders_are_seeded_once_in_every_unpaid_state_with_timelines_spread_over_four_weeks(DatabaseProvider provider)
    {
        await using var app = new OrdersApp(provider, realListings: true);
        app.Settings["Seed:DemoOrders"] = "true";
        var now = app.Clock.GetUtcNow();

        var (orders, events, audits) = await app.InScopeAsync(async sp =>
        {
            var db = sp.GetRequiredService<OrdersDbContext>();
            var seeded = await db.Orders.AsNoTracking().Where(o => o.IdempotencyKey.StartsWith(OrdersSeeder.KeyPrefix)).ToListAsync();
            var ids = seeded.Select(o => o.Id).ToList();
            var subjects = ids.Select(id => id.ToString()).ToList();
            return (seeded,
                await db.Events.AsNoTracking().Where(e => ids.Contains(e.OrderId)).ToListAsync(),
                await db.AuditLog.AsNoTracking().Where(a => subjects.Contains(a.SubjectId)).CountAsync());
        });

        Assert.Equal(OrdersSeeder.ScriptedOrders, orders.Count);
        var states = orders.GroupBy(o => o.State).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(new Dictionary<OrderState, int> { [OrderState.PendingPayment] = 4, [OrderState.Cancelled] = 20 }, states);
        Assert.Equal(5, orders.Count(o => o.PriceChanges > 0 && o.Amount < o.OriginalAmount));
        Assert.Equal(2, orders.Select(o => o.BuyerId).Distinct().Count());
        Assert.All(orders, o => Assert.NotEqual(o.BuyerId, o.SellerId));

        // Who cancelled: the buyer, the seller and the unpaid-order timeout all appear.
        var cancellations = events.Where(e => e.Kind == OrderEventKinds.Cancelled).ToList();
        Assert.Equal(20, cancellations.Count);
        Assert.Contains(cancellations, e => e.ActorId is null && e.Reason == "unpaid-timeout");
        Assert.Contains(cancellations, e => orders.Any(o => o.Id == e.OrderId && o.BuyerId == e.ActorId));
        Assert.Contains(cancellations, e => orders.Any(o => o.Id == e.OrderId && o.SellerId == e.ActorId));

        // Every transition has its timeline row and its audit row, dated over the last four weeks; pending ones are fresh.
        Assert.Equal(orders.Count + 20 + 5, events.Count);
        Assert.Equal(events.Count, audits);
        Assert.InRange(orders.Min(o => o.CreatedAt), now.AddDays(-28), now.AddDays(-27));
        Assert.All(orders.Where(o => o.State == OrderState.PendingPayment), o => Assert.InRange(o.CreatedAt, now.AddMinutes(-30), now));
        Assert.All(events, e => Assert.True(e.At <= now));

        // A second start changes nothing.
        var again = await app.InScopeAsync(async sp =>
        {
            var users = sp.GetRequiredService<UserManager<Member>>();
            var listings = sp.GetRequiredService<ListingsDbContext>();
            var created = await sp.GetRequiredService<OrdersSeeder>().SeedAsync(
                async account => (await users.FindByNameAsync(account))?.Id,
                async owners => await listings.Listings.AsNoTracking().Where(l => owners.Contains(l.OwnerId) && l.Status == PublicationStatus.Published).Select(l => l.Id).ToListAsync());
            return (created, await sp.GetRequiredService<OrdersDbContext>().Orders.CountAsync());
        });
        Assert.Equal((0, OrdersSeeder.ScriptedOrders), again);
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Without_Seed_DemoOrders_outside_Development_no_order_is_seeded(DatabaseProvider provider)
    {
        await using var app = new OrdersApp(provider, realListings: true);
        Assert.Equal(0, await app.InScopeAsync(sp => sp.GetRequiredService<OrdersDbContext>().Orders.CountAsync()));
    }
}
