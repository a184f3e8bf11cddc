using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using TechMarket.Kernel.Persistence;
using TechMarket.Payments.Features.Reconciliation;
using TechMarket.Testing;

namespace TechMarket.Payments.Tests.Integration;

/// <summary>Its own bank process per provider run: the statement lists every trade the bank saw that day.</summary>
public sealed partial class ReconciliationTests
{
    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Daily_reconciliation_lists_missing_and_extra_movements_and_runs_once_across_nodes(DatabaseProvider provider)
    {
        var bank = new SandboxBankProcess();
        await bank.InitializeAsync();
        try
        {
            using var app = new PaymentsApp(provider, bank);
            var (buyer, _) = await app.MemberAsync(ApiFlows.VerifiedIndividual);
            var (seller, sellerId) = await app.MemberAsync(ApiFlows.VerifiedEnterprise);
            using var op = await app.LoginAsync(ApiFlows.Operator);
            string a = PaymentsApp.NewReference(), b = PaymentsApp.NewReference(), c = PaymentsApp.NewReference();
            var payA = await CreateAsync(buyer, a, sellerId, 300m);
            var payB = await CreateAsync(buyer, b, sellerId, 45.60m);
            await CreateAsync(buyer, c, sellerId, 12m);

            await PayAtBankAsync(bank, payA);
            await PaymentsApp.WaitForStatusAsync(buyer, a, "Paid");
            PaymentsApp.AssertStatus(HttpStatusCode.OK, await seller.PostAsJsonAsync($"/api/v1/payments/{a}/refunds", new { amount = 50m, reason = "部分退款" }));
            await bank.HoldNotificationsAsync(true);
            await PayAtBankAsync(bank, payB);
            // C is "paid" by a correctly signed notification for a trade the bank never had (a leaked key, or a bank-side loss).
            await app.PostNotificationAsync(PaymentsApp.PaidNotification(c, "GHOST" + c, "12.00"));
            var today = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

            var jobs = Enumerable.Range(0, 3).Select(_ => app.Services.GetRequiredService<ReconciliationJob>().RunAsync(DateOnly.Parse(today, CultureInfo.InvariantCulture)));
            var runs = await Task.WhenAll(jobs);
            var again = await op.PostAsync($"/api/v1/operator/payments/reconciliation/{today}", null);
            var differences = (await op.GetFromJsonAsync<JsonElement>($"/api/v1/operator/payments/reconciliation?day={today}")).GetProperty("items").EnumerateArray().ToList();
            await bank.HoldNotificationsAsync(false);

            Assert.Single(runs, r => r is not null);
            Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
            Assert.Equal(2, differences.Count);
            Assert.Contains(differences, d => d.GetProperty("kind").GetString() == "MissingInLedger" && d.GetProperty("reference").GetString() == b && d.GetProperty("providerAmount").GetDecimal() == 45.60m);
            Assert.Contains(differences, d => d.GetProperty("kind").GetString() == "MissingAtProvider" && d.GetProperty("reference").GetString() == c && d.GetProperty("ledgerAmount").GetDecimal() == 12m);
            Assert.DoesNotContain(differences, d => d.GetProperty("reference").GetString() == a);
        }
        finally
        {
            await bank.DisposeAsync();
        }
    }

    private static async Task<string> CreateAsync(HttpClient buyer, string reference, Guid payee, decimal amount)
    {
        var response = await buyer.PostAsJsonAsync("/api/v1/payments", new { reference, payeeId = payee, amount });
        PaymentsApp.AssertStatus(HttpStatusCode.Created, response);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("payUrl").GetString()!;
    }

    private static async Task PayAtBankAsync(SandboxBankProcess bank, string payUrl)
    {
        var page = await bank.Client.GetStringAsync(new Uri(payUrl));
        var action = FormAction().Matches(page).Select(m => m.Groups[1].Value).Single(a => a.EndsWith("/confirm", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.Redirect, (await bank.Client.PostAsync(action, null)).StatusCode);
    }

    [GeneratedRegex("action=\"([^\"]+)\"")]
    private static partial Regex FormAction();
}
