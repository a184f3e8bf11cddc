using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TechMarket.Kernel.Members;
using TechMarket.Kernel.Persistence;
using TechMarket.Listings.Persistence;
using TechMarket.Testing;

namespace TechMarket.Listings.Tests.Integration;

public sealed class DemoExpertAccountTests
{
    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Every_demo_expert_profile_belongs_to_a_real_member_account(DatabaseProvider provider)
    {
        using var app = new TechMarketApp(provider);
        using var client = app.CreateClient();
        await using var scope = app.Services.CreateAsyncScope();
        var profiles = await scope.ServiceProvider.GetRequiredService<ListingsDbContext>().Profiles.AsNoTracking().ToListAsync();

        var members = await scope.ServiceProvider.GetRequiredService<IMemberDirectory>().GetAsync(profiles.Select(p => p.MemberId).ToList());

        Assert.Equal(ListingsSeeder.DemoExperts + 2, profiles.Count);
        Assert.Equal(profiles.Count, profiles.Select(p => p.MemberId).Distinct().Count());
        Assert.All(profiles, p => Assert.True(members.ContainsKey(p.MemberId), $"{p.Name} has no account"));
        // Messaging only reaches verified members: every expert can be consulted.
        Assert.All(profiles, p => Assert.True(members[p.MemberId].IsVerified, $"{p.Name} is not verified"));
        Assert.All(profiles.Where(p => p.Name is not "张三" and not "福州星河新材料科技有限公司"), p => Assert.Equal(p.Name, members[p.MemberId].DisplayName));
    }
}
