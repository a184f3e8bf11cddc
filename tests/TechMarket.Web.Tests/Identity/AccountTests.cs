using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OtpNet;
using TechMarket.Kernel.Persistence;
using TechMarket.Testing;

namespace TechMarket.Web.Tests.Identity;

public sealed class AccountTests
{
    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Member_registers_by_email_or_phone_and_gets_a_bearer_token(DatabaseProvider provider)
    {
        using var app = new TechMarketApp(provider);
        using var client = app.CreateClient();

        var byEmail = await client.RegisterAsync("Alice@Example.com", "correct horse battery", "Alice");
        var byPhone = await client.RegisterAsync("+86 139-1234-5678", "correct horse battery");

        Assert.Equal(HttpStatusCode.Created, byEmail.StatusCode);
        Assert.Equal(HttpStatusCode.Created, byPhone.StatusCode);
        using var alice = await app.LoginAsync("alice@example.com", "correct horse battery");
        var me = await alice.GetFromJsonAsync<JsonElement>("/api/v1/me");
        Assert.Equal("alice@example.com", me.GetProperty("account").GetString());
        Assert.Equal("None", me.GetProperty("verificationLevel").GetString());
        Assert.Contains("Member", me.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        using var phone = await app.LoginAsync("13912345678", "correct horse battery");
        Assert.Equal("13912345678", (await phone.GetFromJsonAsync<JsonElement>("/api/v1/me")).GetProperty("phone").GetString());
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Bad_registrations_get_field_errors_and_create_nothing(DatabaseProvider provider)
    {
        using var app = new TechMarketApp(provider);
        using var client = app.CreateClient();
        await client.RegisterAsync("taken@example.com");

        await AssertFieldError(await client.RegisterAsync("taken@example.com"), "Account");
        await AssertFieldError(await client.RegisterAsync("TAKEN@example.com"), "Account");
        await AssertFieldError(await client.RegisterAsync("not-an-account"), "Account");
        await AssertFieldError(await client.RegisterAsync("12345678901"), "Account");
        await AssertFieldError(await client.RegisterAsync("short@example.com", "abc123"), "Password");
        await AssertFieldError(await client.RegisterAsync("common@example.com", "password123"), "Password");
        await AssertFieldError(await client.RegisterAsync("run@example.com", "12345678"), "Password");

        var login = await client.PostAsJsonAsync("/api/v1/auth/token", new { account = "common@example.com", password = "password123" });
        Assert.Equal(HttpStatusCode.Unauthorized, login.StatusCode);
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Five_wrong_passwords_lock_the_account_even_for_the_right_one(DatabaseProvider provider)
    {
        using var app = new TechMarketApp(provider);
        using var client = app.CreateClient();
        await client.RegisterAsync("victim@example.com", "correct horse battery");

        for (var i = 0; i < 5; i++)
        {
            var wrong = await client.PostAsJsonAsync("/api/v1/auth/token", new { account = "victim@example.com", password = "wrong password" });
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        var right = await client.PostAsJsonAsync("/api/v1/auth/token", new { account = "victim@example.com", password = "correct horse battery" });
        Assert.Equal(HttpStatusCode.Unauthorized, right.StatusCode);
        Assert.Equal("application/problem+json", right.Content.Headers.ContentType?.MediaType);
        var problem = await right.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("locked_out", problem.GetProperty("code").GetString());
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Refresh_token_gives_a_new_access_token_and_garbage_is_refused(DatabaseProvider provider)
    {
        using var app = new TechMarketApp(provider);
        using var client = app.CreateClient();
        var token = await (await client.PostAsJsonAsync("/api/v1/auth/token", new { account = ApiFlows.VerifiedIndividual, password = ApiFlows.DemoPassword }))
            .Content.ReadFromJsonAsync<JsonElement>();

        var refreshed = await client.PostAsJsonAsync("/api/v1/auth/refresh", new { refreshToken = token.GetProperty("refreshToken").GetString() });
        var garbage = await client.PostAsJsonAsync("/api/v1/auth/refresh", new { refreshToken = "not-a-token" });

        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        Assert.False(string.IsNullOrEmpty((await refreshed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()));
        Assert.Equal(HttpStatusCode.Unauthorized, garbage.StatusCode);
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Api_without_a_token_is_401_and_never_redirects(DatabaseProvider provider)
    {
        using var app = new TechMarketApp(provider);
        using var client = app.CreateClient(new() { AllowAutoRedirect = false });

        var response = await client.GetAsync("/api/v1/me");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Two_factor_once_enabled_is_required_at_login(DatabaseProvider provider)
    {
        using var app = new TechMarketApp(provider);
        using var member = await app.NewMemberAsync("totp@example.com");
        var setup = await member.GetFromJsonAsync<JsonElement>("/api/v1/me/two-factor");
        var key = Base32Encoding.ToBytes(setup.GetProperty("sharedKey").GetString()!.Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant());
        Assert.StartsWith("otpauth://totp/", setup.GetProperty("authenticatorUri").GetString(), StringComparison.Ordinal);
        Assert.Contains("<svg", setup.GetProperty("qrSvg").GetString(), StringComparison.Ordinal);

        var wrong = await member.PostAsJsonAsync("/api/v1/me/two-factor/enable", new { code = "000000" });
        var enabled = await member.PostAsJsonAsync("/api/v1/me/two-factor/enable", new { code = new Totp(key).ComputeTotp() });

        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.OK, enabled.StatusCode);
        Assert.Equal(10, (await enabled.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("codes").GetArrayLength());
        using var client = app.CreateClient();
        var withoutCode = await client.PostAsJsonAsync("/api/v1/auth/token", new { account = "totp@example.com", password = "correct horse battery" });
        Assert.Equal("two_factor_required", (await withoutCode.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        var withCode = await client.PostAsJsonAsync("/api/v1/auth/token", new { account = "totp@example.com", password = "correct horse battery", twoFactorCode = new Totp(key).ComputeTotp() });
        Assert.Equal(HttpStatusCode.OK, withCode.StatusCode);
    }

    internal static async Task AssertFieldError(HttpResponseMessage response, string field)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out var messages), $"expected a field error for {field}: {problem}");
        Assert.False(string.IsNullOrWhiteSpace(messages[0].GetString()));
    }
}
