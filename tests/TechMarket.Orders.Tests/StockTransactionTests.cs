using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using TechMarket.Kernel.Persistence;
using TechMarket.Listings.Persistence;
using TechMarket.Orders.Domain;
using TechMarket.Orders.Features;
using TechMarket.Orders.Features.PlaceOrder;
using TechMarket.Orders.Features.Workflow;
using TechMarket.Orders.Persistence;
using TechMarket.Testing;

namespace TechMarket.Orders.Tests;

/// <summary>
/// The stock decrement in Listings and the order in Orders are one database transaction (ADR 0020): a failure after
/// the reservation leaves the stock, its change feed and its audit trail as they were.
/// </summary>
public sealed class StockTransactionTests
{
    private const string FailingNote = "fail-after-reservation";

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task A_failure_after_the_reservation_rolls_the_stock_back_and_a_cancellation_gives_it_back_in_the_same_commit(DatabaseProvider provider)
    {
        var app = new OrdersApp(provider, realListings: true);
        var configure = app.TestServices;
        app.TestServices = services =>
        {
            configure?.Invoke(services);
            services.ConfigureDbContext<OrdersDbContext>(o => o.AddInterceptors(new FailOrderInsert()));
        };
        await using var t = await Trading.StartAsync(app);
        var listingId = await PublishTransferAsync(t, 52_000m);
        Assert.Equal(1, await StockAsync(t.App, listingId));
        var feedBefore = await FeedRowsAsync(t.App, listingId);

        // The database refuses the order after Listings has taken the unit (the interceptor stands in for any error).
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => PlaceAsync(t.App, Guid.NewGuid(), listingId, FailingNote));
        Assert.Contains("simulated", failure.Message);

        Assert.Equal(1, await StockAsync(t.App, listingId));
        Assert.Equal(feedBefore, await FeedRowsAsync(t.App, listingId));
        Assert.Equal(0, await t.App.InScopeAsync(sp => sp.GetRequiredService<ListingsDbContext>().AuditLog.CountAsync(a => a.Action == "listing.stock" && a.SubjectId == listingId.ToString())));
        Assert.Equal(0, await t.App.InScopeAsync(sp => sp.GetRequiredService<OrdersDbContext>().Orders.CountAsync(o => o.ListingId == listingId)));

        // The unit is still for sale: the next buyer gets it, and the reservation and the order arrive together.
        var placed = await Trading.PlaceAsync(t.Buyer, Trading.Purchase(listingId, "Transfer"));
        Assert.Equal(HttpStatusCode.Created, placed.StatusCode);
        var orderId = (await placed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        Assert.Equal(0, await StockAsync(t.App, listingId));
        Assert.Equal(feedBefore + 1, await FeedRowsAsync(t.App, listingId));

        // Cancelling gives the unit back in the transition's own transaction.
        var cancelled = await t.App.InScopeAsync(sp => sp.GetRequiredService<OrderWorkflow>().CancelAsync(orderId, t.BuyerId, false, "换了方案"));
        Assert.True(cancelled.Succeeded);
        Assert.Equal(1, await StockAsync(t.App, listingId));
        var order = await t.App.InScopeAsync(sp => sp.GetRequiredService<OrdersDbContext>().Orders.AsNoTracking().SingleAsync(o => o.Id == orderId));
        Assert.Equal((OrderState.Cancelled, false), (order.State, order.StockReserved));
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Hundred_buyers_on_a_published_transfer_take_its_one_unit_once_inside_the_order_transaction(DatabaseProvider provider)
    {
        await using var t = await Trading.StartAsync(new OrdersApp(provider, realListings: true));
        var listingId = await PublishTransferAsync(t, 360_000m);

        using var start = new ManualResetEventSlim();
        var buyers = Enumerable.Range(0, 100).Select(_ => Task.Run(async () =>
        {
            start.Wait();
            return await PlaceAsync(t.App, Guid.NewGuid(), listingId, null);
        })).ToList();
        start.Set();
        var outcomes = await Task.WhenAll(buyers);

        Assert.Single(outcomes, o => o.Kind == OutcomeKind.Created);
        Assert.All(outcomes.Where(o => o.Kind != OutcomeKind.Created), o => Assert.Equal("sold-out", o.Code));
        Assert.Equal(1, await t.App.InScopeAsync(sp => sp.GetRequiredService<OrdersDbContext>().Orders.CountAsync(o => o.ListingId == listingId)));
        Assert.Equal(0, await StockAsync(t.App, listingId));
        Assert.Equal(1, await t.App.InScopeAsync(sp => sp.GetRequiredService<ListingsDbContext>().AuditLog.CountAsync(a => a.Action == "listing.stock" && a.SubjectId == listingId.ToString())));
    }

    private static Task<OrderOutcome> PlaceAsync(OrdersApp app, Guid buyer, Guid listingId, string? note) =>
        app.InScopeAsync(sp => sp.GetRequiredService<PlaceOrderHandler>().PlaceAsync(
            buyer, Guid.NewGuid().ToString(), new PlaceOrderRequest(listingId, "Transfer", 1, "赵六", "13600000000", note)));

    private static Task<int?> StockAsync(OrdersApp app, Guid listingId) =>
        app.InScopeAsync(sp => sp.GetRequiredService<ListingsDbContext>().Listings.AsNoTracking().Where(l => l.Id == listingId).Select(l => l.RemainingQuantity).SingleAsync());

    private static Task<int> FeedRowsAsync(OrdersApp app, Guid listingId) =>
        app.InScopeAsync(sp => sp.GetRequiredService<ListingsDbContext>().SearchChanges.CountAsync(c => c.EntityId == listingId));

    private static async Task<Guid> PublishTransferAsync(Trading t, decimal price)
    {
        var created = await t.Seller.PostAsJsonAsync("/api/v1/listings?submit=true", new
        {
            title = "一种钠离子电池硬碳负极的连续化制备方法",
            type = "Patent",
            modes = new[] { "Transfer" },
            pricing = "Fixed",
            price,
            maturity = "Pilot",
            trl = 6,
            field = "NewMaterials",
            province = "32",
            city = "苏州",
            patentNumber = "CN202410123456.7",
            patentStatus = "Granted",
            @abstract = "生物质前驱体连续炭化制备硬碳负极，首效高，成本低，适合钠离子电池量产。",
            description = "<p>工艺说明</p>",
            tags = "钠离子电池,硬碳",
        });
        Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        var listingId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        using var reviewer = await t.App.LoginAsync(ApiFlows.Operator);
        (await reviewer.PostAsync($"/api/v1/operator/listings/{listingId}/approve", null)).EnsureSuccessStatusCode();
        return listingId;
    }

    /// <summary>Makes the Orders INSERT fail for one marked order, after Listings has already taken the stock.</summary>
    private sealed class FailOrderInsert : SaveChangesInterceptor
    {
        public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            if (eventData.Context?.ChangeTracker.Entries<Order>().Any(e => e.State == EntityState.Added && e.Entity.BuyerNote == FailingNote) == true)
            {
                throw new InvalidOperationException("simulated failure after the reservation");
            }

            return base.SavingChangesAsync(eventData, result, cancellationToken);
        }
    }
}
