using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using TechMarket.Kernel.Persistence;
using TechMarket.Testing;

namespace TechMarket.Messaging.Tests;

public sealed class SupportTests
{
    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Operator_takes_answers_hands_over_and_closes_a_members_support_conversation(DatabaseProvider provider)
    {
        using var app = new TechMarketApp(provider);
        // Support is open before verification: that is often what members need help with.
        await using var member = await Participant.ConnectAsync(app, await app.NewMemberAsync());
        await using var operatorOne = await Participant.ConnectAsync(app, await app.LoginAsync(ApiFlows.Operator));
        using var admin = await app.LoginAsync("admin@techmarket.demo");
        var adminId = (await admin.GetFromJsonAsync<JsonElement>("/api/v1/me")).GetProperty("id").GetGuid();
        using var stranger = await app.VerifiedMemberAsync();

        var opened = await member.Api.PostAsJsonAsync("/api/v1/support", new { subject = "认证材料问题", message = "营业执照可以上传 PDF 吗？" });
        var id = (await opened.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var queued = await operatorOne.NextAsync("support-queue");
        var queue = await operatorOne.Api.GetFromJsonAsync<JsonElement>("/api/v1/support/queue");
        var memberQueue = await member.Api.GetAsync("/api/v1/support/queue");
        var strangerRead = await stranger.GetAsync($"/api/v1/support/{id}/messages");
        var take = await operatorOne.Api.PostAsync($"/api/v1/support/{id}/take", null);
        var answer = await operatorOne.Api.PostAsJsonAsync($"/api/v1/support/{id}/messages", new { body = "可以，PDF 和图片都支持。" });
        var answered = await ChatTests.NextFromAsync(member, operatorOne.Id);
        var notified = await member.NextAsync("notification");
        var afterAnswer = await operatorOne.Api.GetFromJsonAsync<JsonElement>("/api/v1/support/queue");
        var handOver = await operatorOne.Api.PostAsJsonAsync($"/api/v1/support/{id}/hand-over", new { operatorId = adminId });
        var handOverAgain = await operatorOne.Api.PostAsJsonAsync($"/api/v1/support/{id}/hand-over", new { operatorId = adminId });
        var close = await admin.PostAsync($"/api/v1/support/{id}/close", null);
        var closeAgain = await admin.PostAsync($"/api/v1/support/{id}/close", null);
        var history = await member.Api.GetFromJsonAsync<JsonElement>($"/api/v1/support/{id}/messages");

        Assert.Equal(HttpStatusCode.Created, opened.StatusCode);
        Assert.Equal(id, queued.GetProperty("conversationId").GetGuid());
        var item = queue.EnumerateArray().Single(i => i.GetProperty("conversation").GetProperty("id").GetGuid() == id);
        Assert.Equal("Waiting", item.GetProperty("conversation").GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.String, item.GetProperty("waiting").ValueKind);
        Assert.Equal(HttpStatusCode.Forbidden, memberQueue.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, strangerRead.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, take.StatusCode);
        Assert.Equal(HttpStatusCode.Created, answer.StatusCode);
        Assert.Equal("可以，PDF 和图片都支持。", answered.GetProperty("body").GetString());
        Assert.Equal("客服已回复：认证材料问题", notified.GetProperty("notification").GetProperty("title").GetString());
        var active = afterAnswer.EnumerateArray().Single(i => i.GetProperty("conversation").GetProperty("id").GetGuid() == id);
        Assert.Equal("Active", active.GetProperty("conversation").GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, active.GetProperty("waiting").ValueKind);
        Assert.Equal(HttpStatusCode.NoContent, handOver.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, handOverAgain.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, close.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, closeAgain.StatusCode);
        Assert.Equal(2, history.GetProperty("messages").GetArrayLength());
    }
}
