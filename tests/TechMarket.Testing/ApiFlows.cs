using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace TechMarket.Testing;

/// <summary>What a mobile app does through /api/v1, as steps other modules' tests can reuse.</summary>
public static class ApiFlows
{
    public const string DemoPassword = "Demo-Pass-2026";
    public const string Operator = "operator@techmarket.demo";
    public const string VerifiedIndividual = "13800000001";
    public const string VerifiedEnterprise = "enterprise@techmarket.demo";
    public const string Unverified = "newcomer@techmarket.demo";

    public static async Task<HttpResponseMessage> RegisterAsync(this HttpClient client, string account, string password = "correct horse battery", string? displayName = null) =>
        await client.PostAsJsonAsync("/api/v1/auth/register", new { account, password, displayName });

    /// <summary>A client carrying a bearer token for the account, as a mobile app would.</summary>
    public static async Task<HttpClient> LoginAsync(this TechMarketApp app, string account, string password = DemoPassword)
    {
        var client = app.CreateClient();
        var response = await client.PostAsJsonAsync("/api/v1/auth/token", new { account, password });
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"Login of {account} failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        var token = await response.Content.ReadFromJsonAsync<JsonElement>();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.GetProperty("accessToken").GetString());
        return client;
    }

    public static async Task<HttpClient> NewMemberAsync(this TechMarketApp app, string? account = null)
    {
        account ??= TestIdentities.NewEmail();
        using var anonymous = app.CreateClient();
        var registered = await anonymous.RegisterAsync(account);
        registered.EnsureSuccessStatusCode();
        return await app.LoginAsync(account, "correct horse battery");
    }

    public static async Task<HttpResponseMessage> SubmitPersonalAsync(this HttpClient client, string realName, string idNumber, byte[]? document, string fileName = "id.png")
    {
        using var form = new MultipartFormDataContent
        {
            { new StringContent(realName), "realName" },
            { new StringContent(idNumber), "idNumber" },
        };
        if (document is not null)
        {
            form.Add(new ByteArrayContent(document), "document", fileName);
        }

        return await client.PostAsync("/api/v1/verification/personal", form);
    }

    public static async Task<HttpResponseMessage> SubmitEnterpriseAsync(this HttpClient client, string company, string creditCode, string legal, byte[]? document, string fileName = "licence.pdf")
    {
        using var form = new MultipartFormDataContent
        {
            { new StringContent(company), "companyName" },
            { new StringContent(creditCode), "creditCode" },
            { new StringContent(legal), "legalRepresentative" },
        };
        if (document is not null)
        {
            form.Add(new ByteArrayContent(document), "document", fileName);
        }

        return await client.PostAsync("/api/v1/verification/enterprise", form);
    }

    /// <summary>Registers a member, submits personal verification and has the seeded operator approve it.</summary>
    public static async Task<HttpClient> VerifiedMemberAsync(this TechMarketApp app, string? account = null)
    {
        var member = await app.NewMemberAsync(account);
        var submitted = await member.SubmitPersonalAsync("王五", TestIdentities.NewResidentId(), TestIdentities.Png);
        submitted.EnsureSuccessStatusCode();
        var id = (await submitted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        using var reviewer = await app.LoginAsync(Operator);
        (await reviewer.PostAsync($"/api/v1/operator/verifications/{id}/approve", null)).EnsureSuccessStatusCode();
        return member;
    }
}
