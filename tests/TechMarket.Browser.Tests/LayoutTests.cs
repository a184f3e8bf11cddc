using TechMarket.Browser.Tests.Infrastructure;

namespace TechMarket.Browser.Tests;

[Collection(BrowserCollection.Name)]
[Trait("Category", "Browser")]
public sealed class LayoutTests(BrowserFixture fixture)
{
    public static TheoryData<Viewport, string> PagesAtEveryViewport()
    {
        var data = new TheoryData<Viewport, string>();
        foreach (var viewport in Enum.GetValues<Viewport>())
        {
            foreach (var path in new[] { "/", "/account/login", "/account/register", "/account/forgot-password" })
            {
                data.Add(viewport, path);
            }
        }

        return data;
    }

    [Fact]
    public async Task Phone_nav_is_collapsed_behind_the_menu_toggle_until_opened()
    {
        await using var context = await fixture.NewContextAsync(Viewport.Phone);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/");

        var toggle = page.Locator("label.nav-toggle");
        var nav = page.Locator(".site-nav");
        await Expect(toggle).ToBeVisibleAsync();
        await Expect(nav).ToBeHiddenAsync();
        await Expect(page.Locator(".header-actions")).ToBeHiddenAsync();

        await toggle.TapAsync();
        await Expect(nav).ToBeVisibleAsync();
        await Expect(nav.GetByRole(AriaRole.Link, new() { Name = "首页" })).ToBeVisibleAsync();
        await Expect(nav.GetByRole(AriaRole.Link, new() { Name = "开放接口" })).ToBeVisibleAsync();
        await Expect(page.Locator(".header-actions").GetByRole(AriaRole.Link, new() { Name = "登录" })).ToBeVisibleAsync();

        await toggle.TapAsync();
        await Expect(nav).ToBeHiddenAsync();
    }

    [Fact]
    public async Task Desktop_nav_is_shown_inline_without_a_menu_toggle()
    {
        await using var context = await fixture.NewContextAsync(Viewport.Desktop);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/");

        await Expect(page.Locator("label.nav-toggle")).ToBeHiddenAsync();
        await Expect(page.Locator(".site-nav").GetByRole(AriaRole.Link, new() { Name = "首页" })).ToBeVisibleAsync();
        await Expect(page.Locator(".header-actions").GetByRole(AriaRole.Link, new() { Name = "登录" })).ToBeVisibleAsync();
    }

    [Theory]
    [MemberData(nameof(PagesAtEveryViewport))]
    public async Task Page_never_scrolls_sideways_and_its_form_buttons_are_44px_touch_targets(Viewport viewport, string path)
    {
        await using var context = await fixture.NewContextAsync(viewport);
        var page = await context.NewPageAsync();
        await page.GotoAsync(path);
        await Expect(page.Locator("main h1")).ToBeVisibleAsync();

        var widths = await page.EvaluateAsync<int[]>("() => [document.documentElement.scrollWidth, window.innerWidth]");
        var (scrollWidth, innerWidth) = (widths[0], widths[1]);
        Assert.True(scrollWidth <= innerWidth, $"{path}: the page is {scrollWidth}px wide in a {innerWidth}px window.");

        var buttons = page.Locator("main form button:visible, main form input[type=submit]:visible");
        var count = await buttons.CountAsync();
        for (var i = 0; i < count; i++)
        {
            var box = await buttons.Nth(i).BoundingBoxAsync();
            Assert.NotNull(box);
            Assert.True(box.Height >= 44, $"{path}: button \"{await buttons.Nth(i).InnerTextAsync()}\" is {box.Height}px tall.");
        }
    }
}
