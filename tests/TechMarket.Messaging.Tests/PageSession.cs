using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using TechMarket.Testing;

namespace TechMarket.Messaging.Tests;

/// <summary>A browser-like client: signs in through the login page and keeps the auth cookie.</summary>
internal static partial class PageSession
{
    public static async Task<HttpClient> SignInAsync(TechMarketApp app, string account, string password = "correct horse battery")
    {
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = true, AllowAutoRedirect = true });
        var page = await client.GetStringAsync("/account/login");
        var token = AntiforgeryToken().Match(page).Groups[1].Value;
        var response = await client.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "login",
            ["__RequestVerificationToken"] = token,
            ["Input.Account"] = account,
            ["Input.Password"] = password,
        }));
        response.EnsureSuccessStatusCode();
        return client;
    }

    public static string Antiforgery(string html) => AntiforgeryToken().Match(html).Groups[1].Value;

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();
}
