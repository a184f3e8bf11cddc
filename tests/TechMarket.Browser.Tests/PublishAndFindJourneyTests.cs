using System.Text.RegularExpressions;
using TechMarket.Browser.Tests.Infrastructure;

namespace TechMarket.Browser.Tests;

/// <summary>
/// Supply and demand from the publisher's form to a search hit: a verified member publishes, an operator approves in
/// the review queue, the item is found by search and its detail page shows it — and markup in a description is
/// neutralised on the way.
/// </summary>
[Collection(BrowserCollection.Name)]
[Trait("Category", "Browser")]
public sealed partial class PublishAndFindJourneyTests(BrowserFixture fixture)
{
    private const string VerifiedMember = "enterprise@techmarket.demo";

    [Theory]
    [InlineData(Viewport.Desktop)]
    [InlineData(Viewport.Phone)]
    public async Task A_listing_published_by_a_verified_member_is_found_after_approval_and_its_script_is_neutralised(Viewport viewport)
    {
        await using var context = await fixture.NewContextAsync(viewport);
        var page = await context.NewPageAsync();
        var dialogs = 0;
        page.Dialog += (_, dialog) =>
        {
            dialogs++;
            _ = dialog.DismissAsync();
        };
        var word = Word();
        var title = $"石墨烯散热膜{word}";

        // Member: the publish form, with a script and an event handler hidden in the description.
        await Site.LogInAsync(page, VerifiedMember, Site.DemoPassword);
        await page.GotoAsync("/listings/new");
        await page.Locator("#title").FillAsync(title);
        await page.Locator("#type").SelectOptionAsync("TechnicalService");
        await page.Locator("input[name=modes][value=Transfer]").CheckAsync();
        await page.Locator("#pricing").SelectOptionAsync("Negotiable");
        await page.Locator("#maturity").SelectOptionAsync("Pilot");
        await page.Locator("#field").SelectOptionAsync("NewMaterials");
        await page.Locator("#province").SelectOptionAsync("35");
        await page.Locator("#abstract").FillAsync("石墨烯导热膜用于手机散热，导热系数高于一千五百。");
        await page.Locator("#description").FillAsync("<p>导热性能优异</p><script>alert('xss')</script><img src=\"x\" onerror=\"alert('xss')\">");
        await page.Locator("button[value=submit]").ClickAsync();
        await Expect(page).ToHaveURLAsync(SavedUrl());
        await Expect(page.Locator("table").First.Locator("tr").Filter(new() { HasText = title }).Locator(".badge-pending")).ToBeVisibleAsync();
        await Site.LogOutAsync(page);

        // Operator: approve it in the review queue.
        await ApproveAsync(page, title);

        // Anyone: search finds it (the index catches up within a second or two), the detail page shows it.
        var hit = await FindAsync(page, $"/search?q={word}", title);
        await hit.ClickAsync();
        await Expect(page).ToHaveURLAsync(ListingUrl());
        await Expect(page.Locator("h1")).ToHaveTextAsync(title);
        await Expect(page.Locator(".description")).ToContainTextAsync("导热性能优异");
        await Expect(page.Locator(".description script")).ToHaveCountAsync(0);
        await Expect(page.Locator(".description [onerror]")).ToHaveCountAsync(0);
        Assert.DoesNotContain("alert('xss')", await page.Locator(".description").InnerHTMLAsync(), StringComparison.Ordinal);
        Assert.Equal(0, dialogs);
        Assert.False(await HasHorizontalScrollAsync(page));
    }

    [Theory]
    [InlineData(Viewport.Desktop)]
    [InlineData(Viewport.Phone)]
    public async Task A_demand_published_by_a_verified_member_is_found_under_demands_after_approval(Viewport viewport)
    {
        await using var context = await fixture.NewContextAsync(viewport);
        var page = await context.NewPageAsync();
        var word = Word();
        var title = $"寻求污泥干化技术{word}";

        await Site.LogInAsync(page, VerifiedMember, Site.DemoPassword);
        await page.GotoAsync("/demands/new");

        // Nothing filled in: field errors, nothing stored.
        await page.Locator("button[value=submit]").ClickAsync();
        await Expect(page.Locator(".form-field:has(#title) .field-error")).ToBeVisibleAsync();
        await Expect(page.Locator("#summary")).ToHaveAttributeAsync("aria-invalid", "true");

        await page.Locator("#title").FillAsync(title);
        await page.Locator("#summary").FillAsync("我厂每天产生含水率百分之八十的污泥，寻求低能耗干化技术与设备。");
        await page.Locator("#province").SelectOptionAsync("32");
        await page.Locator("#budgetMax").FillAsync("500000");

        // The classifier suggests a field for an empty one; the publisher can still change it.
        await page.Locator("button[value=suggest]").ClickAsync();
        await Expect(page.Locator("[data-testid=suggestion]")).ToBeVisibleAsync();
        await Expect(page.Locator("#field")).Not.ToHaveValueAsync("");
        await page.Locator("#field").SelectOptionAsync("ResourcesEnvironment");
        await page.Locator("button[value=submit]").ClickAsync();
        await Expect(page).ToHaveURLAsync(SavedUrl());
        await Expect(page.Locator("[data-testid=my-demands] tr").Filter(new() { HasText = title }).Locator(".badge-pending")).ToBeVisibleAsync();
        await Site.LogOutAsync(page);

        await ApproveAsync(page, title);

        var hit = await FindAsync(page, $"/search?tab=demands&q={word}", title);
        await hit.ClickAsync();
        await Expect(page).ToHaveURLAsync(DemandUrl());
        await Expect(page.Locator("h1")).ToHaveTextAsync(title);
        Assert.False(await HasHorizontalScrollAsync(page));
    }

    /// <summary>A Latin word that occurs nowhere else, so the search finds exactly this test's item.</summary>
    private static string Word() => "zq" + Guid.NewGuid().ToString("N")[..8];

    private static async Task ApproveAsync(IPage page, string title)
    {
        await Site.LogInAsync(page, Site.OperatorAccount, Site.DemoPassword);
        await page.GotoAsync("/operator/listings");
        var item = page.Locator("section.card").Filter(new() { HasText = title });
        await Expect(item).ToHaveCountAsync(1);
        await item.GetByRole(AriaRole.Button, new() { Name = "通过" }).ClickAsync();
        await Expect(page.Locator("section.card").Filter(new() { HasText = title })).ToHaveCountAsync(0);
        await Site.LogOutAsync(page);
    }

    private static async Task<ILocator> FindAsync(IPage page, string url, string title)
    {
        var hit = page.Locator("article.card a").Filter(new() { HasText = title });
        for (var attempt = 0; attempt < 40; attempt++)
        {
            await page.GotoAsync(url);
            if (await hit.CountAsync() > 0)
            {
                break;
            }

            await Task.Delay(250);
        }

        await Expect(hit).ToHaveCountAsync(1);
        return hit;
    }

    private static Task<bool> HasHorizontalScrollAsync(IPage page) =>
        page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth > document.documentElement.clientWidth + 1");

    [GeneratedRegex(@"/my/listings\?saved=[0-9a-f-]{36}")]
    private static partial Regex SavedUrl();

    [GeneratedRegex(@"/listings/[0-9a-f-]{36}$")]
    private static partial Regex ListingUrl();

    [GeneratedRegex(@"/demands/[0-9a-f-]{36}$")]
    private static partial Regex DemandUrl();
}
