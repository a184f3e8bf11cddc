using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TechMarket.Kernel.Persistence;
using TechMarket.Orders.Features.Workflow;
using TechMarket.Orders.Persistence;
using TechMarket.Testing;

namespace TechMarket.Orders.Tests;

public sealed class PriceAndTimeoutTests
{
    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Seller_price_change_reaches_the_buyer_live_and_a_payment_of_the_old_amount_is_refused(DatabaseProvider provider)
    {
        await using var t = await Trading.StartAsync(new OrdersApp(provider));
        var order = await t.OrderAsync(10_000m);
        var id = order.GetProperty("id").GetGuid();
        var oldReference = $"ORD{order.GetProperty("number").GetString()}-0";

        var token = t.Buyer.DefaultRequestHeaders.Authorization!.Parameter;
        await using var hub = new HubConnectionBuilder()
            .WithUrl(new Uri(t.App.Server.BaseAddress, "/hubs/orders"), o =>
            {
                o.AccessTokenProvider = () => Task.FromResult<string?>(token);
                o.HttpMessageHandlerFactory = _ => t.App.Server.CreateHandler();
                o.Transports = HttpTransportType.LongPolling;
            })
            .Build();
        var seen = new TaskCompletionSource<OrderChange>(TaskCreationOptions.RunContinuationsAsynchronously);
        hub.On<OrderChange>("orderChanged", c =>
        {
            if (c.Kind == "price-changed")
            {
                seen.TrySetResult(c);
            }
        });
        await hub.StartAsync();

        Assert.Equal(HttpStatusCode.BadRequest, (await t.Seller.PostAsJsonAsync($"/api/v1/orders/{id}/price", new { amount = 8000.123m, reason = "优惠" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await t.Seller.PostAsJsonAsync($"/api/v1/orders/{id}/price", new { amount = 8000m, reason = "" })).StatusCode);
        var changed = await t.Seller.PostAsJsonAsync($"/api/v1/orders/{id}/price", new { amount = 8000m, reason = "老客户优惠" });
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);

        var live = await seen.Task.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(8000m, live.Amount);
        Assert.Equal("老客户优惠", live.Reason);

        // A second device paid the old amount before the change: refused, order still waiting for the new amount.
        await t.App.ConfirmPaymentAsync(oldReference, t.BuyerId, t.SellerId, 10_000m);
        var detail = await t.GetAsync(t.Buyer, id);
        Assert.Equal("PendingPayment", detail.GetProperty("order").GetProperty("state").GetString());
        Assert.Equal(8000m, detail.GetProperty("order").GetProperty("amount").GetDecimal());
        var price = detail.GetProperty("timeline").EnumerateArray().Single(e => e.GetProperty("kind").GetString() == "price-changed");
        Assert.Equal(10_000m, price.GetProperty("oldAmount").GetDecimal());
        Assert.Equal(t.SellerId, price.GetProperty("actorId").GetGuid());
        Assert.Contains(detail.GetProperty("timeline").EnumerateArray(), e => e.GetProperty("kind").GetString() == "payment-refused");

        // A payment of the wrong amount under the current reference is refused too; the right one is accepted.
        await t.App.ConfirmPaymentAsync($"ORD{order.GetProperty("number").GetString()}-1", t.BuyerId, t.SellerId, 7999m);
        Assert.Equal("PendingPayment", (await t.GetAsync(t.Buyer, id)).GetProperty("order").GetProperty("state").GetString());
        await t.PayAsync(order);
        var paid = (await t.GetAsync(t.Buyer, id)).GetProperty("order");
        Assert.Equal("Paid", paid.GetProperty("state").GetString());
        Assert.Equal(8000m, paid.GetProperty("paidAmount").GetDecimal());

        var audit = await t.App.InScopeAsync(sp => sp.GetRequiredService<OrdersDbContext>().AuditLog.Where(a => a.Action == "order.price-changed").ToListAsync());
        Assert.Contains(audit, a => a.SubjectId == id.ToString() && a.ActorId == t.SellerId && a.Detail!.Contains("老客户优惠"));
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Unpaid_order_is_cancelled_after_the_timeout_and_not_before(DatabaseProvider provider)
    {
        var app = new OrdersApp(provider);
        app.Settings["Orders:UnpaidTimeout"] = "00:30:00";
        await using var t = await Trading.StartAsync(app);
        var order = await t.OrderAsync(50m, stock: 1);
        var id = order.GetProperty("id").GetGuid();
        var sweeper = app.Services.GetRequiredService<UnpaidOrderSweeper>();

        app.Clock.Advance(TimeSpan.FromMinutes(29));
        Assert.Equal(0, await sweeper.SweepAsync());
        Assert.Equal("PendingPayment", (await t.GetAsync(t.Buyer, id)).GetProperty("order").GetProperty("state").GetString());

        using var op = await app.LoginAsync(ApiFlows.Operator);
        app.Clock.Advance(TimeSpan.FromMinutes(1));
        var alerts = await op.GetFromJsonAsync<JsonElement>("/api/v1/operator/orders/alerts");
        Assert.Contains(alerts.EnumerateArray(), a => a.GetProperty("kind").GetString() == "unpaid-timeout" && a.GetProperty("orderId").GetGuid() == id);

        app.Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(1, await sweeper.SweepAsync());
        Assert.Equal(0, await sweeper.SweepAsync());
        var detail = await t.GetAsync(t.Buyer, id);
        Assert.Equal("Cancelled", detail.GetProperty("order").GetProperty("state").GetString());
        var last = detail.GetProperty("timeline").EnumerateArray().Last();
        Assert.Equal("unpaid-timeout", last.GetProperty("reason").GetString());
        Assert.Equal(JsonValueKind.Null, last.GetProperty("actorId").ValueKind);
        Assert.Equal(1, app.Catalog.Remaining(order.GetProperty("listingId").GetGuid()));
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Operator_monitor_shows_figures_from_the_database_and_members_cannot_see_it(DatabaseProvider provider)
    {
        await using var t = await Trading.StartAsync(new OrdersApp(provider));
        var paid = await t.OrderAsync(1000m);
        await t.PayAsync(paid);
        await t.OrderAsync(200m);

        using var op = await t.App.LoginAsync(ApiFlows.Operator);
        var snapshot = await op.GetFromJsonAsync<JsonElement>("/api/v1/operator/orders/monitor");
        Assert.Equal(2, snapshot.GetProperty("ordersToday").GetInt32());
        Assert.Equal(1000m, snapshot.GetProperty("paidAmountToday").GetDecimal());
        var states = snapshot.GetProperty("byState").EnumerateArray().ToDictionary(s => s.GetProperty("state").GetString()!, s => s.GetProperty("count").GetInt32());
        Assert.Equal(1, states["Paid"]);
        Assert.Equal(1, states["PendingPayment"]);
        Assert.Equal(60, snapshot.GetProperty("lastHour").GetArrayLength());
        Assert.Equal(2, snapshot.GetProperty("lastHour").EnumerateArray().Sum(m => m.GetProperty("orders").GetInt32()));
        Assert.Contains(snapshot.GetProperty("feed").EnumerateArray(), f => f.GetProperty("kind").GetString() == "paid");

        Assert.Equal(HttpStatusCode.Forbidden, (await t.Buyer.GetAsync("/api/v1/operator/orders/monitor")).StatusCode);
        var mine = await t.Buyer.GetFromJsonAsync<JsonElement>("/api/v1/orders?state=Paid");
        Assert.Equal(1, mine.GetProperty("total").GetInt32());
        var sold = await t.Seller.GetFromJsonAsync<JsonElement>("/api/v1/orders?role=seller");
        Assert.Equal(2, sold.GetProperty("total").GetInt32());
        Assert.Equal(0, (await t.Seller.GetFromJsonAsync<JsonElement>("/api/v1/orders")).GetProperty("total").GetInt32());
    }
}
