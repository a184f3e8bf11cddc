using System.Text.RegularExpressions;
using TechMarket.Browser.Tests.Infrastructure;

namespace TechMarket.Browser.Tests;

[Collection(BrowserCollection.Name)]
[Trait("Category", "Browser")]
public sealed partial class LanguageTests(BrowserFixture fixture)
{
    [Theory]
    [InlineData(Viewport.Desktop)]
    [InlineData(Viewport.Phone)]
    public async Task Site_is_Chinese_by_default_and_English_after_choosing_it_on_every_page_that_follows(Viewport viewport)
    {
        await using var context = await fixture.NewContextAsync(viewport);
        var page = await context.NewPageAsync();
        var html = page.Locator("html");
        var title = page.Locator("main h1");

        await page.GotoAsync("/");
        await Expect(html).ToHaveAttributeAsync("lang", "zh-CN");
        await Expect(title).ToHaveTextAsync("让技术成果找到需要它的企业");
        if (viewport == Viewport.Desktop)
        {
            await Screenshots.SaveAsync(page, "home-zh-desktop");
        }

        await Site.OpenMenuAsync(page);
        await page.Locator(".lang-switch").GetByRole(AriaRole.Link, new() { Name = "English" }).ClickAsync();
        await Expect(html).ToHaveAttributeAsync("lang", "en");
        await Expect(title).ToHaveTextAsync("Connect technologies with the companies that need them");
        await Expect(page).ToHaveURLAsync(HomeUrl());
        if (viewport == Viewport.Phone)
        {
            await Screenshots.SaveAsync(page, "home-en-phone");
        }

        // The choice sticks: a link followed in the page, then a fresh load of another address.
        await page.Locator("main").GetByRole(AriaRole.Link, new() { Name = "Log in" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(LoginUrl());
        await Expect(html).ToHaveAttributeAsync("lang", "en");
        await Expect(title).ToHaveTextAsync("Log in");

        await page.GotoAsync("/account/register");
        await Expect(html).ToHaveAttributeAsync("lang", "en");
        await Expect(page.Locator(".lang-switch [aria-current=true]")).ToHaveTextAsync("English");
    }

    [GeneratedRegex(@"^https?://[^/]+/$")]
    private static partial Regex HomeUrl();

    [GeneratedRegex(@"/account/login$")]
    private static partial Regex LoginUrl();
}
