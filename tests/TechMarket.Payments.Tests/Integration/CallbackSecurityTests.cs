using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TechMarket.Kernel.Persistence;
using TechMarket.Payments.Features.Callbacks;
using TechMarket.Testing;

namespace TechMarket.Payments.Tests.Integration;

/// <summary>Forged, replayed and concurrent callbacks against the real endpoint (the bank process only serves as the configured gateway).</summary>
public sealed class CallbackSecurityTests(SandboxBankProcess bank) : IClassFixture<SandboxBankProcess>
{
    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Forged_tampered_mispriced_and_unknown_callbacks_are_rejected_recorded_and_change_nothing(DatabaseProvider provider)
    {
        using var app = new PaymentsApp(provider, bank);
        var (buyer, _) = await app.MemberAsync(ApiFlows.VerifiedIndividual);
        var (_, sellerId) = await app.MemberAsync(ApiFlows.VerifiedEnterprise);
        var reference = PaymentsApp.NewReference();
        await buyer.PostAsJsonAsync("/api/v1/payments", new { reference, payeeId = sellerId, amount = 100m });
        using var forger = System.Security.Cryptography.RSA.Create(2048);

        var forged = await app.PostNotificationAsync(PaymentsApp.PaidNotification(reference, "2026112322001", "100.00"), signWith: forger);
        var tampered = await app.PostNotificationAsync(PaymentsApp.PaidNotification(reference, "2026112322002", "0.01"), tamper: f => f["total_amount"] = "100.00");
        var oneFenShort = await app.PostNotificationAsync(PaymentsApp.PaidNotification(reference, "2026112322003", "99.99"));
        var oneFenOver = await app.PostNotificationAsync(PaymentsApp.PaidNotification(reference, "2026112322004", "100.01"));
        var unknown = await app.PostNotificationAsync(PaymentsApp.PaidNotification("NO-SUCH-ORDER", "2026112322005", "100.00"));
        var otherApp = await app.PostNotificationAsync(new Dictionary<string, string>(PaymentsApp.PaidNotification(reference, "2026112322006", "100.00")) { ["app_id"] = "2021000000009999" });
        var rejectedLines = (await app.LedgerTotalsAsync()).Lines;
        var genuine = await app.PostNotificationAsync(PaymentsApp.PaidNotification(reference, "2026112322007", "100.00"));

        Assert.Equal(0, rejectedLines);
        Assert.Equal("success", await genuine.Content.ReadAsStringAsync());
        foreach (var response in new[] { forged, tampered, oneFenShort, oneFenOver, unknown, otherApp })
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.NotEqual("success", await response.Content.ReadAsStringAsync());
        }

        var kinds = await app.WithDbAsync(db => db.SecurityEvents.Select(e => e.Kind).ToListAsync());
        Assert.Contains("callback-BadSignature", kinds);
        Assert.Equal(2, kinds.Count(k => k == "callback-amount-mismatch"));
        Assert.Contains("callback-unknown-reference", kinds);
        Assert.Contains("callback-WrongApp", kinds);
        var payment = await buyer.GetFromJsonAsync<JsonElement>($"/api/v1/payments/{reference}");
        Assert.Equal("Paid", payment.GetProperty("status").GetString());
        Assert.Equal("2026112322007", payment.GetProperty("providerTradeNo").GetString());
        Assert.Equal(2, (await app.LedgerTotalsAsync()).Lines);
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Replayed_callback_for_another_trade_of_a_paid_payment_is_rejected(DatabaseProvider provider)
    {
        using var app = new PaymentsApp(provider, bank);
        var (buyer, _) = await app.MemberAsync(ApiFlows.VerifiedIndividual);
        var (_, sellerId) = await app.MemberAsync(ApiFlows.VerifiedEnterprise);
        var reference = PaymentsApp.NewReference();
        await buyer.PostAsJsonAsync("/api/v1/payments", new { reference, payeeId = sellerId, amount = 5m });
        var first = PaymentsApp.PaidNotification(reference, "2026112300001", "5.00");

        var applied = await app.PostNotificationAsync(first);
        var replayed = await app.PostNotificationAsync(first);
        var otherTrade = await app.PostNotificationAsync(PaymentsApp.PaidNotification(reference, "2026112300002", "5.00"));

        Assert.Equal("success", await applied.Content.ReadAsStringAsync());
        Assert.Equal("success", await replayed.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, otherTrade.StatusCode);
        Assert.Equal(2, (await app.LedgerTotalsAsync()).Lines);
        Assert.Contains("callback-trade-no-conflict", await app.WithDbAsync(db => db.SecurityEvents.Select(e => e.Kind).ToListAsync()));
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Fifty_simultaneous_deliveries_of_one_callback_apply_once(DatabaseProvider provider)
    {
        using var app = new PaymentsApp(provider, bank);
        var (buyer, _) = await app.MemberAsync(ApiFlows.VerifiedIndividual);
        var (_, sellerId) = await app.MemberAsync(ApiFlows.VerifiedEnterprise);
        var reference = PaymentsApp.NewReference();
        await buyer.PostAsJsonAsync("/api/v1/payments", new { reference, payeeId = sellerId, amount = 777.77m });
        var notification = PaymentsApp.PaidNotification(reference, "2026112399999", "777.77");

        var responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => app.PostNotificationAsync(notification)));

        Assert.All(responses, r => Assert.Equal("success", r.Content.ReadAsStringAsync().Result));
        var lines = await app.WithDbAsync(db => db.Ledger.Where(e => e.Reference == reference).ToListAsync());
        Assert.Equal(2, lines.Count);
        Assert.Single(lines.Select(l => l.PostingId).Distinct());
        Assert.Equal(1, await app.WithDbAsync(db => db.AuditLog.CountAsync(a => a.SubjectId == reference && a.Action == "payment.paid")));
    }
}
