using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TechMarket.Kernel.Persistence;
using TechMarket.Messaging.Persistence;
using TechMarket.Testing;

namespace TechMarket.Messaging.Tests;

public sealed class SupportHandOverTests
{
    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Support_is_handed_over_only_to_an_operator(DatabaseProvider provider)
    {
        using var app = new TechMarketApp(provider);
        using var member = await app.NewMemberAsync();
        using var operatorOne = await app.LoginAsync(ApiFlows.Operator);
        var operatorId = (await operatorOne.GetFromJsonAsync<JsonElement>("/api/v1/me")).GetProperty("id").GetGuid();
        using var bystander = await app.VerifiedMemberAsync();
        var bystanderId = (await bystander.GetFromJsonAsync<JsonElement>("/api/v1/me")).GetProperty("id").GetGuid();
        var opened = await member.PostAsJsonAsync("/api/v1/support", new { subject = "订单纠纷", message = "卖家不发货怎么办？" });
        var id = (await opened.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        (await operatorOne.PostAsync($"/api/v1/support/{id}/take", null)).EnsureSuccessStatusCode();

        var toMember = await operatorOne.PostAsJsonAsync($"/api/v1/support/{id}/hand-over", new { operatorId = bystanderId });
        var toNobody = await operatorOne.PostAsJsonAsync($"/api/v1/support/{id}/hand-over", new { operatorId = Guid.NewGuid() });
        var problem = await toMember.Content.ReadFromJsonAsync<JsonElement>();
        var bystanderRead = await bystander.GetAsync($"/api/v1/support/{id}/messages");

        Assert.Equal(HttpStatusCode.BadRequest, toMember.StatusCode);
        Assert.Equal("application/problem+json", toMember.Content.Headers.ContentType?.MediaType);
        Assert.Contains("客服人员", problem.GetProperty("errors").GetProperty("operatorId")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, toNobody.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, bystanderRead.StatusCode);
        using var scope = app.Services.CreateScope();
        var conversation = await scope.ServiceProvider.GetRequiredService<MessagingDbContext>().Conversations.AsNoTracking().Include(c => c.Members).SingleAsync(c => c.Id == id);
        Assert.Equal(operatorId, conversation.OperatorId);
        Assert.DoesNotContain(conversation.Members, m => m.MemberId == bystanderId);
    }
}
