using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TechMarket.Kernel.Persistence;
using TechMarket.Orders.Features;
using TechMarket.Orders.Features.PlaceOrder;
using TechMarket.Orders.Persistence;
using TechMarket.Testing;

namespace TechMarket.Orders.Tests;

public sealed class PlacementTests
{
    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Same_idempotency_key_returns_the_same_order_and_different_content_is_refused(DatabaseProvider provider)
    {
        await using var t = await Trading.StartAsync(new OrdersApp(provider));
        var listing = t.App.Catalog.Add(t.SellerId, 2500m, stock: 5, modes: ["OrdinaryLicense"]);
        var key = Guid.NewGuid().ToString();

        var first = await Trading.PlaceAsync(t.Buyer, Trading.Purchase(listing.Id, "OrdinaryLicense", 2), key);
        var again = await Trading.PlaceAsync(t.Buyer, Trading.Purchase(listing.Id, "OrdinaryLicense", 2), key);
        var changed = await Trading.ReadAsync(await Trading.PlaceAsync(t.Buyer, Trading.Purchase(listing.Id, "OrdinaryLicense", 3), key));
        var noKey = await t.Buyer.PostAsJsonAsync("/api/v1/orders", Trading.Purchase(listing.Id, "OrdinaryLicense", 1));

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var a = await first.Content.ReadFromJsonAsync<JsonElement>();
        var b = await again.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(a.GetProperty("id").GetGuid(), b.GetProperty("id").GetGuid());
        Assert.Equal(5000m, a.GetProperty("amount").GetDecimal());
        Assert.Equal(HttpStatusCode.Conflict, changed.Status);
        Assert.Equal("idempotency-mismatch", changed.Code);
        Assert.Contains("幂等键", changed.Body.GetProperty("title").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, noKey.StatusCode);
        Assert.Equal(3, t.App.Catalog.Remaining(listing.Id));
        var count = await t.App.InScopeAsync(sp => sp.GetRequiredService<OrdersDbContext>().Orders.CountAsync());
        Assert.Equal(1, count);
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Replaying_the_order_that_took_the_last_unit_returns_that_order_not_sold_out(DatabaseProvider provider)
    {
        // There is no look-up by key before the INSERT any more; a refusal must still find the key's order first.
        await using var t = await Trading.StartAsync(new OrdersApp(provider));
        var listing = t.App.Catalog.Add(t.SellerId, 90_000m, stock: 1, modes: ["ExclusiveLicense"]);
        var key = Guid.NewGuid().ToString();

        var first = await Trading.PlaceAsync(t.Buyer, Trading.Purchase(listing.Id), key);
        var again = await Trading.PlaceAsync(t.Buyer, Trading.Purchase(listing.Id), key);
        var otherKey = await Trading.ReadAsync(await Trading.PlaceAsync(t.Buyer, Trading.Purchase(listing.Id), Guid.NewGuid().ToString()));
        var changed = await Trading.ReadAsync(await Trading.PlaceAsync(t.Buyer, Trading.Purchase(listing.Id, note: "改了"), key));

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal((await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid(), (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid());
        Assert.Equal("sold-out", otherKey.Code);
        Assert.Equal("idempotency-mismatch", changed.Code);
        Assert.Equal(0, t.App.Catalog.Remaining(listing.Id));
        Assert.Equal(1, await t.App.InScopeAsync(sp => sp.GetRequiredService<OrdersDbContext>().Orders.CountAsync()));
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Hundred_buyers_pressing_buy_together_on_an_exclusive_licence_get_exactly_one_order(DatabaseProvider provider)
    {
        await using var app = new OrdersApp(provider);
        _ = app.Services;
        var seller = Guid.NewGuid();

        // Once with the listing's own stock counter, once without it: the Orders table alone must still sell once.
        foreach (var enforce in new[] { true, false })
        {
            app.Catalog.EnforceStock = enforce;
            var listing = app.Catalog.Add(seller, 80_000m, stock: 1, modes: ["ExclusiveLicense"]);
            using var start = new ManualResetEventSlim();
            var buyers = Enumerable.Range(0, 100).Select(_ => Task.Run(async () =>
            {
                start.Wait();
                return await app.InScopeAsync(sp => sp.GetRequiredService<PlaceOrderHandler>().PlaceAsync(
                    Guid.NewGuid(), Guid.NewGuid().ToString(), new PlaceOrderRequest(listing.Id, "ExclusiveLicense", 1, "李四", "13900000000", null)));
            })).ToList();
            start.Set();
            var outcomes = await Task.WhenAll(buyers);

            Assert.Single(outcomes, o => o.Kind == OutcomeKind.Created);
            Assert.All(outcomes.Where(o => o.Kind != OutcomeKind.Created), o => Assert.Equal("sold-out", o.Code));
            var orders = await app.InScopeAsync(sp => sp.GetRequiredService<OrdersDbContext>().Orders.CountAsync(o => o.ListingId == listing.Id));
            Assert.Equal(1, orders);
            if (enforce)
            {
                Assert.Equal(0, app.Catalog.Remaining(listing.Id));
            }
        }
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Bad_orders_are_refused_with_a_reason_and_change_nothing(DatabaseProvider provider)
    {
        await using var t = await Trading.StartAsync(new OrdersApp(provider));
        var own = t.App.Catalog.Add(t.BuyerId, 100m, stock: 1);
        var closed = t.App.Catalog.Add(t.SellerId, 100m, stock: 1, open: false);
        var limited = t.App.Catalog.Add(t.SellerId, 100m, stock: 2, modes: ["OrdinaryLicense"]);
        var negotiable = t.App.Catalog.Add(t.SellerId, price: null, stock: null, modes: ["OrdinaryLicense"]);
        var exclusive = t.App.Catalog.Add(t.SellerId, 100m, stock: 1, modes: ["ExclusiveLicense"]);

        var cases = new (object Purchase, HttpStatusCode Status, string Code)[]
        {
            (Trading.Purchase(own.Id), HttpStatusCode.Conflict, "own-listing"),
            (Trading.Purchase(closed.Id), HttpStatusCode.Conflict, "listing-closed"),
            (Trading.Purchase(limited.Id, "OrdinaryLicense", 3), HttpStatusCode.Conflict, "more-than-stock"),
            (Trading.Purchase(limited.Id, "Transfer", 1), HttpStatusCode.BadRequest, "mode"),
            (Trading.Purchase(negotiable.Id, "OrdinaryLicense", 1), HttpStatusCode.Conflict, "price-not-quoted"),
            (Trading.Purchase(exclusive.Id, "ExclusiveLicense", 2), HttpStatusCode.BadRequest, "sells-once-quantity"),
            (Trading.Purchase(limited.Id, "OrdinaryLicense", 0), HttpStatusCode.BadRequest, "quantity"),
            (Trading.Purchase(Guid.NewGuid()), HttpStatusCode.BadRequest, "listing-not-found"),
            (new { listingId = limited.Id, mode = "OrdinaryLicense", quantity = 1, contactName = "张三", contactPhone = "call me" }, HttpStatusCode.BadRequest, "contact-phone"),
        };
        foreach (var (purchase, status, code) in cases)
        {
            var (actualStatus, actualCode, body) = await Trading.ReadAsync(await Trading.PlaceAsync(t.Buyer, purchase));
            Assert.True(status == actualStatus && code == actualCode, $"{code}: got {(int)actualStatus} {actualCode} {body}");
        }

        using var unverified = await t.App.LoginAsync(ApiFlows.Unverified);
        Assert.Equal(HttpStatusCode.Forbidden, (await Trading.PlaceAsync(unverified, Trading.Purchase(limited.Id, "OrdinaryLicense", 1))).StatusCode);
        Assert.Equal(2, t.App.Catalog.Remaining(limited.Id));
        Assert.Equal(0, await t.App.InScopeAsync(sp => sp.GetRequiredService<OrdersDbContext>().Orders.CountAsync()));
    }
}
