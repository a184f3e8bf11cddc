using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TechMarket.Kernel.Persistence;
using TechMarket.Messaging.Persistence;
using TechMarket.Testing;

namespace TechMarket.Messaging.Tests;

/// <summary>I3 "review results": an operator's decision on a verification reaches the member live, in the list and by e-mail.</summary>
public sealed class ReviewNotificationTests
{
    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Approval_is_pushed_listed_and_emailed_to_the_member(DatabaseProvider provider)
    {
        using var app = new TechMarketApp(provider);
        await using var member = await Participant.ConnectAsync(app, await app.NewMemberAsync());
        using var reviewer = await app.LoginAsync(ApiFlows.Operator);
        var request = await SubmitAsync(member.Api, "赵六");

        var approved = await reviewer.PostAsync($"/api/v1/operator/verifications/{request}/approve", null);
        var pushed = await member.NextAsync("notification");
        var list = await member.Api.GetFromJsonAsync<JsonElement>("/api/v1/notifications");

        Assert.Equal(HttpStatusCode.NoContent, approved.StatusCode);
        Assert.Equal("实名认证已通过", pushed.GetProperty("notification").GetProperty("title").GetString());
        var item = Assert.Single(list.GetProperty("items").EnumerateArray());
        Assert.Equal("review", item.GetProperty("kind").GetString());
        Assert.Contains("赵六", item.GetProperty("body").GetString(), StringComparison.Ordinal);
        Assert.Equal("/account/verification", item.GetProperty("link").GetString());
        var mail = await OutboxForAsync(app, member.Id);
        Assert.Equal(["实名认证已通过"], mail.Select(m => m.Subject));
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Rejection_tells_the_reason_and_respects_the_e_mail_preference(DatabaseProvider provider)
    {
        using var app = new TechMarketApp(provider);
        using var member = await app.NewMemberAsync();
        var memberId = (await member.GetFromJsonAsync<JsonElement>("/api/v1/me")).GetProperty("id").GetGuid();
        using var reviewer = await app.LoginAsync(ApiFlows.Operator);
        // Review results in the list only, not by e-mail.
        (await member.PutAsJsonAsync("/api/v1/notifications/preferences", new { culture = "zh-CN", emailKinds = new[] { "order" } })).EnsureSuccessStatusCode();
        var request = await SubmitAsync(member, "钱七");

        var withoutReason = await reviewer.PostAsJsonAsync($"/api/v1/operator/verifications/{request}/reject", new { reason = " " });
        var afterRefusal = await member.GetFromJsonAsync<JsonElement>("/api/v1/notifications");
        var rejected = await reviewer.PostAsJsonAsync($"/api/v1/operator/verifications/{request}/reject", new { reason = "证件照片不清晰" });
        var list = await member.GetFromJsonAsync<JsonElement>("/api/v1/notifications");

        // A decision the reviewer could not make (no reason) tells the member nothing.
        Assert.Equal(HttpStatusCode.BadRequest, withoutReason.StatusCode);
        Assert.Equal(0, afterRefusal.GetProperty("items").GetArrayLength());
        Assert.Equal(HttpStatusCode.NoContent, rejected.StatusCode);
        var item = Assert.Single(list.GetProperty("items").EnumerateArray());
        Assert.Equal("实名认证未通过", item.GetProperty("title").GetString());
        Assert.Contains("证件照片不清晰", item.GetProperty("body").GetString(), StringComparison.Ordinal);
        Assert.Empty(await OutboxForAsync(app, memberId));
    }

    private static async Task<Guid> SubmitAsync(HttpClient member, string realName)
    {
        var submitted = await member.SubmitPersonalAsync(realName, TestIdentities.NewResidentId(), TestIdentities.Png);
        submitted.EnsureSuccessStatusCode();
        return (await submitted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    private static async Task<List<Domain.EmailOutboxItem>> OutboxForAsync(TechMarketApp app, Guid memberId)
    {
        using var scope = app.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<MessagingDbContext>().EmailOutbox.AsNoTracking().Where(e => e.MemberId == memberId).ToListAsync();
    }
}
