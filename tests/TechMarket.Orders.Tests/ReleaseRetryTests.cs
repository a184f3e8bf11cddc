using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using TechMarket.Kernel.Persistence;
using TechMarket.Testing;

namespace TechMarket.Orders.Tests;

/// <summary>An order stuck in Accepted after an escrow release error: alerted, and the operator can retry.</summary>
public sealed class ReleaseRetryTests
{
    private static MultipartFormDataContent DeliveryForm() => new()
    {
        { new StringContent("技术资料已上传"), "note" },
        { new ByteArrayContent("%PDF-1.7 package"u8.ToArray()), "files", "资料.pdf" },
    };

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Failed_release_is_alerted_and_only_an_operator_can_retry_it_and_a_failed_retry_is_recorded(DatabaseProvider provider)
    {
        await using var t = await Trading.StartAsync(new OrdersApp(provider));
        var order = await t.OrderAsync(5_000m);
        var id = order.GetProperty("id").GetGuid();
        using var op = await t.App.LoginAsync(ApiFlows.Operator);

        // Not accepted yet: nothing to release.
        var early = await Trading.ReadAsync(await op.PostAsync($"/api/v1/operator/orders/{id}/release", null));
        Assert.Equal((HttpStatusCode.Conflict, "state"), (early.Status, early.Code));

        // The confirmation here comes straight from the payment event, so Payments holds no money for it: the release
        // on acceptance fails and the order stays Accepted.
        await t.PayAsync(order);
        (await t.Seller.PostAsync($"/api/v1/orders/{id}/deliver", DeliveryForm())).EnsureSuccessStatusCode();
        (await t.Buyer.PostAsync($"/api/v1/orders/{id}/accept", null)).EnsureSuccessStatusCode();
        Assert.Equal("Accepted", (await t.GetAsync(t.Buyer, id)).GetProperty("order").GetProperty("state").GetString());

        var alerts = await op.GetFromJsonAsync<JsonElement>("/api/v1/operator/orders/alerts");
        Assert.Contains(alerts.EnumerateArray(), a => a.GetProperty("orderId").GetGuid() == id && a.GetProperty("kind").GetString() == "release-failed");

        // Members cannot retry; the operator's retry fails again, says so, and is on the timeline.
        Assert.Equal(HttpStatusCode.Forbidden, (await t.Seller.PostAsync($"/api/v1/operator/orders/{id}/release", null)).StatusCode);
        var retried = await Trading.ReadAsync(await op.PostAsync($"/api/v1/operator/orders/{id}/release", null));
        Assert.Equal((HttpStatusCode.Conflict, "release-failed"), (retried.Status, retried.Code));
        Assert.Contains("放款仍然失败", retried.Body.GetProperty("title").GetString());
        var detail = await t.GetAsync(t.Buyer, id);
        Assert.Equal("Accepted", detail.GetProperty("order").GetProperty("state").GetString());
        Assert.False(detail.GetProperty("order").GetProperty("escrowReleased").GetBoolean());
        Assert.Equal(2, detail.GetProperty("timeline").EnumerateArray().Count(e => e.GetProperty("kind").GetString() == "release-failed"));
        Assert.Equal(HttpStatusCode.NotFound, (await op.PostAsync($"/api/v1/operator/orders/{Guid.NewGuid()}/release", null)).StatusCode);
    }
}
