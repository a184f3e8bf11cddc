using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using TechMarket.Identity.Domain;
using TechMarket.Identity.Security;
using TechMarket.Kernel.Members;
using TechMarket.Kernel.Persistence;
using TechMarket.Testing;

namespace TechMarket.Identity.Tests.Integration;

/// <summary>
/// One cache for "is this member verified": the member directory (chat, listings) and the Verified policy share it.
/// </summary>
public sealed class VerifiedCacheTests
{
    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task The_directory_fills_the_policys_cache_and_a_withdrawn_verification_is_refused_at_once_by_both(DatabaseProvider provider)
    {
        using var app = new TechMarketApp(provider);
        using var member = await app.VerifiedMemberAsync();
        var id = (await member.GetFromJsonAsync<JsonElement>("/api/v1/me")).GetProperty("id").GetGuid();
        var cache = app.Services.GetRequiredService<VerifiedMembers>();
        cache.Forget(id);

        Assert.True(await IsVerifiedAsync(app, id));
        Assert.True(cache.IsKnown(id));
        Assert.NotEqual(HttpStatusCode.Forbidden, (await CreatePaymentAsync(member)).StatusCode);

        await using (var scope = app.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<Member>>();
            var row = await users.FindByIdAsync(id.ToString());
            row!.VerificationLevel = VerificationLevel.None;
            Assert.True((await users.UpdateAsync(row)).Succeeded);
        }

        Assert.False(cache.IsKnown(id));
        Assert.False(await IsVerifiedAsync(app, id));
        Assert.Equal(HttpStatusCode.Forbidden, (await CreatePaymentAsync(member)).StatusCode);
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task An_unverified_member_is_not_remembered_so_an_approval_counts_on_the_next_question(DatabaseProvider provider)
    {
        using var app = new TechMarketApp(provider);
        using var member = await app.NewMemberAsync();
        var id = (await member.GetFromJsonAsync<JsonElement>("/api/v1/me")).GetProperty("id").GetGuid();
        var cache = app.Services.GetRequiredService<VerifiedMembers>();

        Assert.False(await IsVerifiedAsync(app, id));
        Assert.False(cache.IsKnown(id));

        var submitted = await member.SubmitPersonalAsync("赵六", TestIdentities.NewResidentId(), TestIdentities.Png);
        submitted.EnsureSuccessStatusCode();
        var request = (await submitted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        using (var reviewer = await app.LoginAsync(ApiFlows.Operator))
        {
            (await reviewer.PostAsync($"/api/v1/operator/verifications/{request}/approve", null)).EnsureSuccessStatusCode();
        }

        Assert.True(await IsVerifiedAsync(app, id));
        Assert.True(cache.IsKnown(id));
    }

    private static async Task<bool> IsVerifiedAsync(TechMarketApp app, Guid memberId)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<IMemberDirectory>().IsVerifiedAsync(memberId);
    }

    // An endpoint behind the Verified policy; its body is irrelevant, only whether the policy let the request through.
    private static Task<HttpResponseMessage> CreatePaymentAsync(HttpClient member) =>
        member.PostAsJsonAsync("/api/v1/payments", new { reference = "", amount = 0m });
}
