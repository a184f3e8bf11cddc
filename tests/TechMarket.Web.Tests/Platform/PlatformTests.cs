using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TechMarket.Kernel.Persistence;
using TechMarket.Testing;

namespace TechMarket.Web.Tests.Platform;

public sealed class PlatformTests
{
    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Every_module_model_matches_its_migrations(DatabaseProvider provider)
    {
        using var app = new TechMarketApp(provider);
        using var scope = app.Services.CreateScope();

        foreach (var module in scope.ServiceProvider.GetRequiredService<ModuleMigrator>().Modules)
        {
            var context = (DbContext)scope.ServiceProvider.GetRequiredService(module.ContextType);
            Assert.False(context.Database.HasPendingModelChanges(), $"{module.Module} on {provider} has model changes without a migration");
            Assert.Empty(await context.Database.GetPendingMigrationsAsync());
        }
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Health_metrics_and_api_description_are_served(DatabaseProvider provider)
    {
        using var app = new TechMarketApp(provider);
        using var client = app.CreateClient();

        Assert.Equal("Healthy", await client.GetStringAsync("/health/live"));
        Assert.Equal("Healthy", await client.GetStringAsync("/health/ready"));
        Assert.Contains("http_requests_received_total", await client.GetStringAsync("/metrics"), StringComparison.Ordinal);
        var openApi = await client.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        Assert.True(openApi.GetProperty("paths").TryGetProperty("/api/v1/verification/personal", out _));
        Assert.True(openApi.GetProperty("paths").TryGetProperty("/api/v1/auth/token", out _));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/docs")).StatusCode);
    }

    [Fact]
    public async Task Unknown_api_routes_answer_problem_json_and_pages_a_friendly_page()
    {
        using var app = new TechMarketApp(DatabaseProvider.Sqlite);
        using var client = app.CreateClient();

        var api = await client.GetAsync("/api/v1/does-not-exist");
        var page = await client.GetAsync("/does-not-exist");

        Assert.Equal(HttpStatusCode.NotFound, api.StatusCode);
        Assert.Equal("application/problem+json", api.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
        Assert.Contains("页面不存在", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Login_and_registration_are_rate_limited_with_retry_after()
    {
        using var app = new TechMarketApp(DatabaseProvider.Sqlite);
        app.Settings["RateLimits:Auth:PermitLimit"] = "3";
        using var client = app.CreateClient();

        var responses = new List<HttpResponseMessage>();
        for (var i = 0; i < 4; i++)
        {
            responses.Add(await client.PostAsJsonAsync("/api/v1/auth/token", new { account = "someone@example.com", password = "guess number " + i }));
        }

        var limited = responses[^1];
        Assert.All(responses.Take(3), r => Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode));
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.True(limited.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await client.RegisterAsync(TestIdentities.NewEmail())).StatusCode);
    }

    [Fact]
    public async Task Login_page_attempts_are_rate_limited_with_a_readable_page_but_views_are_not()
    {
        using var app = new TechMarketApp(DatabaseProvider.Sqlite);
        app.Settings["RateLimits:Auth:PermitLimit"] = "2";
        using var client = app.CreateClient();
        using var attempt = new FormUrlEncodedContent(new Dictionary<string, string> { ["Input.Account"] = "x@example.com", ["Input.Password"] = "guess" });

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/account/login")).StatusCode);
        }

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            statuses.Add((await client.PostAsync("/account/login", attempt)).StatusCode);
        }

        var limited = await client.PostAsync("/account/login", attempt);
        Assert.DoesNotContain(HttpStatusCode.OK, statuses.Skip(2));
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal("text/html", limited.Content.Headers.ContentType?.MediaType);
        Assert.Contains("秒后重试", await limited.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pages_are_chinese_by_default_and_english_on_request_with_security_headers()
    {
        using var app = new TechMarketApp(DatabaseProvider.Sqlite);
        using var client = app.CreateClient(new() { HandleCookies = true });

        var chinese = await client.GetAsync("/account/login");
        await client.GetAsync("/culture?culture=en&returnUrl=/account/login");
        var english = await client.GetStringAsync("/account/login");

        var html = await chinese.Content.ReadAsStringAsync();
        Assert.Contains("lang=\"zh-CN\"", html, StringComparison.Ordinal);
        Assert.Contains("邮箱或手机号", html, StringComparison.Ordinal);
        Assert.Contains("lang=\"en\"", english, StringComparison.Ordinal);
        Assert.Contains("E-mail or mobile number", english, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", chinese.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Equal("nosniff", chinese.Headers.GetValues("X-Content-Type-Options").Single());
    }

    [Fact]
    public async Task Protected_pages_send_visitors_to_login_and_members_to_verification()
    {
        using var app = new TechMarketApp(DatabaseProvider.Sqlite);
        using var client = app.CreateClient(new() { AllowAutoRedirect = false });

        var response = await client.GetAsync("/operator/verifications");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/account/login", response.Headers.Location?.OriginalString.Replace("http://localhost", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }
}
