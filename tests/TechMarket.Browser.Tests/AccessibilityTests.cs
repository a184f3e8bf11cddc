using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using TechMarket.Browser.Tests.Infrastructure;

namespace TechMarket.Browser.Tests;

[Collection(BrowserCollection.Name)]
[Trait("Category", "Browser")]
public sealed class AccessibilityTests(BrowserFixture fixture)
{
    public static TheoryData<Viewport, string> Pages()
    {
        var data = new TheoryData<Viewport, string>();
        foreach (var viewport in Enum.GetValues<Viewport>())
        {
            foreach (var path in new[] { "/", "/account/login", "/account/register" })
            {
                data.Add(viewport, path);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public async Task Page_has_no_serious_or_critical_axe_violations(Viewport viewport, string path)
    {
        await using var context = await fixture.NewContextAsync(viewport);
        var page = await context.NewPageAsync();
        await page.GotoAsync(path);
        await Expect(page.Locator("main h1")).ToBeVisibleAsync();

        var results = await page.RunAxe(new AxeRunOptions
        {
            RunOnly = new RunOnlyOptions { Type = "tag", Values = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] },
        });

        var blocking = results.Violations
            .Where(v => v.Impact is "serious" or "critical")
            .SelectMany(v => v.Nodes.Select(n => $"{v.Id} ({v.Impact}) at {n.Target}: {string.Join("; ", n.Any.Concat(n.All).Concat(n.None).Select(c => c.Message))}"))
            .ToList();
        Assert.True(blocking.Count == 0, $"{path}:\n{string.Join('\n', blocking)}");
    }
}
