using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TechMarket.Kernel.Persistence;
using TechMarket.Payments.Gateways.Alipay;
using TechMarket.Payments.Persistence;
using TechMarket.Testing;

namespace TechMarket.Payments.Tests.Integration;

/// <summary>The real Program on Kestrel (so the sandbox bank process can call notify_url), wired to the sandbox bank.</summary>
public sealed class PaymentsApp : TechMarketApp
{
    public PaymentsApp(DatabaseProvider provider, SandboxBankProcess bank)
        : base(provider)
    {
        Bank = bank;
        var port = SandboxBankProcess.FreePort();
        BaseUrl = $"http://127.0.0.1:{port}";
        Settings["Payments:Alipay:AppId"] = SandboxBankProcess.AppId;
        Settings["Payments:Alipay:PrivateKey"] = Convert.ToBase64String(bank.MerchantKey.ExportPkcs8PrivateKey());
        Settings["Payments:Alipay:PlatformPublicKey"] = Convert.ToBase64String(bank.BankKey.ExportSubjectPublicKeyInfo());
        Settings["Payments:Alipay:GatewayUrl"] = bank.Url + "/gateway.do";
        Settings["Payments:PublicBaseUrl"] = BaseUrl;
        Settings["Payments:BackgroundJobs"] = "false";
        Settings["Payments:PendingQueryAfter"] = "00:00:00";
        Settings["Payments:SandboxBank:Autostart"] = "false";
        UseKestrel(port);
    }

    public SandboxBankProcess Bank { get; }

    public string BaseUrl { get; }

    public async Task<(HttpClient Client, Guid Id)> MemberAsync(string account)
    {
        var client = await this.LoginAsync(account);
        var me = await client.GetFromJsonAsync<JsonElement>("/api/v1/me");
        return (client, me.GetProperty("id").GetGuid());
    }

    public async Task<T> WithDbAsync<T>(Func<PaymentsDbContext, Task<T>> body)
    {
        await using var scope = Services.CreateAsyncScope();
        return await body(scope.ServiceProvider.GetRequiredService<PaymentsDbContext>());
    }

    public Task<(decimal Debits, decimal Credits, int Lines)> LedgerTotalsAsync() => WithDbAsync(async db =>
    {
        var rows = await db.Ledger.AsNoTracking().Select(e => new { e.Debit, e.Credit }).ToListAsync();
        return (rows.Sum(r => r.Debit), rows.Sum(r => r.Credit), rows.Count);
    });

    /// <summary>A notification as the bank would send it, signed with the bank's key (or another key for forgeries).</summary>
    public async Task<HttpResponseMessage> PostNotificationAsync(Dictionary<string, string> values, System.Security.Cryptography.RSA? signWith = null, Action<Dictionary<string, string>>? tamper = null)
    {
        var form = new Dictionary<string, string>(values, StringComparer.Ordinal);
        form["sign"] = AlipaySignature.Sign(AlipaySignature.Canonical(form, AlipaySignature.NotificationExclusions), signWith ?? Bank.BankKey);
        form["sign_type"] = "RSA2";
        tamper?.Invoke(form);
        using var client = new HttpClient { BaseAddress = new Uri(BaseUrl) };
        using var content = new StringContent(AlipaySignature.FormEncode(form), System.Text.Encoding.UTF8, "application/x-www-form-urlencoded");
        var response = await client.PostAsync("/payments/notify/alipay", content);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    public static Dictionary<string, string> PaidNotification(string reference, string tradeNo, string amount) => new(StringComparer.Ordinal)
    {
        ["notify_time"] = "2026-11-23 10:00:00",
        ["notify_type"] = "trade_status_sync",
        ["notify_id"] = Guid.NewGuid().ToString("N"),
        ["app_id"] = SandboxBankProcess.AppId,
        ["charset"] = "utf-8",
        ["version"] = "1.0",
        ["trade_no"] = tradeNo,
        ["out_trade_no"] = reference,
        ["trade_status"] = "TRADE_SUCCESS",
        ["total_amount"] = amount,
    };

    public static async Task<JsonElement> WaitForStatusAsync(HttpClient client, string reference, string status, int seconds = 15)
    {
        JsonElement payment = default;
        for (var i = 0; i < seconds * 10; i++)
        {
            payment = await client.GetFromJsonAsync<JsonElement>($"/api/v1/payments/{reference}");
            if (payment.GetProperty("status").GetString() == status)
            {
                return payment;
            }

            await Task.Delay(100);
        }

        Assert.Fail($"Payment {reference} stayed {payment.GetProperty("status").GetString()}, expected {status}.");
        return payment;
    }

    public static string NewReference() => "T" + Guid.NewGuid().ToString("N")[..20];

    public static void AssertStatus(HttpStatusCode expected, HttpResponseMessage response, string because = "") =>
        Assert.True(response.StatusCode == expected, $"{because} expected {expected}, got {(int)response.StatusCode}: {response.Content.ReadAsStringAsync().Result}");
}
