using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TechMarket.Kernel.Persistence;
using TechMarket.Orders.Persistence;
using TechMarket.Testing;

namespace TechMarket.Orders.Tests;

/// <summary>Negotiated per-buyer prices (O2): ask, quote, order at the quote; only that buyer, once, before it expires.</summary>
public sealed partial class QuoteTests
{
    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex Antiforgery();
    private static object Purchase(Guid listingId, Guid? quoteId, int quantity = 1) =>
        new { listingId, mode = "OrdinaryLicense", quantity, contactName = "张三", contactPhone = "13800000001", quoteId };

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Buyer_orders_at_the_sellers_quote_once_and_nobody_else_can_use_it(DatabaseProvider provider)
    {
        await using var t = await Trading.StartAsync(new OrdersApp(provider));
        var listing = t.App.Catalog.AddNegotiable(t.SellerId);
        var fixedPrice = t.App.Catalog.Add(t.SellerId, 900m, modes: ["OrdinaryLicense"]);

        // Without a quote a negotiable listing cannot be ordered; a fixed price cannot be negotiated; sellers do not ask themselves.
        Assert.Equal("price-not-quoted", (await Trading.ReadAsync(await Trading.PlaceAsync(t.Buyer, Purchase(listing.Id, null)))).Code);
        Assert.Equal("not-negotiable", (await Trading.ReadAsync(await t.Buyer.PostAsJsonAsync("/api/v1/quotes", new { listingId = fixedPrice.Id }))).Code);
        Assert.Equal("own-listing", (await Trading.ReadAsync(await t.Seller.PostAsJsonAsync("/api/v1/quotes", new { listingId = listing.Id }))).Code);

        var asked = await t.Buyer.PostAsJsonAsync("/api/v1/quotes", new { listingId = listing.Id, note = "需要三年独占许可，请报价" });
        Assert.Equal(HttpStatusCode.Created, asked.StatusCode);
        var quote = await asked.Content.ReadFromJsonAsync<JsonElement>();
        var quoteId = quote.GetProperty("id").GetGuid();
        Assert.Equal("Requested", quote.GetProperty("state").GetString());

        // Not quoted yet; the buyer cannot quote; bad amounts and validity are refused and change nothing.
        Assert.Equal("quote-not-quoted", (await Trading.ReadAsync(await Trading.PlaceAsync(t.Buyer, Purchase(listing.Id, quoteId)))).Code);
        var byBuyer = await Trading.ReadAsync(await t.Buyer.PostAsJsonAsync($"/api/v1/quotes/{quoteId}/answer", new { amount = 1m, validHours = 24 }));
        Assert.Equal((HttpStatusCode.Forbidden, "seller-only"), (byBuyer.Status, byBuyer.Code));
        var zero = await Trading.ReadAsync(await t.Seller.PostAsJsonAsync($"/api/v1/quotes/{quoteId}/answer", new { amount = 0m, validHours = 24 }));
        Assert.Equal((HttpStatusCode.BadRequest, "amount"), (zero.Status, zero.Code));
        var forever = await Trading.ReadAsync(await t.Seller.PostAsJsonAsync($"/api/v1/quotes/{quoteId}/answer", new { amount = 100m, validHours = 100_000 }));
        Assert.Equal((HttpStatusCode.BadRequest, "quote-validity"), (forever.Status, forever.Code));

        var answered = await t.Seller.PostAsJsonAsync($"/api/v1/quotes/{quoteId}/answer", new { amount = 12_345.60m, validHours = 48 });
        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        var quoted = await answered.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(("Quoted", 12_345.60m, true), (quoted.GetProperty("state").GetString(), quoted.GetProperty("amount").GetDecimal(), quoted.GetProperty("usable").GetBoolean()));

        // Another verified buyer cannot use it.
        using var other = await t.App.VerifiedMemberAsync();
        var stolen = await Trading.ReadAsync(await Trading.PlaceAsync(other, Purchase(listing.Id, quoteId)));
        Assert.Equal((HttpStatusCode.Forbidden, "quote-not-yours"), (stolen.Status, stolen.Code));

        // The buyer orders at the quoted unit price.
        var placed = await Trading.PlaceAsync(t.Buyer, Purchase(listing.Id, quoteId, quantity: 2));
        Assert.Equal(HttpStatusCode.Created, placed.StatusCode);
        var order = await placed.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((12_345.60m, 24_691.20m), (order.GetProperty("unitPrice").GetDecimal(), order.GetProperty("amount").GetDecimal()));

        // Once: a second order with the same quote is refused, and the quote now points at the order.
        var again = await Trading.ReadAsync(await Trading.PlaceAsync(t.Buyer, Purchase(listing.Id, quoteId)));
        Assert.Equal((HttpStatusCode.Conflict, "quote-used"), (again.Status, again.Code));
        var late = await Trading.ReadAsync(await t.Seller.PostAsJsonAsync($"/api/v1/quotes/{quoteId}/answer", new { amount = 1m, validHours = 24 }));
        Assert.Equal("quote-closed", late.Code);
        var mine = await t.Buyer.GetFromJsonAsync<JsonElement>("/api/v1/quotes");
        var used = Assert.Single(mine.EnumerateArray(), q => q.GetProperty("id").GetGuid() == quoteId);
        Assert.Equal(("Used", order.GetProperty("id").GetGuid()), (used.GetProperty("state").GetString(), used.GetProperty("orderId").GetGuid()));
        Assert.Equal(1, await t.App.InScopeAsync(sp => sp.GetRequiredService<OrdersDbContext>().Orders.CountAsync(o => o.ListingId == listing.Id)));
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Seller_offers_a_quote_unasked_and_it_expires(DatabaseProvider provider)
    {
        await using var t = await Trading.StartAsync(new OrdersApp(provider));
        var listing = t.App.Catalog.AddNegotiable(t.SellerId);

        var unknown = await Trading.ReadAsync(await t.Seller.PostAsJsonAsync("/api/v1/quotes/offers", new { listingId = listing.Id, buyerId = Guid.NewGuid(), amount = 800m, validHours = 1 }));
        Assert.Equal((HttpStatusCode.BadRequest, "quote-buyer"), (unknown.Status, unknown.Code));
        var notSeller = await Trading.ReadAsync(await t.Buyer.PostAsJsonAsync("/api/v1/quotes/offers", new { listingId = listing.Id, buyerId = t.BuyerId, amount = 800m, validHours = 1 }));
        Assert.Equal((HttpStatusCode.Forbidden, "seller-only"), (notSeller.Status, notSeller.Code));

        var offered = await t.Seller.PostAsJsonAsync("/api/v1/quotes/offers", new { listingId = listing.Id, buyerId = t.BuyerId, amount = 800m, validHours = 1 });
        Assert.Equal(HttpStatusCode.Created, offered.StatusCode);
        var quoteId = (await offered.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();

        // Two hours later (bearer tokens last one hour, so both sign in again).
        t.App.Clock.Advance(TimeSpan.FromHours(2));
        using var buyer = await t.App.LoginAsync(ApiFlows.VerifiedIndividual);
        using var seller = await t.App.LoginAsync(ApiFlows.VerifiedEnterprise);
        var expired = await Trading.ReadAsync(await Trading.PlaceAsync(buyer, Purchase(listing.Id, quoteId)));
        Assert.Equal((HttpStatusCode.Conflict, "quote-expired"), (expired.Status, expired.Code));
        Assert.Contains("过期", expired.Body.GetProperty("title").GetString());
        Assert.Equal(0, await t.App.InScopeAsync(sp => sp.GetRequiredService<OrdersDbContext>().Orders.CountAsync(o => o.ListingId == listing.Id)));

        // Renewed by the seller, it can be used again.
        (await seller.PostAsJsonAsync($"/api/v1/quotes/{quoteId}/answer", new { amount = 750m, validHours = 24 })).EnsureSuccessStatusCode();
        var placed = await Trading.PlaceAsync(buyer, Purchase(listing.Id, quoteId));
        Assert.Equal(HttpStatusCode.Created, placed.StatusCode);
        Assert.Equal(750m, (await placed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("amount").GetDecimal());
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Quote_pages_let_the_buyer_ask_the_seller_answer_and_the_buyer_order_at_the_quote(DatabaseProvider provider)
    {
        await using var t = await Trading.StartAsync(new OrdersApp(provider));
        var listing = t.App.Catalog.AddNegotiable(t.SellerId);

        using var buyer = await SignInAsync(t.App, ApiFlows.VerifiedIndividual);
        var place = await buyer.GetStringAsync($"/orders/new/{listing.Id}");
        Assert.Contains("data-testid=\"ask-quote\"", place, StringComparison.Ordinal);
        var asked = await PostFormAsync(buyer, $"/orders/new/{listing.Id}", place, "ask-quote", new() { ["Ask.Note"] = "请报独占许可价格" });
        Assert.Contains("data-testid=\"quote-asked\"", asked, StringComparison.Ordinal);

        using var seller = await SignInAsync(t.App, ApiFlows.VerifiedEnterprise);
        var quotes = await seller.GetStringAsync("/orders/quotes");
        Assert.Contains("请报独占许可价格", quotes, StringComparison.Ordinal);
        var quoteId = Regex.Match(quotes, "name=\"Input.QuoteId\" value=\"([0-9a-f-]+)\"").Groups[1].Value;
        var bad = await PostFormAsync(seller, "/orders/quotes", quotes, $"answer-{Guid.Parse(quoteId):N}",
            new() { ["Input.QuoteId"] = quoteId, ["Input.Amount"] = "-5", ["Input.ValidHours"] = "24", ["Input.Decline"] = "false" });
        Assert.Contains("金额须大于 0", bad, StringComparison.Ordinal);
        var answered = await PostFormAsync(seller, "/orders/quotes", quotes, $"answer-{Guid.Parse(quoteId):N}",
            new() { ["Input.QuoteId"] = quoteId, ["Input.Amount"] = "66000", ["Input.ValidHours"] = "24", ["Input.Decline"] = "false" });
        Assert.Contains("已报价", answered, StringComparison.Ordinal);

        var mine = await buyer.GetStringAsync("/orders/quotes");
        Assert.Contains($"/orders/new/{listing.Id}?quote={quoteId}", mine, StringComparison.Ordinal);
        var atQuote = await buyer.GetStringAsync($"/orders/new/{listing.Id}?quote={quoteId}");
        Assert.Contains("按议价报价下单：单价 ¥66,000.00", atQuote, StringComparison.Ordinal);
        Assert.Contains($"name=\"Input.QuoteId\" value=\"{quoteId}\"", atQuote, StringComparison.Ordinal);
    }

    private static async Task<HttpClient> SignInAsync(OrdersApp app, string account)
    {
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = true, AllowAutoRedirect = false });
        var page = await client.GetStringAsync("/account/login");
        var signedIn = await client.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "login",
            ["__RequestVerificationToken"] = Antiforgery().Match(page).Groups[1].Value,
            ["Input.Account"] = account,
            ["Input.Password"] = ApiFlows.DemoPassword,
        }));
        Assert.True(signedIn.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.Found or HttpStatusCode.SeeOther, $"login: {(int)signedIn.StatusCode}");
        return client;
    }

    private static async Task<string> PostFormAsync(HttpClient client, string url, string page, string handler, Dictionary<string, string> fields)
    {
        fields["_handler"] = handler;
        fields["__RequestVerificationToken"] = Antiforgery().Match(page).Groups[1].Value;
        var response = await client.PostAsync(url, new FormUrlEncodedContent(fields));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }
}
