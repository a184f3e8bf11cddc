using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TechMarket.Kernel.Notifications;
using TechMarket.Kernel.Persistence;
using TechMarket.Messaging.Persistence;
using TechMarket.Testing;

namespace TechMarket.Messaging.Tests;

public sealed class NotificationTests
{
    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Notification_from_another_module_is_listed_counted_and_pushed_live(DatabaseProvider provider)
    {
        using var app = new TechMarketApp(provider);
        await using var member = await Participant.ConnectAsync(app, await app.VerifiedMemberAsync());
        // The member already has the notification of their verification; this test is about the order one.
        var before = (await member.Api.GetFromJsonAsync<JsonElement>("/api/v1/notifications/unread")).GetProperty("notifications").GetInt32();

        await NotifyAsync(app, member.Id, NotificationKinds.Order, NotificationTemplates.OrderCreated, ["TM-20261123-0001", "电池专利许可"], "/orders/1");
        var pushed = await member.NextAsync("notification");
        var list = await member.Api.GetFromJsonAsync<JsonElement>("/api/v1/notifications");
        var item = list.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("link").GetString() == "/orders/1");
        var markRead = await member.Api.PostAsync($"/api/v1/notifications/{item.GetProperty("id").GetInt64()}/read", null);
        var after = await member.Api.GetFromJsonAsync<JsonElement>("/api/v1/notifications/unread");

        Assert.Equal("新订单 TM-20261123-0001", pushed.GetProperty("notification").GetProperty("title").GetString());
        Assert.Equal(before + 1, pushed.GetProperty("unread").GetInt32());
        Assert.Equal(before + 1, list.GetProperty("unread").GetInt32());
        Assert.Equal("订单 TM-20261123-0001 已创建：电池专利许可", item.GetProperty("body").GetString());
        Assert.False(item.GetProperty("read").GetBoolean());
        Assert.Equal(HttpStatusCode.NoContent, markRead.StatusCode);
        Assert.Equal(before, after.GetProperty("notifications").GetInt32());
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task A_batch_stores_pushes_and_queues_mail_for_every_notification_and_skips_unknown_members(DatabaseProvider provider)
    {
        using var app = new TechMarketApp(provider);
        // No SMTP server: the outbox rows stay for the assertions (the sender would fail and retry them).
        app.Settings["Email:SmtpHost"] = "127.0.0.1";
        app.Settings["Email:SmtpPort"] = "9";
        app.Settings["Email:Security"] = "None";
        await using var seller = await Participant.ConnectAsync(app, await app.VerifiedMemberAsync());
        using var other = await app.NewMemberAsync();
        var otherId = (await other.GetFromJsonAsync<JsonElement>("/api/v1/me")).GetProperty("id").GetGuid();
        var before = (await seller.Api.GetFromJsonAsync<JsonElement>("/api/v1/notifications/unread")).GetProperty("notifications").GetInt32();
        long lastMail;
        using (var scope = app.Services.CreateScope())
        {
            lastMail = await scope.ServiceProvider.GetRequiredService<MessagingDbContext>().EmailOutbox.MaxAsync(e => (long?)e.Id) ?? 0;
            await scope.ServiceProvider.GetRequiredService<INotificationSender>().NotifyManyAsync(
            [
                new(seller.Id, NotificationKinds.Order, NotificationTemplates.OrderCreated, ["TM-B-1", "电池专利许可"], "/orders/console"),
                new(Guid.NewGuid(), NotificationKinds.Order, NotificationTemplates.OrderCreated, ["TM-B-X", "无此会员"], "/orders/console"),
                new(seller.Id, NotificationKinds.Payment, NotificationTemplates.PaymentReceived, ["100.00", "TM-B-1"], "/orders/1"),
                new(otherId, NotificationKinds.Order, NotificationTemplates.OrderStatusChanged, ["TM-B-2", "Cancelled", ""], "/orders/2"),
            ]);
        }

        var first = await seller.NextAsync("notification");
        var second = await seller.NextAsync("notification");
        var sellers = await seller.Api.GetFromJsonAsync<JsonElement>("/api/v1/notifications");
        var others = await other.GetFromJsonAsync<JsonElement>("/api/v1/notifications");
        using var check = app.Services.CreateScope();
        var mail = await check.ServiceProvider.GetRequiredService<MessagingDbContext>().EmailOutbox.AsNoTracking()
            .Where(e => e.Id > lastMail)
            .Select(e => new { e.MemberId, e.Subject })
            .ToListAsync();

        Assert.Equal("新订单 TM-B-1", first.GetProperty("notification").GetProperty("title").GetString());
        Assert.Equal("/orders/1", second.GetProperty("notification").GetProperty("link").GetString());
        // Both pushes carry the count after the whole batch: what the bell should show.
        Assert.Equal(before + 2, first.GetProperty("unread").GetInt32());
        Assert.Equal(before + 2, second.GetProperty("unread").GetInt32());
        Assert.Equal(before + 2, sellers.GetProperty("unread").GetInt32());
        Assert.Equal(1, others.GetProperty("unread").GetInt32());
        Assert.Equal(2, mail.Count(m => m.MemberId == seller.Id));
        Assert.Single(mail, m => m.MemberId == otherId);
        Assert.Equal(3, mail.Count);
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Member_cannot_mark_someone_elses_notification(DatabaseProvider provider)
    {
        using var app = new TechMarketApp(provider);
        using var alice = await app.NewMemberAsync();
        using var bob = await app.NewMemberAsync();
        var aliceId = (await alice.GetFromJsonAsync<JsonElement>("/api/v1/me")).GetProperty("id").GetGuid();
        await NotifyAsync(app, aliceId, NotificationKinds.System, "unknown.template", ["平台维护通知"], null);
        var id = (await alice.GetFromJsonAsync<JsonElement>("/api/v1/notifications")).GetProperty("items")[0].GetProperty("id").GetInt64();

        var response = await bob.PostAsync($"/api/v1/notifications/{id}/read", null);
        var bobs = await bob.GetFromJsonAsync<JsonElement>("/api/v1/notifications");
        var alices = await alice.GetFromJsonAsync<JsonElement>("/api/v1/notifications");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(0, bobs.GetProperty("items").GetArrayLength());
        Assert.Equal(1, alices.GetProperty("unread").GetInt32());
        Assert.Equal("平台维护通知", alices.GetProperty("items")[0].GetProperty("title").GetString());
    }

    [Fact]
    public async Task Email_is_received_by_the_real_smtp_server_in_the_members_language_and_respects_preferences()
    {
        var maildir = TestEnvironment.Maildir ?? throw new InvalidOperationException("TECHMARKET_TEST_MAILDIR is not set");
        using var app = new TechMarketApp(DatabaseProvider.Postgres);
        app.Settings["Email:SmtpHost"] = TestEnvironment.SmtpHost;
        app.Settings["Email:SmtpPort"] = TestEnvironment.SmtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        app.Settings["Email:Security"] = "None";
        app.Settings["Messaging:PublicBaseUrl"] = "https://techmarket.test";
        var account = TestIdentities.NewEmail();
        using var member = await app.NewMemberAsync(account);
        var memberId = (await member.GetFromJsonAsync<JsonElement>("/api/v1/me")).GetProperty("id").GetGuid();
        var chinese = $"TM-{Guid.NewGuid():N}"[..20];
        var english = $"TM-{Guid.NewGuid():N}"[..20];
        var switchedOff = $"TM-{Guid.NewGuid():N}"[..20];

        await NotifyAsync(app, memberId, NotificationKinds.Order, NotificationTemplates.OrderCreated, [chinese, "许可合同"], "/orders/9");
        var first = await WaitForMailAsync(maildir, chinese);
        var saved = await member.PutAsJsonAsync("/api/v1/notifications/preferences", new { culture = "en", emailKinds = new[] { "order", "mail" } });
        await NotifyAsync(app, memberId, NotificationKinds.Order, NotificationTemplates.OrderCreated, [english, "licence"], "/orders/10");
        var second = await WaitForMailAsync(maildir, english);
        await NotifyAsync(app, memberId, NotificationKinds.Payment, NotificationTemplates.PaymentReceived, ["¥100.00", switchedOff], null);
        var badPreferences = await member.PutAsJsonAsync("/api/v1/notifications/preferences", new { culture = "fr", emailKinds = new[] { "spam" } });

        Assert.NotNull(first);
        Assert.Contains(account, first, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("https://techmarket.test/orders/9", first, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        Assert.NotNull(second);
        Assert.Contains("New order", second, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, badPreferences.StatusCode);
        using var scope = app.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<MessagingDbContext>();
        Assert.Equal(2, await db.EmailOutbox.CountAsync(e => e.MemberId == memberId && e.SentAt != null));
        Assert.False(await db.EmailOutbox.AnyAsync(e => e.MemberId == memberId && e.Subject.Contains(switchedOff)));
        Assert.Equal(3, await db.Notifications.CountAsync(n => n.MemberId == memberId));
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Email_that_cannot_be_delivered_stays_queued_and_is_retried_with_backoff(DatabaseProvider provider)
    {
        using var app = new TechMarketApp(provider);
        // Nothing listens on port 9 here: every attempt fails.
        app.Settings["Email:SmtpHost"] = "127.0.0.1";
        app.Settings["Email:SmtpPort"] = "9";
        app.Settings["Email:Security"] = "None";
        app.Settings["Messaging:EmailRetryDelay"] = "00:00:00.200";
        app.Settings["Messaging:EmailPollInterval"] = "00:00:00.100";
        using var member = await app.NewMemberAsync();
        var memberId = (await member.GetFromJsonAsync<JsonElement>("/api/v1/me")).GetProperty("id").GetGuid();

        await NotifyAsync(app, memberId, NotificationKinds.Review, NotificationTemplates.ReviewRejected, ["照片不清晰"], "/account/verification");
        var row = await Eventually.Until(
            async () =>
            {
                using var scope = app.Services.CreateScope();
                return await scope.ServiceProvider.GetRequiredService<MessagingDbContext>().EmailOutbox.AsNoTracking().SingleAsync(e => e.MemberId == memberId);
            },
            r => r.Attempts >= 3);

        Assert.Null(row.SentAt);
        Assert.False(row.GaveUp);
        Assert.True(row.Attempts >= 3);
        Assert.NotNull(row.LastError);
        Assert.Equal("实名认证未通过", row.Subject);
        // Backoff: the next try is further away than the first delay.
        Assert.True(row.NextAttemptAt - row.CreatedAt > TimeSpan.FromMilliseconds(600));
    }

    internal static async Task NotifyAsync(TechMarketApp app, Guid memberId, string kind, string template, string[] args, string? link)
    {
        using var scope = app.Services.CreateScope();
        await scope.ServiceProvider.GetRequiredService<INotificationSender>().NotifyAsync(memberId, kind, template, args, link);
    }

    private static async Task<string?> WaitForMailAsync(string maildir, string marker)
    {
        var folder = Path.Combine(maildir, "new");
        return await Eventually.Until(
            async () =>
            {
                if (!Directory.Exists(folder))
                {
                    return null;
                }

                foreach (var file in Directory.GetFiles(folder))
                {
                    var content = await Decoded(file);
                    if (content.Contains(marker, StringComparison.Ordinal))
                    {
                        return content;
                    }
                }

                return null;
            },
            c => c is not null,
            TimeSpan.FromSeconds(20));
    }

    private static async Task<string> Decoded(string file)
    {
        var message = await MimeKit.MimeMessage.LoadAsync(file);
        return $"{message.To}\n{message.Subject}\n{message.TextBody}";
    }
}
