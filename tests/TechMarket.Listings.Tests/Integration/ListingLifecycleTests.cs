using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TechMarket.Kernel.Persistence;
using TechMarket.Listings.Persistence;
using TechMarket.Testing;

namespace TechMarket.Listings.Tests.Integration;

public sealed class ListingLifecycleTests
{
    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Submitted_listing_is_classified_hidden_until_approved_then_searchable_and_revisions_keep_the_published_text(DatabaseProvider provider)
    {
        using var app = new TechMarketApp(provider);
        using var publisher = await app.VerifiedMemberAsync();
        using var anonymous = app.CreateClient();
        using var reviewer = await app.LoginAsync(ApiFlows.Operator);

        var created = await publisher.CreateAsync(ListingFlows.Patent());
        var id = created.GetProperty("id").GetGuid();
        var hidden = await anonymous.GetAsync($"/api/v1/listings/{id}");
        var queue = await reviewer.GetFromJsonAsync<JsonElement>("/api/v1/operator/listing-reviews");
        var approved = await reviewer.PostAsync($"/api/v1/operator/listings/{id}/approve", null);
        var found = await anonymous.SearchUntilAsync("/api/v1/search?q=锂电池健康", r => r.Has(id));

        var revised = await publisher.PutAsJsonAsync($"/api/v1/listings/{id}?submit=true", ListingFlows.Patent(title: "改进的锂电池健康状态估计方法"));
        var duringReview = await anonymous.GetFromJsonAsync<JsonElement>($"/api/v1/listings/{id}");
        var approvedRevision = await reviewer.PostAsync($"/api/v1/operator/listings/{id}/approve", null);
        var afterReview = await anonymous.GetFromJsonAsync<JsonElement>($"/api/v1/listings/{id}");

        Assert.Equal("Submitted", created.GetProperty("status").GetString());
        // P1: the classifier's suggestion and attribute tags are stored with the listing.
        Assert.Equal(JsonValueKind.String, created.GetProperty("suggestedField").ValueKind);
        Assert.NotEmpty(created.GetProperty("attributeTags").EnumerateArray());
        Assert.Equal(HttpStatusCode.NotFound, hidden.StatusCode);
        Assert.Contains(queue.EnumerateArray(), i => i.GetProperty("id").GetGuid() == id);
        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        Assert.True(found.Has(id));
        Assert.Contains("<mark>", found.GetProperty("items")[0].GetProperty("titleHtml").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, revised.StatusCode);
        Assert.Equal("一种基于深度学习的锂电池健康状态估计方法", duringReview.GetProperty("content").GetProperty("title").GetString());
        Assert.Equal(JsonValueKind.Null, duringReview.GetProperty("pendingRevision").ValueKind);
        Assert.Equal(HttpStatusCode.OK, approvedRevision.StatusCode);
        Assert.Equal("改进的锂电池健康状态估计方法", afterReview.GetProperty("content").GetProperty("title").GetString());
        Assert.Equal(2, afterReview.GetProperty("revision").GetInt32());

        using var scope = app.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<ListingsDbContext>();
        var audit = await db.AuditLog.Where(a => a.SubjectId == id.ToString()).Select(a => a.Action).ToListAsync();
        Assert.Equal(["listing.created", "listing.submitted", "listing.approved", "listing.revised", "listing.submitted", "listing.approved"], audit);
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Rejected_listing_returns_to_the_publisher_with_the_reason_and_closing_removes_it_from_search(DatabaseProvider provider)
    {
        using var app = new TechMarketApp(provider);
        using var publisher = await app.VerifiedMemberAsync();
        using var reviewer = await app.LoginAsync(ApiFlows.Operator);
        var id = (await publisher.CreateAsync(ListingFlows.Patent(title: "可回收的高熵合金涂层工艺"))).GetProperty("id").GetGuid();

        var noReason = await reviewer.PostAsJsonAsync($"/api/v1/operator/listings/{id}/reject", new { reason = "" });
        var rejected = await reviewer.PostAsJsonAsync($"/api/v1/operator/listings/{id}/reject", new { reason = "专利号与权利人不符" });
        var mine = await publisher.GetFromJsonAsync<JsonElement>($"/api/v1/listings/{id}");
        var resubmitted = await publisher.PostAsync($"/api/v1/listings/{id}/submit", null);
        (await reviewer.PostAsync($"/api/v1/operator/listings/{id}/approve", null)).EnsureSuccessStatusCode();
        using var anonymous = app.CreateClient();
        await anonymous.SearchUntilAsync("/api/v1/search?q=高熵合金", r => r.Has(id));
        var closed = await publisher.PostAsync($"/api/v1/listings/{id}/close", null);
        var gone = await anonymous.SearchUntilAsync("/api/v1/search?q=高熵合金", r => !r.Has(id));

        Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
        Assert.Equal(HttpStatusCode.OK, rejected.StatusCode);
        Assert.Equal("Rejected", mine.GetProperty("status").GetString());
        Assert.Equal("专利号与权利人不符", mine.GetProperty("rejectionReason").GetString());
        Assert.Equal(HttpStatusCode.OK, resubmitted.StatusCode);
        Assert.Equal(HttpStatusCode.OK, closed.StatusCode);
        Assert.False(gone.Has(id));
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync($"/api/v1/listings/{id}")).StatusCode);
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Only_verified_members_publish_and_nobody_edits_someone_elses_listing(DatabaseProvider provider)
    {
        using var app = new TechMarketApp(provider);
        using var owner = await app.VerifiedMemberAsync();
        using var other = await app.VerifiedMemberAsync();
        using var unverified = await app.LoginAsync(ApiFlows.Unverified);
        using var anonymous = app.CreateClient();
        var id = (await owner.CreateAsync(ListingFlows.Patent(), submit: false)).GetProperty("id").GetGuid();

        var byUnverified = await unverified.PostAsJsonAsync("/api/v1/listings", ListingFlows.Patent());
        var byAnonymous = await anonymous.PostAsJsonAsync("/api/v1/listings", ListingFlows.Patent());
        var editByOther = await other.PutAsJsonAsync($"/api/v1/listings/{id}", ListingFlows.Patent(title: "被他人篡改的标题内容"));
        var submitByOther = await other.PostAsync($"/api/v1/listings/{id}/submit", null);
        var draftByOther = await other.GetAsync($"/api/v1/listings/{id}");
        var approveByMember = await other.PostAsync($"/api/v1/operator/listings/{id}/approve", null);

        Assert.Equal(HttpStatusCode.Forbidden, byUnverified.StatusCode);
        Assert.Contains("/account/verification", await byUnverified.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, byAnonymous.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, editByOther.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, submitByOther.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, draftByOther.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, approveByMember.StatusCode);
        var mine = await owner.GetFromJsonAsync<JsonElement>($"/api/v1/listings/{id}");
        Assert.Equal("一种基于深度学习的锂电池健康状态估计方法", mine.GetProperty("content").GetProperty("title").GetString());
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Invalid_listings_get_field_errors_and_nothing_is_stored(DatabaseProvider provider)
    {
        using var app = new TechMarketApp(provider);
        using var publisher = await app.VerifiedMemberAsync();

        var empty = await publisher.PostAsJsonAsync("/api/v1/listings", new { });
        var tooExpensive = await publisher.PostAsJsonAsync("/api/v1/listings", ListingFlows.Patent(price: 20_000_000_000m));
        var negative = await publisher.PostAsJsonAsync("/api/v1/listings", ListingFlows.Patent(price: -1m));
        var mine = await publisher.GetFromJsonAsync<JsonElement>("/api/v1/listings/mine");

        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        var errors = (await empty.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        foreach (var field in new[] { "Title", "Type", "Modes", "Pricing", "Maturity", "Field", "Province", "Abstract" })
        {
            Assert.True(errors.TryGetProperty(field, out _), $"no error for {field}");
        }

        Assert.Equal(HttpStatusCode.BadRequest, tooExpensive.StatusCode);
        Assert.True((await tooExpensive.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("Price", out _));
        Assert.Equal(HttpStatusCode.BadRequest, negative.StatusCode);
        Assert.Equal(0, mine.GetArrayLength());
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task A_script_in_a_description_is_neutralised_in_the_api_and_on_the_page(DatabaseProvider provider)
    {
        using var app = new TechMarketApp(provider);
        using var publisher = await app.VerifiedMemberAsync();
        var id = await app.PublishAsync(publisher, ListingFlows.Patent(description: "<p onclick=\"steal()\">好技术</p><script>alert('x')</script><a href=\"javascript:alert(1)\">链接</a><img src=x onerror=alert(2)>"));
        using var anonymous = app.CreateClient();

        var api = await anonymous.GetFromJsonAsync<JsonElement>($"/api/v1/listings/{id}");
        var page = await anonymous.GetStringAsync($"/listings/{id}");

        var html = api.GetProperty("content").GetProperty("descriptionHtml").GetString()!;
        Assert.Contains("好技术", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("onclick", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("javascript:", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("onerror", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("好技术", page, StringComparison.Ordinal);
        Assert.DoesNotContain("alert(", page, StringComparison.Ordinal);
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Two_buyers_racing_for_a_transfer_cannot_both_reserve_it(DatabaseProvider provider)
    {
        using var app = new TechMarketApp(provider);
        using var publisher = await app.VerifiedMemberAsync();
        var id = await app.PublishAsync(publisher, ListingFlows.Patent());

        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
        {
            await using var scope = app.Services.CreateAsyncScope();
            return await scope.ServiceProvider.GetRequiredService<IListingCatalog>().ReserveAsync(id, 1);
        }));
        await using var check = app.Services.CreateAsyncScope();
        var catalog = check.ServiceProvider.GetRequiredService<IListingCatalog>();
        var after = await catalog.FindAsync(id);
        await catalog.ReleaseAsync(id, 1);
        var released = await catalog.FindAsync(id);

        Assert.Single(results, r => r == ReserveResult.Reserved);
        Assert.Equal(3, results.Count(r => r == ReserveResult.SoldOut));
        Assert.Equal(0, after!.RemainingQuantity);
        Assert.Equal(1, released!.RemainingQuantity);
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Uploaded_images_attach_to_the_uploaders_listings_only(DatabaseProvider provider)
    {
        using var app = new TechMarketApp(provider);
        using var publisher = await app.VerifiedMemberAsync();
        using var other = await app.VerifiedMemberAsync();
        using var form = new MultipartFormDataContent { { new ByteArrayContent(TestIdentities.Png), "file", "photo.png" } };
        using var fake = new MultipartFormDataContent { { new ByteArrayContent("<script>alert(1)</script>"u8.ToArray()), "file", "photo.png" } };

        var uploaded = await publisher.PostAsync("/api/v1/listings/files", form);
        var rejected = await publisher.PostAsync("/api/v1/listings/files", fake);
        var key = (await uploaded.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString()!;
        var stolen = await other.PostAsJsonAsync("/api/v1/listings", WithImage(key));
        var id = await app.PublishAsync(publisher, WithImage(key));
        using var anonymous = app.CreateClient();
        var image = await anonymous.GetAsync($"/api/v1/listings/files/{key}");
        var unknown = await anonymous.GetAsync("/api/v1/listings/files/2026/01/00000000000000000000000000000000.png");

        Assert.Equal(HttpStatusCode.Created, uploaded.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, rejected.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, stolen.StatusCode);
        Assert.NotEqual(Guid.Empty, id);
        Assert.Equal(HttpStatusCode.OK, image.StatusCode);
        Assert.Equal("image/png", image.Content.Headers.ContentType?.MediaType);
        Assert.Equal(TestIdentities.Png, await image.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    private static Dictionary<string, object?> WithImage(string key)
    {
        var input = JsonSerializer.Deserialize<Dictionary<string, object?>>(JsonSerializer.Serialize(ListingFlows.Patent()))!;
        input["images"] = new[] { key };
        return input;
    }
}
