using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using TechMarket.Testing;

namespace TechMarket.Orders.Tests;

/// <summary>A buyer and a seller (the seeded verified individual and enterprise) trading one listing through /api/v1.</summary>
public sealed class Trading : IAsyncDisposable
{
    private Trading(OrdersApp app, HttpClient buyer, HttpClient seller, Guid buyerId, Guid sellerId)
    {
        App = app;
        Buyer = buyer;
        Seller = seller;
        BuyerId = buyerId;
        SellerId = sellerId;
    }

    public OrdersApp App { get; }
    public HttpClient Buyer { get; }
    public HttpClient Seller { get; }
    public Guid BuyerId { get; }
    public Guid SellerId { get; }

    public static async Task<Trading> StartAsync(OrdersApp app)
    {
        var buyer = await app.LoginAsync(ApiFlows.VerifiedIndividual);
        var seller = await app.LoginAsync(ApiFlows.VerifiedEnterprise);
        return new Trading(app, buyer, seller, await OrdersApp.MemberIdAsync(buyer), await OrdersApp.MemberIdAsync(seller));
    }

    public static object Purchase(Guid listingId, string mode = "ExclusiveLicense", int quantity = 1, string? note = null) =>
        new { listingId, mode, quantity, contactName = "张三", contactPhone = "13800000001", note };

    public static async Task<HttpResponseMessage> PlaceAsync(HttpClient client, object purchase, string? key = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/orders") { Content = JsonContent.Create(purchase) };
        request.Headers.Add("Idempotency-Key", key ?? Guid.NewGuid().ToString());
        return await client.SendAsync(request);
    }

    /// <summary>Places an order for a new listing of the seller and returns it.</summary>
    public async Task<JsonElement> OrderAsync(decimal price = 1000m, int? stock = 1, string mode = "ExclusiveLicense")
    {
        var listing = App.Catalog.Add(SellerId, price, stock);
        var response = await PlaceAsync(Buyer, Purchase(listing.Id, mode));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public async Task<JsonElement> GetAsync(HttpClient who, Guid orderId) => await who.GetFromJsonAsync<JsonElement>($"/api/v1/orders/{orderId}");

    public async Task PayAsync(JsonElement order)
    {
        var detail = (await GetAsync(Buyer, order.GetProperty("id").GetGuid())).GetProperty("order");
        var reference = $"ORD{detail.GetProperty("number").GetString()}-{detail.GetProperty("priceVersion").GetInt32()}";
        await App.ConfirmPaymentAsync(reference, BuyerId, SellerId, detail.GetProperty("amount").GetDecimal());
    }

    public static async Task<(HttpStatusCode Status, string? Code, JsonElement Body)> ReadAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (response.StatusCode, body.TryGetProperty("code", out var c) ? c.GetString() : null, body);
    }

    public async ValueTask DisposeAsync()
    {
        Buyer.Dispose();
        Seller.Dispose();
        await App.DisposeAsync();
    }
}
