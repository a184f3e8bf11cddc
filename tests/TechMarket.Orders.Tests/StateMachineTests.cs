using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TechMarket.Kernel.Persistence;
using TechMarket.Orders.Persistence;
using TechMarket.Testing;

namespace TechMarket.Orders.Tests;

public sealed class StateMachineTests
{
    private static async Task<(HttpStatusCode Status, string? Code)> PostAsync(HttpClient who, Guid id, string action, object? body = null)
    {
        var response = body is null ? await who.PostAsync($"/api/v1/orders/{id}/{action}", null) : await who.PostAsJsonAsync($"/api/v1/orders/{id}/{action}", body);
        var (status, code, _) = await Trading.ReadAsync(response);
        return (status, code);
    }

    private static MultipartFormDataContent DeliveryForm() => new()
    {
        { new StringContent("技术资料与实施说明见附件"), "note" },
        { new ByteArrayContent("%PDF-1.7 technical package"u8.ToArray()), "files", "工艺说明.pdf" },
    };

    private static async Task<string> StateAsync(Trading t, Guid id) =>
        (await t.GetAsync(t.Buyer, id)).GetProperty("order").GetProperty("state").GetString()!;

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Order_goes_from_payment_to_delivery_to_acceptance_and_forbidden_steps_are_refused_on_the_way(DatabaseProvider provider)
    {
        await using var t = await Trading.StartAsync(new OrdersApp(provider));
        var order = await t.OrderAsync(1200m);
        var id = order.GetProperty("id").GetGuid();
        var reason = new { reason = "测试" };

        // Pending payment: nothing after payment may happen yet.
        Assert.Equal(HttpStatusCode.Conflict, (await t.Seller.PostAsync($"/api/v1/orders/{id}/deliver", DeliveryForm())).StatusCode);
        Assert.Equal((HttpStatusCode.Conflict, "state"), await PostAsync(t.Buyer, id, "accept"));
        Assert.Equal((HttpStatusCode.Conflict, "state"), await PostAsync(t.Buyer, id, "refund-request", reason));
        Assert.Equal((HttpStatusCode.Conflict, "state"), await PostAsync(t.Seller, id, "refund", reason));
        Assert.Equal((HttpStatusCode.Conflict, "state"), await PostAsync(t.Buyer, id, "dispute", reason));
        Assert.Equal((HttpStatusCode.Forbidden, "seller-only"), await PostAsync(t.Buyer, id, "price", new { amount = 1.00m, reason = "买方自己改价" }));

        await t.PayAsync(order);
        Assert.Equal("Paid", await StateAsync(t, id));

        // Paid: no more cancelling or price changes; only the seller delivers.
        Assert.Equal((HttpStatusCode.Conflict, "state"), await PostAsync(t.Buyer, id, "cancel", reason));
        Assert.Equal((HttpStatusCode.Conflict, "state"), await PostAsync(t.Seller, id, "price", new { amount = 999m, reason = "付款后改价" }));
        Assert.Equal((HttpStatusCode.Conflict, "state"), await PostAsync(t.Buyer, id, "pay"));
        Assert.Equal((HttpStatusCode.Conflict, "state"), await PostAsync(t.Buyer, id, "accept"));
        using (var stranger = await t.App.VerifiedMemberAsync())
        {
            Assert.Equal(HttpStatusCode.NotFound, (await PostAsync(stranger, id, "accept")).Status);
            Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync($"/api/v1/orders/{id}")).StatusCode);
        }

        Assert.Equal(HttpStatusCode.Forbidden, (await t.Buyer.PostAsync($"/api/v1/orders/{id}/deliver", DeliveryForm())).StatusCode);
        var delivered = await t.Seller.PostAsync($"/api/v1/orders/{id}/deliver", DeliveryForm());
        Assert.Equal(HttpStatusCode.OK, delivered.StatusCode);

        var detail = await t.GetAsync(t.Buyer, id);
        Assert.Equal("Delivered", detail.GetProperty("order").GetProperty("state").GetString());
        var attachment = detail.GetProperty("attachments")[0];
        Assert.Equal("工艺说明.pdf", attachment.GetProperty("fileName").GetString());
        var url = $"/api/v1/orders/{id}/attachments/{attachment.GetProperty("id").GetGuid()}";
        Assert.Equal("%PDF-1.7 technical package", await t.Buyer.GetStringAsync(url));
        Assert.Equal(HttpStatusCode.NotFound, (await t.Seller.GetAsync(url)).StatusCode);

        Assert.Equal((HttpStatusCode.Forbidden, "buyer-only"), await PostAsync(t.Seller, id, "accept"));
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(t.Buyer, id, "accept")).Status);
        Assert.Contains(await StateAsync(t, id), new[] { "Accepted", "Completed" });
        Assert.Equal((HttpStatusCode.Conflict, "state"), await PostAsync(t.Buyer, id, "accept"));

        // Every step is on the timeline and in the audit log: who, when, from, to, why.
        var timeline = (await t.GetAsync(t.Seller, id)).GetProperty("timeline").EnumerateArray().Select(e => e.GetProperty("kind").GetString()).ToList();
        Assert.Equal(["created", "paid", "delivered", "accepted"], timeline.Where(k => k is "created" or "paid" or "delivered" or "accepted"));
        var audit = await t.App.InScopeAsync(sp => sp.GetRequiredService<OrdersDbContext>().AuditLog.Where(a => a.SubjectId == id.ToString()).Select(a => a.Action).ToListAsync());
        Assert.Contains("order.paid", audit);
        Assert.Contains("order.delivered", audit);
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Cancelled_order_cannot_be_paid_and_a_late_payment_is_refused_and_the_stock_comes_back(DatabaseProvider provider)
    {
        await using var t = await Trading.StartAsync(new OrdersApp(provider));
        var order = await t.OrderAsync(300m, stock: 1);
        var id = order.GetProperty("id").GetGuid();
        var listingId = order.GetProperty("listingId").GetGuid();
        Assert.Equal(0, t.App.Catalog.Remaining(listingId));

        Assert.Equal(HttpStatusCode.OK, (await PostAsync(t.Seller, id, "cancel", new { reason = "缺货" })).Status);
        Assert.Equal("Cancelled", await StateAsync(t, id));
        Assert.Equal(1, t.App.Catalog.Remaining(listingId));
        Assert.Equal((HttpStatusCode.Conflict, "state"), await PostAsync(t.Buyer, id, "pay"));
        Assert.Equal((HttpStatusCode.Conflict, "state"), await PostAsync(t.Buyer, id, "cancel"));

        await t.PayAsync(order);
        var detail = await t.GetAsync(t.Buyer, id);
        Assert.Equal("Cancelled", detail.GetProperty("order").GetProperty("state").GetString());
        Assert.Contains(detail.GetProperty("timeline").EnumerateArray(), e => e.GetProperty("kind").GetString() == "payment-refused");

        // The exclusive licence is free again: another order may take it.
        var again = await Trading.PlaceAsync(t.Buyer, Trading.Purchase(listingId));
        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Refund_request_then_refund_and_disputes_are_flagged(DatabaseProvider provider)
    {
        await using var t = await Trading.StartAsync(new OrdersApp(provider));
        var order = await t.OrderAsync(500m);
        var id = order.GetProperty("id").GetGuid();
        await t.PayAsync(order);

        Assert.Equal((HttpStatusCode.BadRequest, "reason"), await PostAsync(t.Buyer, id, "refund-request", new { reason = "" }));
        Assert.Equal((HttpStatusCode.Forbidden, "buyer-only"), await PostAsync(t.Seller, id, "refund-request", new { reason = "x" }));
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(t.Buyer, id, "refund-request", new { reason = "资料与描述不符" })).Status);
        Assert.Equal("RefundRequested", await StateAsync(t, id));
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(t.Buyer, id, "dispute", new { reason = "卖方不同意退款" })).Status);
        Assert.Equal((HttpStatusCode.Conflict, "already-disputed"), await PostAsync(t.Seller, id, "dispute", new { reason = "again" }));
        Assert.Equal((HttpStatusCode.Forbidden, "seller-only"), await PostAsync(t.Buyer, id, "refund", new { reason = "自己退" }));
        Assert.True((await t.GetAsync(t.Buyer, id)).GetProperty("order").GetProperty("disputed").GetBoolean());

        using var op = await t.App.LoginAsync(ApiFlows.Operator);
        var alerts = await op.GetFromJsonAsync<JsonElement>("/api/v1/operator/orders/alerts");
        Assert.Contains(alerts.EnumerateArray(), a => a.GetProperty("kind").GetString() == "disputed" && a.GetProperty("orderId").GetGuid() == id);
    }
}
