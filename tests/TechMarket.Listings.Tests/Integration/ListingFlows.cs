using System.Net.Http.Json;
using System.Text.Json;
using TechMarket.Testing;

namespace TechMarket.Listings.Tests.Integration;

internal static class ListingFlows
{
    public static object Patent(string title = "一种基于深度学习的锂电池健康状态估计方法", decimal price = 500_000m, string? description = null) => new
    {
        title,
        type = "Patent",
        modes = new[] { "Transfer" },
        pricing = "Fixed",
        price,
        maturity = "Pilot",
        trl = 6,
        field = "NewEnergy",
        province = "35",
        city = "福州",
        patentNumber = "CN202310123456.7",
        patentStatus = "Granted",
        @abstract = "利用卷积神经网络估计锂电池健康状态，误差低于百分之二，适用于储能电站。",
        description = description ?? "<p>详细说明</p>",
        tags = "储能,电池",
    };

    public static async Task<JsonElement> CreateAsync(this HttpClient client, object input, bool submit = true)
    {
        var response = await client.PostAsJsonAsync($"/api/v1/listings?submit={submit.ToString().ToLowerInvariant()}", input);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }

        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public static async Task<Guid> PublishAsync(this TechMarketApp app, HttpClient publisher, object input)
    {
        var id = (await publisher.CreateAsync(input)).GetProperty("id").GetGuid();
        using var reviewer = await app.LoginAsync(ApiFlows.Operator);
        (await reviewer.PostAsync($"/api/v1/operator/listings/{id}/approve", null)).EnsureSuccessStatusCode();
        return id;
    }

    /// <summary>Polls the search API until the predicate holds (the index is fed asynchronously) or the time is up.</summary>
    public static async Task<JsonElement> SearchUntilAsync(this HttpClient client, string url, Func<JsonElement, bool> done, TimeSpan? timeout = null)
    {
        var until = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (true)
        {
            var result = await client.GetFromJsonAsync<JsonElement>(url);
            if (done(result) || DateTime.UtcNow > until)
            {
                return result;
            }

            await Task.Delay(100);
        }
    }

    public static bool Has(this JsonElement result, Guid id) =>
        result.GetProperty("items").EnumerateArray().Any(i => i.GetProperty("id").GetGuid() == id);
}
