using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using TechMarket.Kernel.Persistence;
using TechMarket.Testing;

namespace TechMarket.Orders.Tests;

public sealed partial class PageTests
{
    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex Antiforgery();

    private static async Task<HttpClient> SignInAsync(OrdersApp app, string account)
    {
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = true, AllowAutoRedirect = false });
        var page = await client.GetStringAsync("/account/login");
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "login",
            ["__RequestVerificationToken"] = Antiforgery().Match(page).Groups[1].Value,
            ["Input.Account"] = account,
            ["Input.Password"] = ApiFlows.DemoPassword,
        });
        var signedIn = await client.PostAsync("/account/login", form);
        Assert.True(signedIn.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.Found or HttpStatusCode.SeeOther, $"login: {(int)signedIn.StatusCode}");
        return client;
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Buyer_seller_and_operator_pages_render_the_order_in_chinese_with_the_live_script(DatabaseProvider provider)
    {
        await using var t = await Trading.StartAsync(new OrdersApp(provider));
        var order = await t.OrderAsync(4321m);
        var id = order.GetProperty("id").GetGuid();
        await t.PayAsync(order);

        using var buyer = await SignInAsync(t.App, ApiFlows.VerifiedIndividual);
        var mine = await buyer.GetStringAsync("/orders");
        var detail = await buyer.GetStringAsync($"/orders/{id}");
        Assert.Contains(order.GetProperty("number").GetString()!, mine, StringComparison.Ordinal);
        Assert.Contains("已付款（托管中）", detail, StringComparison.Ordinal);
        Assert.Contains("data-orders-live=\"order\"", detail, StringComparison.Ordinal);
        Assert.Contains("orders-live.js", detail, StringComparison.Ordinal);
        Assert.Contains("买方付款，资金托管", detail, StringComparison.Ordinal);

        using var seller = await SignInAsync(t.App, ApiFlows.VerifiedEnterprise);
        var console = await seller.GetStringAsync("/orders/console");
        Assert.Contains("已付款，待交付 (1)", console, StringComparison.Ordinal);
        var sellerView = await seller.GetStringAsync($"/orders/{id}");
        Assert.Contains("data-testid=\"deliver\"", sellerView, StringComparison.Ordinal);

        using var op = await SignInAsync(t.App, ApiFlows.Operator);
        var monitor = await op.GetAsync("/operator/orders");
        Assert.Equal(HttpStatusCode.OK, monitor.StatusCode);
        var html = await monitor.Content.ReadAsStringAsync();
        Assert.Contains("data-testid=\"minute-chart\"", html, StringComparison.Ordinal);
        Assert.Contains("¥4,321.00", html, StringComparison.Ordinal);
        Assert.NotEqual(HttpStatusCode.OK, (await buyer.GetAsync("/operator/orders")).StatusCode);
    }
}
