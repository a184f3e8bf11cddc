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

/// <summary>The whole loop with the sandbox bank running as its own process: pay, decline, duplicates, late and forged callbacks, refunds.</summary>
public sealed partial class CheckoutFlowTests(SandboxBankProcess bank) : IClassFixture<SandboxBankProcess>
{
    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Paying_at_the_bank_holds_the_money_in_escrow_once_despite_duplicate_callbacks(DatabaseProvider provider)
    {
        using var app = new PaymentsApp(provider, bank);
        var (buyer, _) = await app.MemberAsync(ApiFlows.VerifiedIndividual);
        var (_, sellerId) = await app.MemberAsync(ApiFlows.VerifiedEnterprise);
        var reference = PaymentsApp.NewReference();

        var created = await buyer.PostAsJsonAsync("/api/v1/payments", new { reference, payeeId = sellerId, amount = 1288.50m, subject = "专利许可 首期款" });
        PaymentsApp.AssertStatus(HttpStatusCode.Created, created);
        var payUrl = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("payUrl").GetString()!;
        var back = await PayAtBankAsync(payUrl, confirm: true);
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(app.BaseUrl) };
        var returned = await browser.GetAsync(back.PathAndQuery);

        var paid = await PaymentsApp.WaitForStatusAsync(buyer, reference, "Paid");
        await WaitAsync(async () => (await bank.TradeAsync(reference)).GetProperty("acknowledged").GetInt32() >= 3);
        var trade = await bank.TradeAsync(reference);
        var postings = await app.WithDbAsync(db => db.Ledger.Where(e => e.Reference == reference).ToListAsync());
        var totals = await app.LedgerTotalsAsync();

        Assert.StartsWith(app.BaseUrl + "/payments/return/alipay?", back.ToString(), StringComparison.Ordinal);
        Assert.Equal($"/payments/{reference}", returned.Headers.Location?.ToString());
        Assert.Equal(1288.50m, paid.GetProperty("held").GetDecimal());
        Assert.Equal(trade.GetProperty("tradeNo").GetString(), paid.GetProperty("providerTradeNo").GetString());
        Assert.True(trade.GetProperty("deliveries").GetInt32() >= 3, "the bank delivered the notification and its duplicates");
        Assert.Equal(2, postings.Count);
        Assert.Equal(1288.50m, postings.Single(e => e.Account == "bank-clearing").Debit);
        Assert.Equal(1288.50m, postings.Single(e => e.Account == "escrow").Credit);
        Assert.Equal(totals.Debits, totals.Credits);
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Declining_at_the_bank_closes_the_payment_without_ledger_entries(DatabaseProvider provider)
    {
        using var app = new PaymentsApp(provider, bank);
        var (buyer, _) = await app.MemberAsync(ApiFlows.VerifiedIndividual);
        var (_, sellerId) = await app.MemberAsync(ApiFlows.VerifiedEnterprise);
        var reference = PaymentsApp.NewReference();
        var created = await (await buyer.PostAsJsonAsync("/api/v1/payments", new { reference, payeeId = sellerId, amount = 99m })).Content.ReadFromJsonAsync<JsonElement>();

        await PayAtBankAsync(created.GetProperty("payUrl").GetString()!, confirm: false);

        await PaymentsApp.WaitForStatusAsync(buyer, reference, "Closed");
        Assert.Equal(0, (await app.LedgerTotalsAsync()).Lines);
        var release = await buyer.PostAsJsonAsync($"/api/v1/payments/{reference}/release", new { amount = 99m });
        Assert.Equal(HttpStatusCode.BadRequest, release.StatusCode);
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Payment_whose_callback_never_arrives_is_settled_by_querying_and_the_late_callback_changes_nothing(DatabaseProvider provider)
    {
        using var app = new PaymentsApp(provider, bank);
        var (buyer, _) = await app.MemberAsync(ApiFlows.VerifiedIndividual);
        var (_, sellerId) = await app.MemberAsync(ApiFlows.VerifiedEnterprise);
        var reference = PaymentsApp.NewReference();
        var created = await (await buyer.PostAsJsonAsync("/api/v1/payments", new { reference, payeeId = sellerId, amount = 20m })).Content.ReadFromJsonAsync<JsonElement>();

        await bank.HoldNotificationsAsync(true);
        try
        {
            await PayAtBankAsync(created.GetProperty("payUrl").GetString()!, confirm: true);
            await Task.Delay(500);
            var stillWaiting = await buyer.GetFromJsonAsync<JsonElement>($"/api/v1/payments/{reference}");
            var settled = await app.Services.GetRequiredService<PendingPaymentSweeper>().SweepOnceAsync();
            var afterSweep = await buyer.GetFromJsonAsync<JsonElement>($"/api/v1/payments/{reference}");
            var linesAfterSweep = (await app.LedgerTotalsAsync()).Lines;

            Assert.Equal("Created", stillWaiting.GetProperty("status").GetString());
            Assert.True(settled >= 1);
            Assert.Equal("Paid", afterSweep.GetProperty("status").GetString());
            Assert.Equal(2, linesAfterSweep);
        }
        finally
        {
            await bank.HoldNotificationsAsync(false);
        }

        await WaitAsync(async () => (await bank.TradeAsync(reference)).GetProperty("acknowledged").GetInt32() >= 1);
        Assert.Equal(2, (await app.LedgerTotalsAsync()).Lines);
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Refunds_go_through_the_bank_partially_never_above_what_is_held_and_release_pays_the_seller_minus_fee(DatabaseProvider provider)
    {
        using var app = new PaymentsApp(provider, bank);
        var (buyer, _) = await app.MemberAsync(ApiFlows.VerifiedIndividual);
        var (seller, sellerId) = await app.MemberAsync(ApiFlows.VerifiedEnterprise);
        var reference = PaymentsApp.NewReference();
        var created = await (await buyer.PostAsJsonAsync("/api/v1/payments", new { reference, payeeId = sellerId, amount = 1000m })).Content.ReadFromJsonAsync<JsonElement>();
        await PayAtBankAsync(created.GetProperty("payUrl").GetString()!, confirm: true);
        await PaymentsApp.WaitForStatusAsync(buyer, reference, "Paid");
        var before = await seller.GetFromJsonAsync<JsonElement>("/api/v1/payments/balance");

        var byBuyer = await buyer.PostAsJsonAsync($"/api/v1/payments/{reference}/refunds", new { amount = 10m, reason = "自己退" });
        var partial = await seller.PostAsJsonAsync($"/api/v1/payments/{reference}/refunds", new { amount = 300m, reason = "部分交付" });
        var release = await buyer.PostAsJsonAsync($"/api/v1/payments/{reference}/release", new { amount = 600m });
        var tooMuch = await seller.PostAsJsonAsync($"/api/v1/payments/{reference}/refunds", new { amount = 100.01m, reason = "超额" });
        var releaseTooMuch = await buyer.PostAsJsonAsync($"/api/v1/payments/{reference}/release", new { amount = 100.01m });
        var rest = await seller.PostAsJsonAsync($"/api/v1/payments/{reference}/refunds", new { amount = 100m, reason = "余款" });

        Assert.Equal(HttpStatusCode.NotFound, byBuyer.StatusCode);
        PaymentsApp.AssertStatus(HttpStatusCode.OK, partial);
        Assert.Equal("Succeeded", (await partial.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        PaymentsApp.AssertStatus(HttpStatusCode.OK, release);
        Assert.Equal(HttpStatusCode.BadRequest, tooMuch.StatusCode);
        Assert.Contains("RefundAboveHeld", await tooMuch.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, releaseTooMuch.StatusCode);
        PaymentsApp.AssertStatus(HttpStatusCode.OK, rest);
        var trade = await bank.TradeAsync(reference);
        Assert.Equal("400.00", trade.GetProperty("refunded").GetString());
        var payment = await buyer.GetFromJsonAsync<JsonElement>($"/api/v1/payments/{reference}");
        Assert.Equal(0m, payment.GetProperty("held").GetDecimal());
        Assert.Equal(400m, payment.GetProperty("refunded").GetDecimal());
        var after = await seller.GetFromJsonAsync<JsonElement>("/api/v1/payments/balance");
        Assert.Equal(570m, after.GetProperty("available").GetDecimal() - before.GetProperty("available").GetDecimal());
        var totals = await app.LedgerTotalsAsync();
        Assert.Equal(totals.Debits, totals.Credits);
        var fees = await app.WithDbAsync(db => db.Ledger.Where(e => e.Account == "platform-fees").Select(e => e.Credit).ToListAsync());
        Assert.Equal(30m, fees.Sum());
    }

    private async Task<Uri> PayAtBankAsync(string payUrl, bool confirm)
    {
        var page = await bank.Client.GetStringAsync(new Uri(payUrl));
        var action = FormAction().Matches(page).Select(m => m.Groups[1].Value).Single(a => a.EndsWith(confirm ? "/confirm" : "/decline", StringComparison.Ordinal));
        var response = await bank.Client.PostAsync(action, null);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return response.Headers.Location!;
    }

    private static async Task WaitAsync(Func<Task<bool>> condition, int seconds = 15)
    {
        for (var i = 0; i < seconds * 10; i++)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(100);
        }

        Assert.Fail("Condition not met in time.");
    }

    [GeneratedRegex("action=\"([^\"]+)\"")]
    private static partial Regex FormAction();
}
