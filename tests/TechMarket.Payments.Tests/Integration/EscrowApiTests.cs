using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using TechMarket.Kernel.Persistence;
using TechMarket.Testing;

namespace TechMarket.Payments.Tests.Integration;

public sealed class EscrowApiTests(SandboxBankProcess bank) : IClassFixture<SandboxBankProcess>
{
    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Identical_creates_racing_on_one_reference_all_get_the_same_payment_and_another_amount_is_refused(DatabaseProvider provider)
    {
        using var app = new PaymentsApp(provider, bank);
        var (buyer, _) = await app.MemberAsync(ApiFlows.VerifiedIndividual);
        var (_, sellerId) = await app.MemberAsync(ApiFlows.VerifiedEnterprise);
        var reference = PaymentsApp.NewReference();

        var racing = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => buyer.PostAsJsonAsync("/api/v1/payments", new { reference, payeeId = sellerId, amount = 300m })));
        var other = await buyer.PostAsJsonAsync("/api/v1/payments", new { reference, payeeId = sellerId, amount = 301m });

        Assert.All(racing, r => PaymentsApp.AssertStatus(HttpStatusCode.Created, r));
        var ids = await Task.WhenAll(racing.Select(async r => (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid()));
        Assert.Single(ids.Distinct());
        Assert.Equal(HttpStatusCode.BadRequest, other.StatusCode);
        Assert.Equal(1, await app.WithDbAsync(db => db.Payments.CountAsync(p => p.Reference == reference)));
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Seller_withdraws_released_money_once_an_operator_confirms_and_never_above_the_balance(DatabaseProvider provider)
    {
        using var app = new PaymentsApp(provider, bank);
        var (buyer, _) = await app.MemberAsync(ApiFlows.VerifiedIndividual);
        var (seller, sellerId) = await app.MemberAsync(ApiFlows.VerifiedEnterprise);
        using var op = await app.LoginAsync(ApiFlows.Operator);
        var reference = PaymentsApp.NewReference();
        await buyer.PostAsJsonAsync("/api/v1/payments", new { reference, payeeId = sellerId, amount = 200m });
        Assert.Equal("success", await (await app.PostNotificationAsync(PaymentsApp.PaidNotification(reference, "W" + reference, "200.00"))).Content.ReadAsStringAsync());
        PaymentsApp.AssertStatus(HttpStatusCode.OK, await buyer.PostAsJsonAsync($"/api/v1/payments/{reference}/release", new { amount = 200m }));
        var linesBefore = (await app.LedgerTotalsAsync()).Lines;

        var tooMuch = await seller.PostAsJsonAsync("/api/v1/payments/withdrawals", new { amount = 190.01m, bankName = "招商银行", accountNumber = "6225 8801 2345 6789", accountName = "北京测试科技有限公司" });
        var badAccount = await seller.PostAsJsonAsync("/api/v1/payments/withdrawals", new { amount = 10m, bankName = "招商银行", accountNumber = "12ab", accountName = "x" });
        var linesAfterRejections = (await app.LedgerTotalsAsync()).Lines;
        var requested = await seller.PostAsJsonAsync("/api/v1/payments/withdrawals", new { amount = 190m, bankName = "招商银行", accountNumber = "6225 8801 2345 6789", accountName = "北京测试科技有限公司" });
        var withdrawal = await requested.Content.ReadFromJsonAsync<JsonElement>();
        var id = withdrawal.GetProperty("id").GetGuid();
        var duringReview = await seller.GetFromJsonAsync<JsonElement>("/api/v1/payments/balance");
        var second = await seller.PostAsJsonAsync("/api/v1/payments/withdrawals", new { amount = 0.01m, bankName = "招商银行", accountNumber = "6225880123456789", accountName = "北京测试科技有限公司" });
        var bySeller = await seller.PostAsync($"/api/v1/operator/payments/withdrawals/{id}/confirm", null);
        var queue = await op.GetFromJsonAsync<JsonElement>("/api/v1/operator/payments/withdrawals?status=Requested");
        var confirmed = await op.PostAsJsonAsync($"/api/v1/operator/payments/withdrawals/{id}/confirm", new { note = "已打款" });
        var twice = await op.PostAsync($"/api/v1/operator/payments/withdrawals/{id}/confirm", null);
        var after = await seller.GetFromJsonAsync<JsonElement>("/api/v1/payments/balance");
        var transactions = await seller.GetFromJsonAsync<JsonElement>("/api/v1/payments/transactions");

        Assert.Equal(HttpStatusCode.BadRequest, tooMuch.StatusCode);
        var problem = await tooMuch.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty("amount", out var reason));
        Assert.Contains("余额", reason[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, badAccount.StatusCode);
        Assert.Equal(linesBefore, linesAfterRejections);
        Assert.Equal(HttpStatusCode.Created, requested.StatusCode);
        Assert.Equal("************6789", withdrawal.GetProperty("account").GetString());
        Assert.Equal(0m, duringReview.GetProperty("available").GetDecimal());
        Assert.Equal(190m, duringReview.GetProperty("withdrawalsPending").GetDecimal());
        Assert.Equal(HttpStatusCode.BadRequest, second.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, bySeller.StatusCode);
        Assert.Contains(queue.GetProperty("items").EnumerateArray(), w => w.GetProperty("id").GetGuid() == id);
        PaymentsApp.AssertStatus(HttpStatusCode.OK, confirmed);
        Assert.Equal(HttpStatusCode.BadRequest, twice.StatusCode);
        Assert.Equal(190m, after.GetProperty("paidOut").GetDecimal());
        Assert.Equal(0m, after.GetProperty("available").GetDecimal());
        Assert.Equal(2, transactions.GetProperty("items").GetArrayLength());
        var totals = await app.LedgerTotalsAsync();
        Assert.Equal(totals.Debits, totals.Credits);
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Bad_payment_requests_are_rejected_with_a_reason_recorded_and_leave_the_ledger_unchanged(DatabaseProvider provider)
    {
        using var app = new PaymentsApp(provider, bank);
        var (buyer, buyerId) = await app.MemberAsync(ApiFlows.VerifiedIndividual);
        var (_, sellerId) = await app.MemberAsync(ApiFlows.VerifiedEnterprise);
        using var unverified = await app.LoginAsync(ApiFlows.Unverified);
        using var anonymous = app.CreateClient();

        var zero = await buyer.PostAsJsonAsync("/api/v1/payments", new { reference = "ORDER-1", payeeId = sellerId, amount = 0m });
        var negative = await buyer.PostAsJsonAsync("/api/v1/payments", new { reference = "ORDER-1", payeeId = sellerId, amount = -10m });
        var subFen = await buyer.PostAsJsonAsync("/api/v1/payments", new { reference = "ORDER-1", payeeId = sellerId, amount = 10.005m });
        var self = await buyer.PostAsJsonAsync("/api/v1/payments", new { reference = "ORDER-1", payeeId = buyerId, amount = 10m });
        var badReference = await buyer.PostAsJsonAsync("/api/v1/payments", new { reference = "订单 1", payeeId = sellerId, amount = 10m });
        var byUnverified = await unverified.PostAsJsonAsync("/api/v1/payments", new { reference = "ORDER-2", payeeId = sellerId, amount = 10m });
        var byAnonymous = await anonymous.PostAsJsonAsync("/api/v1/payments", new { reference = "ORDER-3", payeeId = sellerId, amount = 10m });
        var created = await buyer.PostAsJsonAsync("/api/v1/payments", new { reference = "ORDER-4", payeeId = sellerId, amount = 10m });
        var again = await buyer.PostAsJsonAsync("/api/v1/payments", new { reference = "ORDER-4", payeeId = sellerId, amount = 10m });
        var reused = await buyer.PostAsJsonAsync("/api/v1/payments", new { reference = "ORDER-4", payeeId = sellerId, amount = 11m });
        var releaseUnpaid = await buyer.PostAsJsonAsync("/api/v1/payments/ORDER-4/release", new { amount = 10m });
        var unknown = await buyer.PostAsJsonAsync("/api/v1/payments/NO-SUCH/release", new { amount = 10m });

        foreach (var (response, field) in new[] { (zero, "amount"), (negative, "amount"), (subFen, "amount"), (self, "payeeId"), (badReference, "reference"), (reused, "reference"), (releaseUnpaid, "reference") })
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("errors").GetProperty(field)[0].GetString()));
        }

        Assert.Equal(HttpStatusCode.Forbidden, byUnverified.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, byAnonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(0, (await app.LedgerTotalsAsync()).Lines);
        Assert.True(await app.WithDbAsync(db => db.SecurityEvents.CountAsync(e => e.Kind == "rejected")) >= 7);
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Payments_are_visible_to_their_parties_and_operators_only(DatabaseProvider provider)
    {
        using var app = new PaymentsApp(provider, bank);
        var (buyer, _) = await app.MemberAsync(ApiFlows.VerifiedIndividual);
        var (seller, sellerId) = await app.MemberAsync(ApiFlows.VerifiedEnterprise);
        using var stranger = await app.VerifiedMemberAsync();
        using var op = await app.LoginAsync(ApiFlows.Operator);
        var reference = PaymentsApp.NewReference();
        await buyer.PostAsJsonAsync("/api/v1/payments", new { reference, payeeId = sellerId, amount = 10m });

        Assert.Equal(HttpStatusCode.OK, (await buyer.GetAsync($"/api/v1/payments/{reference}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await seller.GetAsync($"/api/v1/payments/{reference}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await op.GetAsync($"/api/v1/payments/{reference}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync($"/api/v1/payments/{reference}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await stranger.GetAsync("/api/v1/operator/payments")).StatusCode);
        var all = await op.GetFromJsonAsync<JsonElement>("/api/v1/operator/payments");
        Assert.Contains(all.GetProperty("items").EnumerateArray(), p => p.GetProperty("reference").GetString() == reference);
    }
}
