using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TechMarket.Browser.Tests.Infrastructure;
using TechMarket.Identity.Domain;
using TechMarket.Listings.Persistence;

namespace TechMarket.Browser.Tests;

/// <summary>Two people in two browsers: a buyer at a desktop contacts a seller who answers from a phone (I1).</summary>
[Collection(BrowserCollection.Name)]
[Trait("Category", "Browser")]
public sealed partial class ChatJourneyTests(BrowserFixture fixture)
{
    private const string SellerAccount = "enterprise@techmarket.demo";

    [Fact]
    public async Task Buyer_on_a_desktop_and_seller_on_a_phone_chat_live_about_a_listing()
    {
        var (buyerAccount, buyerName) = await NewVerifiedMemberAsync();
        var listingId = await PublishedListingOfAsync(SellerAccount);
        await using var desktop = await fixture.NewContextAsync(Viewport.Desktop);
        await using var phone = await fixture.NewContextAsync(Viewport.Phone);
        var buyer = await desktop.NewPageAsync();
        var seller = await phone.NewPageAsync();

        // Seller: signed in on the phone, looking at the chat list, connected to the hub.
        await Site.LogInAsync(seller, SellerAccount, Site.DemoPassword);
        await OpenConnectedAsync(seller, "/chat");
        var bell = seller.Locator("[data-notification-count]");
        var unreadBefore = int.Parse(await bell.TextContentAsync() ?? "0", System.Globalization.CultureInfo.InvariantCulture);

        // Buyer: listing detail → "contact" (POST /chat/start) → the chat about that listing.
        await Site.LogInAsync(buyer, buyerAccount, Site.MemberPassword);
        await buyer.GotoAsync($"/listings/{listingId}");
        var title = (await buyer.Locator("main h1").First.TextContentAsync())!.Trim();
        await OpenConnectedAsync(buyer, () => buyer.GetByRole(AriaRole.Button, new() { Name = "联系发布者" }).ClickAsync());
        await Expect(buyer).ToHaveURLAsync(ChatUrl());
        await Expect(buyer.Locator("[data-testid=chat-context]")).ToContainTextAsync(title);
        const string markup = "<b>加粗</b><script>window.chatInjected = 1</script>您好，这项成果还能许可吗？";
        await buyer.Locator("#chat-body").FillAsync(markup);
        await buyer.Locator("[data-chat-form] button[type=submit]").ClickAsync();
        await Expect(buyer.Locator(".chat-message.mine .chat-body")).ToHaveTextAsync(markup);

        // Seller: the bell counts up live; the list shows the conversation with one unread message.
        await Expect(bell).ToHaveTextAsync((unreadBefore + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
        await seller.ReloadAsync();
        var conversation = seller.Locator("a[data-conversation-link]").Filter(new() { HasText = buyerName });
        await Expect(conversation.Locator("[data-unread]")).ToHaveTextAsync("1 条未读");
        await Screenshots.SaveAsync(seller, "chat-list-phone");

        // Seller opens it (which reads it): the markup is shown as text, nothing of it runs or renders.
        await OpenConnectedAsync(seller, () => conversation.ClickAsync());
        var received = seller.Locator(".chat-message.theirs .chat-body");
        await Expect(received).ToHaveTextAsync(markup);
        await Expect(received.Locator("b, script")).ToHaveCountAsync(0);
        Assert.Null(await seller.EvaluateAsync<int?>("() => window.chatInjected ?? null"));
        await Expect(buyer.Locator(".chat-message.mine .chat-read")).ToHaveTextAsync(new Regex("已读"));

        // Seller types (the buyer sees it) and answers (the buyer sees it live and reads it).
        await seller.Locator("#chat-body").PressSequentiallyAsync("可以");
        await Expect(buyer.Locator("[data-chat-typing]")).ToHaveTextAsync("对方正在输入…");
        await seller.Locator("#chat-body").FillAsync("可以，欢迎洽谈许可方式。");
        await seller.Locator("[data-chat-form] button[type=submit]").ClickAsync();
        await Expect(buyer.Locator(".chat-message.theirs .chat-body")).ToHaveTextAsync("可以，欢迎洽谈许可方式。");
        await Expect(buyer.Locator("[data-chat-typing]")).ToBeHiddenAsync();
        await Expect(seller.Locator(".chat-message.mine .chat-read")).ToHaveTextAsync(new Regex("已读"));
        await Screenshots.SaveAsync(buyer, "chat-desktop");
        await Screenshots.SaveAsync(seller, "chat-phone");
    }

    /// <summary>Loads a page and waits until its hub connection is up, so nothing pushed afterwards is missed.</summary>
    private static Task OpenConnectedAsync(IPage page, string path) => OpenConnectedAsync(page, () => page.GotoAsync(path));

    private static async Task OpenConnectedAsync(IPage page, Func<Task> navigate)
    {
        // The first frame from the server is the handshake answer; the member's group is joined right after it.
        var handshake = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void Watch(object? sender, IWebSocket socket)
        {
            if (socket.Url.Contains("/hubs/messaging", StringComparison.Ordinal))
            {
                socket.FrameReceived += (_, _) => handshake.TrySetResult();
            }
        }

        page.WebSocket += Watch;
        try
        {
            await navigate();
            await handshake.Task.WaitAsync(TimeSpan.FromSeconds(15));
            await page.WaitForTimeoutAsync(300);
        }
        finally
        {
            page.WebSocket -= Watch;
        }
    }

    private async Task<(string Account, string Name)> NewVerifiedMemberAsync()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var account = $"buyer-{suffix}@example.com";
        var name = $"买家{suffix}";
        using var scope = fixture.Services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<Member>>();
        var member = new Member { UserName = account, Email = account, DisplayName = name, VerificationLevel = VerificationLevel.Individual, VerifiedName = "王五" };
        var created = await users.CreateAsync(member, Site.MemberPassword);
        Assert.True(created.Succeeded, string.Join(", ", created.Errors.Select(e => e.Description)));
        return (account, name);
    }

    private async Task<Guid> PublishedListingOfAsync(string ownerAccount)
    {
        using var scope = fixture.Services.CreateScope();
        var owner = await scope.ServiceProvider.GetRequiredService<UserManager<Member>>().FindByNameAsync(ownerAccount);
        var listings = scope.ServiceProvider.GetRequiredService<ListingsDbContext>();
        var published = await listings.Listings.AsNoTracking().Where(l => l.OwnerId == owner!.Id).ToListAsync();
        return published.First(l => l.IsVisible).Id;
    }

    [GeneratedRegex(@"/chat/[0-9a-f-]{36}$")]
    private static partial Regex ChatUrl();
}
