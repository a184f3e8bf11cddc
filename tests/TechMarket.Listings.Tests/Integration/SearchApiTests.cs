using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using TechMarket.Kernel.Persistence;
using TechMarket.Testing;

namespace TechMarket.Listings.Tests.Integration;

public sealed class SearchApiTests
{
    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Demo_data_is_searchable_with_facets_tabs_and_paging(DatabaseProvider provider)
    {
        using var app = new TechMarketApp(provider);
        using var client = app.CreateClient();

        var all = await client.SearchUntilAsync("/api/v1/search?pageSize=10", r => r.GetProperty("total").GetInt32() >= ListingsSeeder.DemoListings);
        var filtered = await client.GetFromJsonAsync<JsonElement>("/api/v1/search?field=NewEnergy&type=Patent&sort=price_asc&pageSize=50");
        var page2 = await client.GetFromJsonAsync<JsonElement>("/api/v1/search?pageSize=10&page=2&sort=newest");
        var chinese = await client.GetFromJsonAsync<JsonElement>("/api/v1/search?q=锂电池");
        var experts = await client.GetFromJsonAsync<JsonElement>("/api/v1/search?tab=experts&q=教授");
        var stats = await client.GetFromJsonAsync<JsonElement>("/api/v1/listings/stats");
        var newest = await client.GetFromJsonAsync<JsonElement>("/api/v1/search?sort=newest&pageSize=1");
        var home = await client.GetStringAsync("/");
        var searchPage = await client.GetStringAsync("/search?q=锂电池&field=NewEnergy");
        var firstId = all.GetProperty("items")[0].GetProperty("id").GetGuid();
        var detailPage = await client.GetStringAsync($"/listings/{firstId}");

        Assert.Equal(ListingsSeeder.DemoListings, all.GetProperty("total").GetInt32());
        Assert.Equal(ListingsSeeder.DemoDemands, all.GetProperty("tabs").GetProperty("Demands").GetInt32());
        Assert.Equal(ListingsSeeder.DemoExperts + 2, all.GetProperty("tabs").GetProperty("Experts").GetInt32());
        var fields = all.GetProperty("facets").GetProperty("field");
        Assert.Equal(8, fields.EnumerateObject().Count());
        Assert.Equal(ListingsSeeder.DemoListings, fields.EnumerateObject().Sum(f => f.Value.GetInt32()));
        Assert.True(all.GetProperty("facets").GetProperty("region").EnumerateObject().Count() >= 10);

        var patentsInEnergy = all.GetProperty("facets").GetProperty("type").GetProperty("Patent").GetInt32();
        Assert.InRange(filtered.GetProperty("total").GetInt32(), 1, patentsInEnergy);
        Assert.All(filtered.GetProperty("items").EnumerateArray(), i =>
        {
            Assert.Equal("Patent", i.GetProperty("data").GetProperty("type").GetString());
            Assert.Equal("NewEnergy", i.GetProperty("data").GetProperty("fields")[0].GetString());
        });
        var prices = filtered.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("data").GetProperty("price")).Where(p => p.ValueKind == JsonValueKind.Number).Select(p => p.GetDecimal()).ToList();
        Assert.Equal(prices.Order(), prices);

        Assert.Equal(10, page2.GetProperty("items").GetArrayLength());
        Assert.True(chinese.GetProperty("total").GetInt32() > 0);
        Assert.All(chinese.GetProperty("items").EnumerateArray(), i => Assert.Contains("<mark>", i.GetProperty("titleHtml").GetString() + i.GetProperty("snippetHtml").GetString() + "<mark>", StringComparison.Ordinal));
        Assert.True(experts.GetProperty("total").GetInt32() > 0);

        var supplyByField = stats.EnumerateArray().Where(r => r.GetProperty("dimension").GetString() == "supply.field").Sum(r => r.GetProperty("count").GetInt32());
        Assert.Equal(ListingsSeeder.DemoListings, supplyByField);
        Assert.Contains(stats.EnumerateArray(), r => r.GetProperty("dimension").GetString() == "supply.month");
        Assert.Contains(stats.EnumerateArray(), r => r.GetProperty("dimension").GetString() == "demand.region");

        // Pages: the home page lists the latest supply, the search page renders filters with counts and marked matches.
        Assert.Contains(newest.GetProperty("items")[0].GetProperty("title").GetString()!, home, StringComparison.Ordinal);
        Assert.Contains("href=\"/search?field=", home, StringComparison.Ordinal);
        Assert.Contains("class=\"filters\"", searchPage, StringComparison.Ordinal);
        Assert.Contains("<mark>", searchPage, StringComparison.Ordinal);
        Assert.Contains(all.GetProperty("items")[0].GetProperty("title").GetString()!, detailPage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Malformed_filters_and_over_long_queries_are_a_400_with_a_message()
    {
        using var app = new TechMarketApp(DatabaseProvider.Sqlite);
        using var client = app.CreateClient();
        (string Url, string Field)[] cases =
        [
            ("/api/v1/search?type=Spaceship", "type"),
            ("/api/v1/search?region=99", "region"),
            ("/api/v1/search?sort=random", "sort"),
            ("/api/v1/search?page=-1", "page"),
            ("/api/v1/search?pageSize=1000", "page"),
            ($"/api/v1/search?q={new string('锂', 201)}", "q"),
        ];

        var ok = await client.GetAsync($"/api/v1/search?q={new string('锂', 200)}");
        var page = await client.GetAsync("/search?type=Spaceship");

        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, page.StatusCode);
        foreach (var (url, field) in cases)
        {
            var response = await client.GetAsync(url);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
            Assert.False(string.IsNullOrEmpty(errors.GetProperty(field)[0].GetString()), url);
        }
    }

    [Fact]
    public async Task Every_node_catches_up_from_the_shared_database_by_itself()
    {
        using var first = new TechMarketApp(DatabaseProvider.Postgres);
        using var second = new TechMarketApp(DatabaseProvider.Postgres);
        // The second node shares the first node's database but keeps its own index on its own disk.
        second.Settings["Database:ConnectionString"] = first.ConnectionString;
        using var publisher = await first.VerifiedMemberAsync();
        var id = await first.PublishAsync(publisher, ListingFlows.Patent(title: "钙钛矿光伏组件封装工艺"));

        using var onSecond = second.CreateClient();
        var found = await onSecond.SearchUntilAsync("/api/v1/search?q=钙钛矿 封装", r => r.Has(id));
        using var onFirst = first.CreateClient();
        var foundFirst = await onFirst.SearchUntilAsync("/api/v1/search?q=钙钛矿 封装", r => r.Has(id));

        // A change made through the second node reaches the first.
        using var reviewer = await second.LoginAsync(ApiFlows.Operator);
        (await reviewer.PostAsync($"/api/v1/listings/{id}/close", null)).EnsureSuccessStatusCode();
        var goneOnFirst = await onFirst.SearchUntilAsync("/api/v1/search?q=钙钛矿 封装", r => !r.Has(id));

        Assert.True(found.Has(id));
        Assert.True(foundFirst.Has(id));
        Assert.False(goneOnFirst.Has(id));
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Confidential_demand_details_are_shown_only_to_verified_members(DatabaseProvider provider)
    {
        using var app = new TechMarketApp(provider);
        using var owner = await app.VerifiedMemberAsync();
        using var verified = await app.VerifiedMemberAsync();
        using var unverified = await app.LoginAsync(ApiFlows.Unverified);
        using var anonymous = app.CreateClient();
        var created = await owner.PostAsJsonAsync("/api/v1/demands?submit=true", new
        {
            title = "寻求耐高温锂电池隔膜材料",
            summary = "我司需要可在一百五十度下工作的隔膜材料。",
            details = "<p>内部参数：孔隙率百分之四十五，机密配方编号 X-17。</p>",
            field = "NewMaterials",
            province = "44",
            budgetMin = 100000,
            budgetMax = 500000,
            confidential = true,
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        using var reviewer = await app.LoginAsync(ApiFlows.Operator);
        (await reviewer.PostAsync($"/api/v1/operator/demands/{id}/approve", null)).EnsureSuccessStatusCode();

        var forAnonymous = await anonymous.GetFromJsonAsync<JsonElement>($"/api/v1/demands/{id}");
        var forUnverified = await unverified.GetFromJsonAsync<JsonElement>($"/api/v1/demands/{id}");
        var forVerified = await verified.GetFromJsonAsync<JsonElement>($"/api/v1/demands/{id}");
        var search = await anonymous.SearchUntilAsync("/api/v1/search?tab=demands&q=隔膜", r => r.Has(id));
        var secret = await anonymous.GetFromJsonAsync<JsonElement>("/api/v1/search?tab=demands&q=X-17");

        Assert.Equal(JsonValueKind.Null, forAnonymous.GetProperty("detailsHtml").ValueKind);
        Assert.True(forAnonymous.GetProperty("detailsHidden").GetBoolean());
        Assert.Equal("我司需要可在一百五十度下工作的隔膜材料。", forAnonymous.GetProperty("summary").GetString());
        Assert.Equal(JsonValueKind.Null, forUnverified.GetProperty("detailsHtml").ValueKind);
        Assert.Contains("X-17", forVerified.GetProperty("detailsHtml").GetString(), StringComparison.Ordinal);
        Assert.True(search.Has(id));
        Assert.False(secret.Has(id));
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Institutions_list_the_listings_of_their_experts(DatabaseProvider provider)
    {
        using var app = new TechMarketApp(provider);
        using var institutionAccount = await app.VerifiedMemberAsync();
        using var expertAccount = await app.VerifiedMemberAsync();
        using var unverified = await app.LoginAsync(ApiFlows.Unverified);

        var institution = await institutionAccount.PutAsJsonAsync("/api/v1/experts/me", new { kind = "Institution", name = "闽江新能源研究院", institutionKind = "ResearchInstitute", fields = new[] { "NewEnergy" }, province = "35", availableForConsultation = true });
        var institutionId = (await institution.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var expert = await expertAccount.PutAsJsonAsync("/api/v1/experts/me", new { kind = "Expert", name = "陈志强", jobTitle = "研究员", institutionId, fields = new[] { "NewEnergy" }, province = "35", introduction = "从事固态电池研究", availableForConsultation = true });
        var byUnverified = await unverified.PutAsJsonAsync("/api/v1/experts/me", new { kind = "Expert", name = "无名", fields = new[] { "NewEnergy" }, province = "35" });
        var listingId = await app.PublishAsync(expertAccount, ListingFlows.Patent(title: "固态电解质锂电池制备方法"));
        using var anonymous = app.CreateClient();
        var listings = await anonymous.GetFromJsonAsync<JsonElement>($"/api/v1/experts/{institutionId}/listings");
        var found = await anonymous.SearchUntilAsync("/api/v1/search?tab=experts&q=陈志强", r => r.GetProperty("total").GetInt32() > 0);

        Assert.Equal(HttpStatusCode.OK, institution.StatusCode);
        Assert.Equal(HttpStatusCode.OK, expert.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, byUnverified.StatusCode);
        Assert.Contains(listings.EnumerateArray(), l => l.GetProperty("id").GetGuid() == listingId);
        Assert.Equal(1, found.GetProperty("total").GetInt32());
    }
}
