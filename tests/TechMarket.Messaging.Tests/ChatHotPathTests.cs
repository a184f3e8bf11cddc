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

/// <summary>The per-message path shares its INSERT between concurrent senders and caches who may write: none of that may lose or leak a message.</summary>
public sealed class ChatHotPathTests
{
    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Concurrent_senders_share_commits_and_every_pushed_message_is_already_stored(DatabaseProvider provider)
    {
        using var app = new TechMarketApp(provider);
        var pairs = new List<(Participant Sender, Participant Receiver, Guid Conversation)>();
        for (var i = 0; i < 4; i++)
        {
            var sender = await Participant.ConnectAsync(app, await app.VerifiedMemberAsync());
            var receiver = await Participant.ConnectAsync(app, await app.VerifiedMemberAsync());
            var id = (await ChatTests.StartAsync(sender, receiver.Id, null)).GetProperty("id").GetGuid();
            pairs.Add((sender, receiver, id));
        }

        // Everyone at once, so the writer finds several messages queued and commits them together.
        var acks = await Task.WhenAll(pairs.SelectMany(p => Enumerable.Range(0, 5).Select(n => p.Sender.Hub.InvokeAsync<JsonElement>("Send", p.Conversation, $"报价 {n}"))));
        var pushed = new List<long>();
        foreach (var (_, receiver, _) in pairs)
        {
            for (var n = 0; n < 5; n++)
            {
                pushed.Add((await receiver.NextAsync("message")).GetProperty("id").GetInt64());
            }
        }

        using var scope = app.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<MessagingDbContext>();
        var stored = await db.ChatMessages.Select(m => m.Id).ToListAsync();
        var ids = acks.Select(a => a.GetProperty("id").GetInt64()).ToList();
        Assert.Equal(20, ids.Distinct().Count());
        Assert.All(ids, id => Assert.Contains(id, stored));
        Assert.All(pushed, id => Assert.Contains(id, stored));
        foreach (var (sender, receiver, conversation) in pairs)
        {
            var history = await receiver.Hub.InvokeAsync<JsonElement>("History", conversation, null, 50);
            Assert.Equal(5, history.GetProperty("messages").GetArrayLength());
            await sender.DisposeAsync();
            await receiver.DisposeAsync();
        }
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Burst_of_messages_raises_one_notification_per_conversation(DatabaseProvider provider)
    {
        using var app = new TechMarketApp(provider);
        await using var alice = await Participant.ConnectAsync(app, await app.VerifiedMemberAsync());
        await using var bob = await Participant.ConnectAsync(app, await app.VerifiedMemberAsync());
        var first = (await ChatTests.StartAsync(alice, bob.Id, null)).GetProperty("id").GetGuid();
        var second = (await ChatTests.StartAsync(alice, bob.Id, new { type = "listing", id = "L-7", title = "储能专利" })).GetProperty("id").GetGuid();

        await Task.WhenAll(Enumerable.Range(0, 6).Select(n => alice.Hub.InvokeAsync<JsonElement>("Send", n % 2 == 0 ? first : second, $"第 {n} 条")));
        var notified = await bob.NextAsync("notification");
        var list = await Eventually.Until(
            () => bob.Api.GetFromJsonAsync<JsonElement>("/api/v1/notifications"),
            l => ChatLinks(l).Count >= 2);
        // Give a wrongly duplicated notification the time to show up before counting.
        await Task.Delay(500);
        list = await bob.Api.GetFromJsonAsync<JsonElement>("/api/v1/notifications");

        Assert.Equal("message", notified.GetProperty("notification").GetProperty("kind").GetString());
        Assert.Equal([$"/chat/{first}", $"/chat/{second}"], ChatLinks(list).Order());
        Assert.False(alice.TryNext("notification", out _));
    }

    // Bob also has the notification of his own verification: only the chat ones are counted.
    private static List<string?> ChatLinks(JsonElement list) =>
        [.. list.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("link").GetString()).Where(l => l?.StartsWith("/chat/", StringComparison.Ordinal) == true)];

    [Fact]
    public async Task Member_refused_as_unverified_is_refused_again_without_anything_stored()
    {
        using var app = new TechMarketApp(DatabaseProvider.Sqlite);
        await using var alice = await Participant.ConnectAsync(app, await app.VerifiedMemberAsync());
        await using var bob = await Participant.ConnectAsync(app, await app.VerifiedMemberAsync());
        var id = (await ChatTests.StartAsync(alice, bob.Id, null)).GetProperty("id").GetGuid();
        await alice.Hub.InvokeAsync<JsonElement>("Send", id, "先聊一句");
        using (var scope = app.Services.CreateScope())
        {
            // The verification is withdrawn after Alice's first message (which Identity's cache remembered as verified):
            // saving the lower level forgets it, with no word to Messaging, so she cannot go on.
            var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<TechMarket.Identity.Domain.Member>>();
            var member = await users.FindByIdAsync(alice.Id.ToString());
            member!.VerificationLevel = TechMarket.Identity.Domain.VerificationLevel.None;
            Assert.True((await users.UpdateAsync(member)).Succeeded);
        }

        var refused = await Assert.ThrowsAsync<HubException>(() => alice.Hub.InvokeAsync<JsonElement>("Send", id, "再聊一句"));

        Assert.Contains("实名认证", refused.Message, StringComparison.Ordinal);
        using var check = app.Services.CreateScope();
        Assert.Equal(1, await check.ServiceProvider.GetRequiredService<MessagingDbContext>().ChatMessages.CountAsync());
    }
}
