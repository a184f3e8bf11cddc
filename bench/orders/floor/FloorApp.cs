using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Npgsql;
using TechMarket.Payments.Gateways.Alipay;

namespace TechMarket.Orders.Floor;

internal sealed record OrderView(Guid Id, string Number, decimal Amount, string State);

internal sealed record PaymentView(string Reference, decimal Amount, string Status, string? PayUrl);

internal sealed record PlacedView(OrderView Order, PaymentView Payment);

internal sealed record ErrorView(string Error);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(FloorDb.PlaceRequest))]
[JsonSerializable(typeof(PlacedView))]
[JsonSerializable(typeof(ErrorView))]
internal sealed partial class FloorJson : JsonSerializerContext;

/// <summary>
/// The shop without a framework around it: Kestrel, two minimal-API endpoints, one pooled NpgsqlDataSource, the bank's
/// public key imported once. Same checks and the same durable writes as the real flow, nothing else.
/// </summary>
internal static class FloorApp
{
    /// <param name="payUrl">
    /// Also sign the buyer's page-pay URL with the shop's RSA-2048 private key, as the real buy now does
    /// (AlipayGateway.CreatePayment); the floor leaves it out, the "payurl" variant measures it.
    /// </param>
    public static async Task RunAsync(string url, string connectionString, string keyFolder, bool payUrl)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(url);
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, FloorJson.Default));
        await using var app = builder.Build();

        await using var db = NpgsqlDataSource.Create(connectionString);
        using var bank = AlipaySignature.LoadPublicKey(await File.ReadAllTextAsync(Path.Combine(keyFolder, "bank-public.pem")));
        var tokens = new Tokens(Convert.FromBase64String(await File.ReadAllTextAsync(Path.Combine(keyFolder, "token.key"))));
        using var shop = payUrl ? AlipaySignature.LoadPrivateKey(await File.ReadAllTextAsync(Path.Combine(keyFolder, "shop-private.pem"))) : null;

        app.MapGet("/health", () => "ok");
        app.MapPost("/orders", async (HttpContext http) => await (await PlaceAsync(http, db, tokens, shop)).ExecuteAsync(http));
        app.MapPost("/notify", async (HttpContext http) => await (await NotifyAsync(http, db, bank)).ExecuteAsync(http));
        await app.RunAsync();
    }

    private static readonly string[] Modes = ["OrdinaryLicense", "ExclusiveLicense", "Transfer"];

    private static async Task<IResult> PlaceAsync(HttpContext http, NpgsqlDataSource db, Tokens tokens, System.Security.Cryptography.RSA? shop)
    {
        if (tokens.VerifiedMember(http.Request.Headers.Authorization) is not { } buyer)
        {
            return Results.Unauthorized();
        }

        string? key = http.Request.Headers["Idempotency-Key"];
        if (string.IsNullOrWhiteSpace(key) || key.Length > 100)
        {
            return Bad("Idempotency-Key: 1 to 100 characters");
        }

        FloorDb.PlaceRequest? r;
        try
        {
            r = await http.Request.ReadFromJsonAsync(FloorJson.Default.PlaceRequest, http.RequestAborted);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return Bad("body: a JSON order");
        }

        var error = r is null ? "body: a JSON order"
            : r.ListingId == Guid.Empty ? "listingId: required"
            : Array.IndexOf(Modes, r.Mode) < 0 ? "mode: OrdinaryLicense, ExclusiveLicense or Transfer"
            : r.Quantity is < 1 or > 100 ? "quantity: 1 to 100"
            : string.IsNullOrWhiteSpace(r.ContactName) || r.ContactName.Length > 64 ? "contactName: 1 to 64 characters"
            : !IsMainlandMobile(r.ContactPhone) ? "contactPhone: a mainland mobile number"
            : r.BuyerNote is { Length: > 500 } ? "buyerNote: at most 500 characters"
            : null;
        if (error is not null)
        {
            return Bad(error);
        }

        if (r!.Mode != "OrdinaryLicense")
        {
            // Sell-once modes claim the listing (ux_orders_exclusive_claim); not part of this flow.
            return Results.Json(new ErrorView("mode not offered by the floor"), FloorJson.Default.ErrorView, statusCode: 422);
        }

        var placed = await FloorDb.PlaceAsync(db, buyer, key, RequestHash(r), r);
        if (placed is not { } p)
        {
            return Results.Json(new ErrorView("listing not for sale"), FloorJson.Default.ErrorView, statusCode: 422);
        }

        if (!p.SameRequest)
        {
            return Results.Json(new ErrorView("Idempotency-Key reused for a different order"), FloorJson.Default.ErrorView, statusCode: 422);
        }

        var view = new PlacedView(new OrderView(p.OrderId, p.Number, p.Amount, "PendingPayment"), new PaymentView(p.Reference, p.Amount, "Pending", shop is null ? null : PayUrl(shop, p)));
        return Results.Json(view, FloorJson.Default.PlacedView, statusCode: p.Created ? 201 : 200);
    }

    private static string PayUrl(System.Security.Cryptography.RSA shop, FloorDb.Placed p)
    {
        var biz = $$"""{"out_trade_no":"{{p.Reference}}","product_code":"FAST_INSTANT_TRADE_PAY","total_amount":"{{AlipaySignature.Yuan(p.Amount)}}","subject":"TechMarket {{p.Number}}"}""";
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["app_id"] = FloorDb.AppId,
            ["method"] = "alipay.trade.page.pay",
            ["format"] = "JSON",
            ["charset"] = "utf-8",
            ["sign_type"] = "RSA2",
            ["timestamp"] = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture),
            ["version"] = "1.0",
            ["biz_content"] = biz,
            ["notify_url"] = "https://shop.example/payments/notify/alipay",
            ["return_url"] = $"https://shop.example/orders/{p.OrderId}/paid",
        };
        parameters["sign"] = AlipaySignature.SignParameters(parameters, shop);
        return $"https://bank.example/gateway.do?{AlipaySignature.FormEncode(parameters)}";
    }

    private static IResult Bad(string error) => Results.Json(new ErrorView(error), FloorJson.Default.ErrorView, statusCode: 400);

    private static bool IsMainlandMobile(string? phone) =>
        phone is { Length: 11 } && phone[0] == '1' && phone[1] is >= '3' and <= '9' && phone.All(char.IsAsciiDigit);

    private static string RequestHash(FloorDb.PlaceRequest r) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{r.ListingId:N}|{r.Mode}|{r.Quantity}|{r.ContactName}|{r.ContactPhone}|{r.BuyerNote}")));

    private static async Task<IResult> NotifyAsync(HttpContext http, NpgsqlDataSource db, System.Security.Cryptography.RSA bank)
    {
        if (http.Request.ContentLength is > 16 * 1024 || http.Request.ContentType?.StartsWith("application/x-www-form-urlencoded", StringComparison.Ordinal) != true)
        {
            return Results.Text("fail", statusCode: 400);
        }

        string body;
        using (var reader = new StreamReader(http.Request.Body, Encoding.UTF8))
        {
            body = await reader.ReadToEndAsync(http.RequestAborted);
        }

        Dictionary<string, string> form;
        try
        {
            form = AlipaySignature.ParseForm(body);
        }
        catch (FormatException)
        {
            return Results.Text("fail", statusCode: 400);
        }

        if (form.GetValueOrDefault("app_id") != FloorDb.AppId || form.GetValueOrDefault("sign_type") != "RSA2"
            || !AlipaySignature.VerifyParameters(form, bank, AlipaySignature.NotificationExclusions))
        {
            return Results.Text("fail", statusCode: 400);
        }

        var status = form.GetValueOrDefault("trade_status");
        if (status is not ("TRADE_SUCCESS" or "TRADE_FINISHED"))
        {
            return Results.Text("success"); // WAIT_BUYER_PAY, TRADE_CLOSED: acknowledged, nothing to apply
        }

        if (!AlipaySignature.TryParseYuan(form.GetValueOrDefault("total_amount"), out var amount)
            || form.GetValueOrDefault("out_trade_no") is not { Length: > 0 and <= 64 } reference
            || form.GetValueOrDefault("trade_no") is not { Length: > 0 and <= 64 } tradeNo)
        {
            return Results.Text("fail", statusCode: 400);
        }

        var outcome = await FloorDb.NotifyAsync(db, reference, tradeNo, amount);
        return outcome is FloorDb.NotifyOutcome.Applied or FloorDb.NotifyOutcome.Duplicate
            ? Results.Text("success")
            : Results.Text($"fail {outcome}", statusCode: 409);
    }
}
