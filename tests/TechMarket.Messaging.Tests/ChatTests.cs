using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TechMarket.Kernel.Persistence;
using TechMarket.Messaging.Persistence;
using TechMarket.Testing;

namespace TechMarket.Messaging.Tests;

public sealed class ChatTests
{
    private static readonly object Listing = new { type = "listing", id = "L-1001", title = "高效锂电池正极材料专利" };

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Two_members_chat_through_the_hub_with_typing_and_read_receipts(DatabaseProvider provider)
    {
        using var app = new TechMarketApp(provider);
        await using var alice = await Participant.ConnectAsync(app, await app.VerifiedMemberAsync());
        await using var bob = await Participant.ConnectAsync(app, await app.VerifiedMemberAsync(), webSockets: false);

        var conversation = await StartAsync(alice, bob.Id, Listing);
        var id = conversation.GetProperty("id").GetGuid();
        await alice.Hub.InvokeAsync("Typing", id);
        var typing = await bob.NextAsync("typing");
        var sent = await alice.Hub.InvokeAsync<JsonElement>("Send", id, "您好，这个专利还能授权吗？");
        var received = await bob.NextAsync("message");
        var echoed = await alice.NextAsync("message");
        await bob.Hub.InvokeAsync("MarkRead", id, received.GetProperty("id").GetInt64());
        var receipt = await alice.NextAsync("read");
        var reply = await bob.Hub.InvokeAsync<JsonElement>("Send", id, "可以，欢迎洽谈。");
        var history = await alice.Hub.InvokeAsync<JsonElement>("History", id, null, 50);

        Assert.Equal(alice.Id, typing.GetProperty("memberId").GetGuid());
        Assert.Equal("您好，这个专利还能授权吗？", received.GetProperty("body").GetString());
        Assert.Equal(sent.GetProperty("id").GetInt64(), received.GetProperty("id").GetInt64());
        Assert.Equal(sent.GetProperty("id").GetInt64(), echoed.GetProperty("id").GetInt64());
        Assert.Equal(bob.Id, receipt.GetProperty("memberId").GetGuid());
        Assert.Equal(sent.GetProperty("id").GetInt64(), receipt.GetProperty("messageId").GetInt64());
        Assert.Equal(["您好，这个专利还能授权吗？", "可以，欢迎洽谈。"], history.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("body").GetString()));
        var context = conversation.GetProperty("context");
        Assert.Equal("listing", context.GetProperty("type").GetString());
        Assert.Equal("高效锂电池正极材料专利", context.GetProperty("title").GetString());
        Assert.Equal(reply.GetProperty("id").GetInt64(), (await bob.NextAsync("message")).GetProperty("id").GetInt64());
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Member_who_was_offline_finds_unread_count_and_messages_on_return(DatabaseProvider provider)
    {
        using var app = new TechMarketApp(provider);
        await using var alice = await Participant.ConnectAsync(app, await app.VerifiedMemberAsync());
        using var bobApi = await app.VerifiedMemberAsync();
        var bobId = (await bobApi.GetFromJsonAsync<JsonElement>("/api/v1/me")).GetProperty("id").GetGuid();
        var id = (await StartAsync(alice, bobId, null)).GetProperty("id").GetGuid();

        await alice.Hub.InvokeAsync<JsonElement>("Send", id, "第一条");
        await alice.Hub.InvokeAsync<JsonElement>("Send", id, "第二条");
        await alice.Hub.InvokeAsync<JsonElement>("Send", id, "第三条");

        var list = await bobApi.GetFromJsonAsync<JsonElement>("/api/v1/conversations");
        // Notifications are raised after the message is stored and pushed, off the sender's path.
        var notifications = await Eventually.Until(() => bobApi.GetFromJsonAsync<JsonElement>("/api/v1/notifications"), n => ChatLinks(n, id) > 0);
        var unread = await bobApi.GetFromJsonAsync<JsonElement>("/api/v1/notifications/unread");
        var older = await bobApi.GetFromJsonAsync<JsonElement>($"/api/v1/conversations/{id}/messages?take=2");
        var first = older.GetProperty("messages")[0].GetProperty("id").GetInt64();
        var oldest = await bobApi.GetFromJsonAsync<JsonElement>($"/api/v1/conversations/{id}/messages?take=2&before={first}");
        var last = older.GetProperty("messages")[1].GetProperty("id").GetInt64();
        (await bobApi.PostAsJsonAsync($"/api/v1/conversations/{id}/read", new { messageId = last })).EnsureSuccessStatusCode();
        var after = await bobApi.GetFromJsonAsync<JsonElement>("/api/v1/conversations");

        Assert.Equal(3, list.EnumerateArray().Single(c => c.GetProperty("id").GetGuid() == id).GetProperty("unread").GetInt32());
        Assert.Equal(3, unread.GetProperty("chat").GetInt32());
        // One notification per conversation while it is unread, not one per message.
        Assert.Equal(1, ChatLinks(notifications, id));
        Assert.Equal(["第二条", "第三条"], older.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("body").GetString()));
        Assert.True(older.GetProperty("hasMore").GetBoolean());
        Assert.Equal(["第一条"], oldest.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("body").GetString()));
        Assert.False(oldest.GetProperty("hasMore").GetBoolean());
        Assert.Equal(0, after.EnumerateArray().Single(c => c.GetProperty("id").GetGuid() == id).GetProperty("unread").GetInt32());
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Third_member_can_neither_read_nor_join_nor_write(DatabaseProvider provider)
    {
        using var app = new TechMarketApp(provider);
        await using var alice = await Participant.ConnectAsync(app, await app.VerifiedMemberAsync());
        await using var bob = await Participant.ConnectAsync(app, await app.VerifiedMemberAsync());
        await using var mallory = await Participant.ConnectAsync(app, await app.VerifiedMemberAsync());
        var id = (await StartAsync(alice, bob.Id, Listing)).GetProperty("id").GetGuid();
        await alice.Hub.InvokeAsync<JsonElement>("Send", id, "私密报价：80 万");

        var history = await Assert.ThrowsAsync<HubException>(() => mallory.Hub.InvokeAsync<JsonElement>("History", id, null, 50));
        var send = await Assert.ThrowsAsync<HubException>(() => mallory.Hub.InvokeAsync<JsonElement>("Send", id, "我也来"));
        await Assert.ThrowsAsync<HubException>(() => mallory.Hub.InvokeAsync("Typing", id));
        await Assert.ThrowsAsync<HubException>(() => mallory.Hub.InvokeAsync("MarkRead", id, 1L));
        var get = await mallory.Api.GetAsync($"/api/v1/conversations/{id}");
        var messages = await mallory.Api.GetAsync($"/api/v1/conversations/{id}/messages");
        var post = await mallory.Api.PostAsJsonAsync($"/api/v1/conversations/{id}/messages", new { body = "我也来" });
        var list = await mallory.Api.GetFromJsonAsync<JsonElement>("/api/v1/conversations");

        Assert.Contains("会话不存在", history.Message, StringComparison.Ordinal);
        Assert.Contains("会话不存在", send.Message, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, messages.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, post.StatusCode);
        Assert.Equal(0, list.GetArrayLength());
        Assert.False(mallory.TryNext("message", out _));
        Assert.Equal(1, await CountMessagesAsync(app, id));
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Bad_input_is_refused_and_nothing_is_stored(DatabaseProvider provider)
    {
        using var app = new TechMarketApp(provider);
        app.Settings["Messaging:ChatMessagesPerWindow"] = "5";
        app.Settings["Messaging:ChatWindow"] = "00:01:00";
        await using var alice = await Participant.ConnectAsync(app, await app.VerifiedMemberAsync());
        await using var bob = await Participant.ConnectAsync(app, await app.VerifiedMemberAsync());
        using var newcomer = await app.NewMemberAsync();
        var newcomerId = (await newcomer.GetFromJsonAsync<JsonElement>("/api/v1/me")).GetProperty("id").GetGuid();

        var toUnverified = await alice.Api.PostAsJsonAsync("/api/v1/conversations", new { recipientId = newcomerId });
        var toUnknown = await alice.Api.PostAsJsonAsync("/api/v1/conversations", new { recipientId = Guid.NewGuid() });
        var fromUnverified = await newcomer.PostAsJsonAsync("/api/v1/conversations", new { recipientId = alice.Id });
        var id = (await StartAsync(alice, bob.Id, null)).GetProperty("id").GetGuid();
        var empty = await alice.Api.PostAsJsonAsync($"/api/v1/conversations/{id}/messages", new { body = "   " });
        var tooLong = await alice.Api.PostAsJsonAsync($"/api/v1/conversations/{id}/messages", new { body = new string('长', 4001) });
        var script = await alice.Hub.InvokeAsync<JsonElement>("Send", id, "<script>alert('x')</script><b>粗体</b>");
        for (var i = 0; i < 4; i++)
        {
            await alice.Hub.InvokeAsync<JsonElement>("Send", id, $"第 {i} 条");
        }

        var flooded = await Assert.ThrowsAsync<HubException>(() => alice.Hub.InvokeAsync<JsonElement>("Send", id, "刷屏"));
        var floodedApi = await alice.Api.PostAsJsonAsync($"/api/v1/conversations/{id}/messages", new { body = "刷屏" });
        var floodProblem = await floodedApi.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.BadRequest, toUnverified.StatusCode);
        Assert.Contains("尚未实名认证", (await toUnverified.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetProperty("recipientId")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, toUnknown.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, fromUnverified.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        // Stored verbatim and sent as data: every client renders it as text (the page encodes it, the script uses textContent).
        Assert.Equal("<script>alert('x')</script><b>粗体</b>", script.GetProperty("body").GetString());
        Assert.Contains("请", flooded.Message, StringComparison.Ordinal);
        Assert.Contains("秒后再试", flooded.Message, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.TooManyRequests, floodedApi.StatusCode);
        Assert.True(floodedApi.Headers.RetryAfter is not null);
        Assert.Contains("秒后再试", floodProblem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(5, await CountMessagesAsync(app, id));
        using var scope = app.Services.CreateScope();
        Assert.Equal(1, await scope.ServiceProvider.GetRequiredService<MessagingDbContext>().Conversations.CountAsync());
    }

    [Fact]
    public async Task Chat_page_renders_html_in_a_message_as_text()
    {
        using var app = new TechMarketApp(DatabaseProvider.Sqlite);
        await using var alice = await Participant.ConnectAsync(app, await app.VerifiedMemberAsync());
        var bobAccount = TestIdentities.NewEmail();
        await using var bob = await Participant.ConnectAsync(app, await app.VerifiedMemberAsync(bobAccount));
        var id = (await StartAsync(alice, bob.Id, null)).GetProperty("id").GetGuid();
        await alice.Hub.InvokeAsync<JsonElement>("Send", id, "<script>alert('x')</script>");

        using var browser = await PageSession.SignInAsync(app, bobAccount);
        var html = await browser.GetStringAsync($"/chat/{id}");

        Assert.DoesNotContain("<script>alert", html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;alert", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Members_on_two_nodes_chat_through_the_redis_backplane()
    {
        var redis = Environment.GetEnvironmentVariable("TECHMARKET_TEST_REDIS") ?? throw new InvalidOperationException("TECHMARKET_TEST_REDIS is not set");
        using var nodeA = new TechMarketApp(DatabaseProvider.Postgres);
        nodeA.Settings["Redis:Configuration"] = redis;
        using var nodeB = new TechMarketNode(nodeA);
        await using var alice = await Participant.ConnectAsync(nodeA, await nodeA.VerifiedMemberAsync());
        using var bobApi = await nodeA.VerifiedMemberAsync();
        await using var bob = await Participant.ConnectAsync(nodeB, bobApi);

        var id = (await StartAsync(alice, bob.Id, Listing)).GetProperty("id").GetGuid();
        await alice.Hub.InvokeAsync<JsonElement>("Send", id, "来自节点 A");
        var onB = await bob.NextAsync("message");
        await bob.Hub.InvokeAsync("Typing", id);
        var typingOnA = await alice.NextAsync("typing");
        await bob.Hub.InvokeAsync<JsonElement>("Send", id, "来自节点 B");
        var onA = await NextFromAsync(alice, bob.Id);

        Assert.Equal("来自节点 A", onB.GetProperty("body").GetString());
        Assert.Equal(bob.Id, typingOnA.GetProperty("memberId").GetGuid());
        Assert.Equal("来自节点 B", onA.GetProperty("body").GetString());
    }

    internal static async Task<JsonElement> StartAsync(Participant starter, Guid recipient, object? context)
    {
        var response = await starter.Api.PostAsJsonAsync("/api/v1/conversations", new { recipientId = recipient, context });
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    internal static async Task<JsonElement> NextFromAsync(Participant participant, Guid sender)
    {
        while (true)
        {
            var message = await participant.NextAsync("message");
            if (message.GetProperty("senderId").GetGuid() == sender)
            {
                return message;
            }
        }
    }

    private static int ChatLinks(JsonElement notifications, Guid conversationId) =>
        notifications.GetProperty("items").EnumerateArray().Count(n => n.GetProperty("link").GetString() == $"/chat/{conversationId}");

    private static async Task<int> CountMessagesAsync(TechMarketApp app, Guid conversationId)
    {
        using var scope = app.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<MessagingDbContext>().ChatMessages.CountAsync(m => m.ConversationId == conversationId);
    }
}
