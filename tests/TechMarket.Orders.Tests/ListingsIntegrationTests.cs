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

/// <summary>Orders against the real Listings module (published through its API and operator review).</summary>
public sealed class ListingsIntegrationTests
{
    private static object Transfer(decimal price) => new
    {
        title = "一种固态电解质薄膜的低温制备工艺",
        type = "Patent",
        modes = new[] { "Transfer" },
        pricing = "Fixed",
        price,
        maturity = "Pilot",
        trl = 6,
        field = "NewMaterials",
        province = "35",
        city = "福州",
        patentNumber = "CN202310654321.0",
        patentStatus = "Granted",
        @abstract = "低温溅射制备固态电解质薄膜，离子电导率高，适用于薄膜锂电池量产。",
        description = "<p>工艺说明</p>",
        tags = "固态电池,薄膜",
    };

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task A_published_transfer_sells_once_to_a_hundred_simultaneous_buyers_and_closed_or_own_listings_are_refused(DatabaseProvider provider)
    {
        await using var t = await Trading.StartAsync(new OrdersApp(provider, realListings: true));
        var created = await t.Seller.PostAsJsonAsync("/api/v1/listings?submit=true", Transfer(360_000m));
        Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        var listingId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        using (var reviewer = await t.App.LoginAsync(ApiFlows.Operator))
        {
            (await reviewer.PostAsync($"/api/v1/operator/listings/{listingId}/approve", null)).EnsureSuccessStatusCode();
        }

        var own = await Trading.ReadAsync(await Trading.PlaceAsync(t.Seller, Trading.Purchase(listingId, "Transfer")));
        Assert.Equal("own-listing", own.Code);

        using var start = new ManualResetEventSlim();
        var buyers = Enumerable.Range(0, 100).Select(_ => Task.Run(async () =>
        {
            start.Wait();
            return await t.App.InScopeAsync(sp => sp.GetRequiredService<PlaceOrderHandler>().PlaceAsync(
                Guid.NewGuid(), Guid.NewGuid().ToString(), new PlaceOrderRequest(listingId, "Transfer", 1, "王五", "13700000000", null)));
        })).ToList();
        start.Set();
        var outcomes = await Task.WhenAll(buyers);

        var winner = Assert.Single(outcomes, o => o.Kind == OutcomeKind.Created);
        Assert.Equal(360_000m, winner.Order!.Amount);
        Assert.All(outcomes.Where(o => o.Kind != OutcomeKind.Created), o => Assert.Equal("sold-out", o.Code));
        Assert.Equal(1, await t.App.InScopeAsync(sp => sp.GetRequiredService<OrdersDbContext>().Orders.CountAsync(o => o.ListingId == listingId)));

        // Sold out for everyone else through the API as well.
        var late = await Trading.ReadAsync(await Trading.PlaceAsync(t.Buyer, Trading.Purchase(listingId, "Transfer")));
        Assert.Equal((HttpStatusCode.Conflict, "sold-out"), (late.Status, late.Code));

        // A closed listing cannot be ordered.
        var second = await t.Seller.PostAsJsonAsync("/api/v1/listings?submit=true", Transfer(1000m));
        var secondId = (await second.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        using (var reviewer = await t.App.LoginAsync(ApiFlows.Operator))
        {
            (await reviewer.PostAsync($"/api/v1/operator/listings/{secondId}/approve", null)).EnsureSuccessStatusCode();
        }

        (await t.Seller.PostAsync($"/api/v1/listings/{secondId}/close", null)).EnsureSuccessStatusCode();
        var closed = await Trading.ReadAsync(await Trading.PlaceAsync(t.Buyer, Trading.Purchase(secondId, "Transfer")));
        Assert.Equal((HttpStatusCode.Conflict, "listing-closed"), (closed.Status, closed.Code));
    }
}
