using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using TechMarket.Kernel.Persistence;
using TechMarket.Testing;

namespace TechMarket.Payments.Tests.Integration;

/// <summary>The static SSR pages through a cookie-carrying browser-like client.</summary>
public sealed partial class PageTests(SandboxBankProcess bank) : IClassFixture<SandboxBankProcess>
{
    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Result_page_refreshes_until_the_callback_arrives_and_checkout_links_to_the_signed_bank_request(DatabaseProvider provider)
    {
        using var app = new PaymentsApp(provider, bank);
        var (buyer, _) = await app.MemberAsync(ApiFlows.VerifiedIndividual);
        var (_, sellerId) = await app.MemberAsync(ApiFlows.VerifiedEnterprise);
        var reference = PaymentsApp.NewReference();
        PaymentsApp.AssertStatus(HttpStatusCode.Created, await buyer.PostAsJsonAsync("/api/v1/payments", new { reference, payeeId = sellerId, amount = 66.60m, subject = "技术咨询" }));
        using var browser = await BrowserAsync(app, ApiFlows.VerifiedIndividual);

        var checkout = await browser.GetStringAsync($"/payments/{reference}/checkout");
        var waiting = await browser.GetStringAsync($"/payments/{reference}");
        await app.PostNotificationAsync(PaymentsApp.PaidNotification(reference, "PG" + reference, "66.60"));
        var paid = await browser.GetStringAsync($"/payments/{reference}");
        var list = await browser.GetStringAsync("/payments");

        Assert.Contains(WebUtility.HtmlEncode(bank.Url + "/gateway.do?"), checkout, StringComparison.Ordinal);
        Assert.Contains("alipay.trade.page.pay", checkout, StringComparison.Ordinal);
        Assert.Contains("http-equiv=\"refresh\"", waiting, StringComparison.Ordinal);
        Assert.Contains("data-status=\"Created\"", waiting, StringComparison.Ordinal);
        Assert.DoesNotContain("http-equiv=\"refresh\"", paid, StringComparison.Ordinal);
        Assert.Contains("data-status=\"Paid\"", paid, StringComparison.Ordinal);
        Assert.Contains("支付成功", paid, StringComparison.Ordinal);
        Assert.Contains(reference, list, StringComparison.Ordinal);
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Seller_requests_a_withdrawal_on_the_balance_page_and_an_operator_confirms_it_on_the_operator_page(DatabaseProvider provider)
    {
        using var app = new PaymentsApp(provider, bank);
        var (buyer, _) = await app.MemberAsync(ApiFlows.VerifiedIndividual);
        var (_, sellerId) = await app.MemberAsync(ApiFlows.VerifiedEnterprise);
        var reference = PaymentsApp.NewReference();
        await buyer.PostAsJsonAsync("/api/v1/payments", new { reference, payeeId = sellerId, amount = 100m });
        await app.PostNotificationAsync(PaymentsApp.PaidNotification(reference, "PW" + reference, "100.00"));
        PaymentsApp.AssertStatus(HttpStatusCode.OK, await buyer.PostAsJsonAsync($"/api/v1/payments/{reference}/release", new { amount = 100m }));
        using var seller = await BrowserAsync(app, ApiFlows.VerifiedEnterprise);
        using var op = await BrowserAsync(app, ApiFlows.Operator);

        var balancePage = await seller.GetStringAsync("/payments/balance");
        var tooMuch = await SubmitAsync(seller, "/payments/balance", "withdraw", balancePage, new() { ["Input.Amount"] = "95.01", ["Input.BankName"] = "工商银行", ["Input.AccountNumber"] = "6212260200012345678", ["Input.AccountName"] = "测试企业" });
        var requested = await SubmitAsync(seller, "/payments/balance", "withdraw", balancePage, new() { ["Input.Amount"] = "95", ["Input.BankName"] = "工商银行", ["Input.AccountNumber"] = "6212260200012345678", ["Input.AccountName"] = "测试企业" });
        var opPage = await op.GetStringAsync("/operator/payments?tab=withdrawals");
        var formName = ConfirmForm().Match(opPage).Groups[1].Value;
        await SubmitAsync(op, "/operator/payments?tab=withdrawals", formName, opPage, []);
        var balance = await (await app.MemberAsync(ApiFlows.VerifiedEnterprise)).Client.GetFromJsonAsync<JsonElement>("/api/v1/payments/balance");

        Assert.Contains("可用余额", balancePage, StringComparison.Ordinal);
        Assert.Contains("提现金额超过可用余额", tooMuch, StringComparison.Ordinal);
        Assert.Contains("提现申请已提交", requested, StringComparison.Ordinal);
        Assert.StartsWith("confirm-", formName, StringComparison.Ordinal);
        Assert.Equal(95m, balance.GetProperty("paidOut").GetDecimal());
    }

    private static async Task<HttpClient> BrowserAsync(PaymentsApp app, string account)
    {
        var browser = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = true }) { BaseAddress = new Uri(app.BaseUrl) };
        var login = await browser.GetStringAsync("/account/login");
        var response = await SubmitAsync(browser, "/account/login", "login", login, new() { ["Input.Account"] = account, ["Input.Password"] = ApiFlows.DemoPassword });
        Assert.DoesNotContain("name=\"Input.Password\"", response, StringComparison.Ordinal);
        return browser;
    }

    private static async Task<string> SubmitAsync(HttpClient browser, string url, string formName, string page, Dictionary<string, string> fields)
    {
        fields["_handler"] = formName;
        fields["__RequestVerificationToken"] = Token().Match(page).Groups[1].Value;
        using var content = new FormUrlEncodedContent(fields);
        var response = await browser.PostAsync(url, content);
        return await response.Content.ReadAsStringAsync();
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"")]
    private static partial Regex Token();

    [GeneratedRegex("name=\"_handler\" value=\"(confirm-[0-9a-f]+)\"")]
    private static partial Regex ConfirmForm();
}
