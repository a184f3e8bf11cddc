using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using TechMarket.Kernel.Persistence;
using TechMarket.Orders.Persistence;
using TechMarket.Payments.Domain;
using TechMarket.Payments.Gateways.Alipay;
using TechMarket.Payments.Persistence;
using TechMarket.Testing;

namespace TechMarket.Orders.Tests;

/// <summary>
/// "Buy now" (<c>POST /api/v1/orders?pay=true</c>): the order and its payment intent in one request, then the bank's
/// RSA2-signed asynchronous notification pays it. The real Alipay gateway runs against keys made here; the test plays
/// the bank (the edge of the world) and signs the notification with the bank's key, as the benchmark does.
/// </summary>
public sealed class BuyNowTests
{
    private const string AppId = "2021000000000000";

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Buy_now_places_the_order_and_its_payment_in_one_call_and_the_signed_callback_pays_it_once(DatabaseProvider provider)
    {
        using var bankKey = RSA.Create(2048);
        await using var t = await Trading.StartAsync(WithAlipay(new OrdersApp(provider), bankKey));
        var listing = t.App.Catalog.Add(t.SellerId, 1200m, stock: null, modes: ["OrdinaryLicense"]);
        var key = Guid.NewGuid().ToString();

        var first = await BuyNowAsync(t.Buyer, Trading.Purchase(listing.Id, "OrdinaryLicense", 2), key);
        var again = await BuyNowAsync(t.Buyer, Trading.Purchase(listing.Id, "OrdinaryLicense", 2), key);

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var placed = await first.Content.ReadFromJsonAsync<JsonElement>();
        var replayed = await again.Content.ReadFromJsonAsync<JsonElement>();
        var order = placed.GetProperty("order");
        var payment = placed.GetProperty("payment");
        var reference = $"ORD{order.GetProperty("number").GetString()}-{order.GetProperty("priceVersion").GetInt32()}";
        Assert.Equal("PendingPayment", order.GetProperty("state").GetString());
        Assert.Equal(reference, order.GetProperty("paymentReference").GetString());
        Assert.Equal(reference, payment.GetProperty("reference").GetString());
        Assert.Equal(2400m, payment.GetProperty("amount").GetDecimal());
        Assert.StartsWith("https://bank.test/gateway.do?", payment.GetProperty("payUrl").GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, placed.GetProperty("paymentError").ValueKind);
        Assert.Equal(order.GetProperty("id").GetGuid(), replayed.GetProperty("order").GetProperty("id").GetGuid());
        Assert.Equal(reference, replayed.GetProperty("payment").GetProperty("reference").GetString());

        // The bank's notification, then the same delivery again: applied once.
        var notification = Notification(bankKey, reference, 2400m, "2026112322001400000000000001");
        using var callbacks = t.App.CreateClient();
        var answers = new List<string>();
        foreach (var _ in new[] { 1, 2 })
        {
            using var content = new StringContent(notification, Encoding.UTF8, "application/x-www-form-urlencoded");
            var r = await callbacks.PostAsync("/payments/notify/alipay", content);
            answers.Add($"{(int)r.StatusCode} {await r.Content.ReadAsStringAsync()}");
        }

        var detail = await t.GetAsync(t.Buyer, order.GetProperty("id").GetGuid());
        Assert.Equal(["200 success", "200 success"], answers);
        Assert.Equal("Paid", detail.GetProperty("order").GetProperty("state").GetString());
        Assert.Equal(2400m, detail.GetProperty("order").GetProperty("paidAmount").GetDecimal());
        Assert.Single(detail.GetProperty("timeline").EnumerateArray(), e => e.GetProperty("kind").GetString() == "paid");
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Buy_now_with_bad_input_answers_field_errors_and_creates_neither_order_nor_payment(DatabaseProvider provider)
    {
        using var bankKey = RSA.Create(2048);
        await using var t = await Trading.StartAsync(WithAlipay(new OrdersApp(provider), bankKey));
        var listing = t.App.Catalog.Add(t.SellerId, 1200m, stock: null, modes: ["OrdinaryLicense"]);
        var badPhone = new { listingId = listing.Id, mode = "OrdinaryLicense", quantity = 1, contactName = "张三", contactPhone = "call me" };

        var response = await BuyNowAsync(t.Buyer, badPhone, Guid.NewGuid().ToString());
        var noKey = await t.Buyer.PostAsJsonAsync("/api/v1/orders?pay=true", Trading.Purchase(listing.Id, "OrdinaryLicense"));
        var (status, code, body) = await Trading.ReadAsync(response);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("contact-phone", code);
        Assert.True(body.GetProperty("errors").TryGetProperty("contactPhone", out _));
        Assert.Equal(HttpStatusCode.BadRequest, noKey.StatusCode);
        Assert.Equal(0, await t.App.InScopeAsync(sp => sp.GetRequiredService<OrdersDbContext>().Orders.CountAsync()));
        var payments = await t.Buyer.GetFromJsonAsync<JsonElement>("/api/v1/payments");
        Assert.Empty(payments.GetProperty("items").EnumerateArray());
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Buy_now_without_a_payment_gateway_keeps_the_order_and_says_why_there_is_no_payment(DatabaseProvider provider)
    {
        await using var t = await Trading.StartAsync(new OrdersApp(provider));
        var listing = t.App.Catalog.Add(t.SellerId, 800m, stock: null, modes: ["OrdinaryLicense"]);

        var response = await BuyNowAsync(t.Buyer, Trading.Purchase(listing.Id, "OrdinaryLicense"), Guid.NewGuid().ToString());

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(JsonValueKind.Null, body.GetProperty("payment").ValueKind);
        Assert.Equal("payment-unavailable", body.GetProperty("paymentError").GetString());
        Assert.Equal("PendingPayment", body.GetProperty("order").GetProperty("state").GetString());
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Buy_now_commits_order_and_payment_together_so_a_failed_payment_insert_leaves_neither(DatabaseProvider provider)
    {
        using var bankKey = RSA.Create(2048);
        var failPayments = new FailingPaymentInsert();
        var app = WithAlipay(new OrdersApp(provider), bankKey);
        var services = app.TestServices;
        app.TestServices = s =>
        {
            services?.Invoke(s);
            s.ConfigureDbContext<PaymentsDbContext>(o => o.AddInterceptors(failPayments));
        };
        await using var t = await Trading.StartAsync(app);
        var listing = t.App.Catalog.Add(t.SellerId, 500m, stock: null, modes: ["OrdinaryLicense"]);
        var key = Guid.NewGuid().ToString();

        failPayments.Enabled = true;
        HttpStatusCode? failed;
        try
        {
            failed = (await BuyNowAsync(t.Buyer, Trading.Purchase(listing.Id, "OrdinaryLicense"), key)).StatusCode;
        }
        catch (DbUpdateException)
        {
            failed = null;  // the test server passes the unhandled exception through
        }

        var ordersAfterFailure = await t.App.InScopeAsync(sp => sp.GetRequiredService<OrdersDbContext>().Orders.CountAsync());
        var paymentsAfterFailure = await t.App.InScopeAsync(sp => sp.GetRequiredService<PaymentsDbContext>().Payments.CountAsync(p => p.PayerId == t.BuyerId));
        failPayments.Enabled = false;
        var retried = await BuyNowAsync(t.Buyer, Trading.Purchase(listing.Id, "OrdinaryLicense"), key);
        var body = await retried.Content.ReadFromJsonAsync<JsonElement>();
        var reference = body.GetProperty("order").GetProperty("paymentReference").GetString();
        var stored = await t.App.InScopeAsync(sp => sp.GetRequiredService<PaymentsDbContext>().Payments.AsNoTracking().SingleAsync(p => p.PayerId == t.BuyerId));

        Assert.NotEqual(HttpStatusCode.Created, failed);
        Assert.Equal(0, ordersAfterFailure);
        Assert.Equal(0, paymentsAfterFailure);
        // Nothing of the failed attempt stood, so the same key places the order afresh, with its payment.
        Assert.Equal(HttpStatusCode.Created, retried.StatusCode);
        Assert.Equal(reference, body.GetProperty("payment").GetProperty("reference").GetString());
        Assert.Equal(reference, stored.Reference);
        Assert.Equal(500m, stored.Amount);
    }

    /// <summary>Makes the payment's INSERT fail on demand, standing in for a database error inside the shared transaction.</summary>
    private sealed class FailingPaymentInsert : SaveChangesInterceptor
    {
        public volatile bool Enabled;

        public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default) =>
            Enabled && eventData.Context!.ChangeTracker.Entries<Payment>().Any(e => e.State == EntityState.Added)
                ? throw new DbUpdateException("payment insert failed (test)")
                : base.SavingChangesAsync(eventData, result, cancellationToken);
    }

    private static OrdersApp WithAlipay(OrdersApp app, RSA bankKey)
    {
        using var merchant = RSA.Create(2048);
        app.Settings["Payments:Alipay:AppId"] = AppId;
        app.Settings["Payments:Alipay:PrivateKey"] = merchant.ExportPkcs8PrivateKeyPem();
        app.Settings["Payments:Alipay:PlatformPublicKey"] = bankKey.ExportSubjectPublicKeyInfoPem();
        app.Settings["Payments:Alipay:GatewayUrl"] = "https://bank.test/gateway.do";
        return app;
    }

    private static async Task<HttpResponseMessage> BuyNowAsync(HttpClient client, object purchase, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/orders?pay=true") { Content = JsonContent.Create(purchase) };
        request.Headers.Add("Idempotency-Key", key);
        return await client.SendAsync(request);
    }

    private static string Notification(RSA bankKey, string reference, decimal amount, string tradeNo)
    {
        var form = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["notify_time"] = "2026-11-23 16:00:00",
            ["notify_type"] = "trade_status_sync",
            ["notify_id"] = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)),
            ["app_id"] = AppId,
            ["charset"] = "utf-8",
            ["version"] = "1.0",
            ["trade_no"] = tradeNo,
            ["out_trade_no"] = reference,
            ["trade_status"] = "TRADE_SUCCESS",
            ["total_amount"] = amount.ToString("0.00", CultureInfo.InvariantCulture),
            ["subject"] = "buy now",
            ["gmt_payment"] = "2026-11-23 16:00:00",
        };
        form["sign"] = AlipaySignature.Sign(AlipaySignature.Canonical(form, AlipaySignature.NotificationExclusions), bankKey);
        form["sign_type"] = "RSA2";
        return AlipaySignature.FormEncode(form);
    }
}
