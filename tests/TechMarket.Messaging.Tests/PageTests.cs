using System.Net;
using TechMarket.Kernel.Notifications;
using TechMarket.Kernel.Persistence;
using TechMarket.Testing;

namespace TechMarket.Messaging.Tests;

public sealed class PageTests
{
    [Fact]
    public async Task Messaging_pages_render_for_a_signed_in_member_and_the_console_only_for_operators()
    {
        using var app = new TechMarketApp(DatabaseProvider.Sqlite);
        var account = TestIdentities.NewEmail();
        await using var member = await Participant.ConnectAsync(app, await app.VerifiedMemberAsync(account), start: false);
        await NotificationTests.NotifyAsync(app, member.Id, NotificationKinds.Price, NotificationTemplates.PriceChanged, ["储能专利", "¥10,000", "¥8,000"], "/listings/1");
        using var browser = await PageSession.SignInAsync(app, account);
        using var operatorBrowser = await PageSession.SignInAsync(app, ApiFlows.Operator, ApiFlows.DemoPassword);

        var notifications = await browser.GetStringAsync("/notifications");
        var pages = new Dictionary<string, HttpStatusCode>();
        foreach (var path in new[] { "/chat", "/mail", "/mail?box=sent", "/mail/compose", "/support" })
        {
            pages[path] = (await browser.GetAsync(path)).StatusCode;
        }

        var console = await browser.GetAsync("/operator/support");
        var operatorConsole = await operatorBrowser.GetAsync("/operator/support");

        Assert.Contains("价格变动：储能专利", notifications, StringComparison.Ordinal);
        Assert.Contains("data-notification-count", notifications, StringComparison.Ordinal);
        Assert.All(pages, p => Assert.Equal(HttpStatusCode.OK, p.Value));
        Assert.DoesNotContain("data-support-console", await console.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("data-support-console", await operatorConsole.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, operatorConsole.StatusCode);
        Assert.Contains("客服工作台", await operatorConsole.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
