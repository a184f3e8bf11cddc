using System.Text.RegularExpressions;
using TechMarket.Browser.Tests.Infrastructure;

namespace TechMarket.Browser.Tests;

/// <summary>A verified member keeps an expert profile; a visitor consults a demo expert, who has a real account.</summary>
[Collection(BrowserCollection.Name)]
[Trait("Category", "Browser")]
public sealed partial class ExpertProfileJourneyTests(BrowserFixture fixture)
{
    [Theory]
    [InlineData(Viewport.Desktop)]
    [InlineData(Viewport.Phone)]
    public async Task A_verified_member_edits_their_expert_profile_and_bad_input_gets_field_errors(Viewport viewport)
    {
        await using var context = await fixture.NewContextAsync(viewport);
        var page = await context.NewPageAsync();
        var introduction = $"从事锂电池隔膜研究{Guid.NewGuid().ToString("N")[..6]}";

        // The demo individual (张三) already has an expert profile: the form comes filled in.
        await Site.LogInAsync(page, "13800000001", Site.DemoPassword);
        await page.GotoAsync("/my/profile");
        await Expect(page.Locator("#name")).ToHaveValueAsync("张三");

        // No field chosen and no name: field errors, nothing saved.
        await page.Locator("#name").FillAsync("");
        foreach (var box in await page.Locator("input[name=fields]:checked").AllAsync())
        {
            await box.UncheckAsync();
        }

        await page.Locator("main button[type=submit]").ClickAsync();
        await Expect(page.Locator("#name")).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(page.Locator("fieldset.form-field .field-error")).ToBeVisibleAsync();

        await page.Locator("#name").FillAsync("张三");
        await page.Locator("input[name=fields][value=NewMaterials]").CheckAsync();
        await page.Locator("#introduction").FillAsync(introduction);
        await page.Locator("main button[type=submit]").ClickAsync();
        await Expect(page.Locator("[data-testid=profile-saved]")).ToBeVisibleAsync();
        await page.Locator("[data-testid=profile-saved] a").ClickAsync();
        await Expect(page).ToHaveURLAsync(ExpertUrl());
        await Expect(page.Locator("main")).ToContainTextAsync(introduction);
    }

    [Theory]
    [InlineData(Viewport.Desktop)]
    [InlineData(Viewport.Phone)]
    public async Task A_member_consults_a_demo_expert_and_gets_a_conversation(Viewport viewport)
    {
        await using var context = await fixture.NewContextAsync(viewport);
        var page = await context.NewPageAsync();
        await Site.LogInAsync(page, "enterprise@techmarket.demo", Site.DemoPassword);

        await page.GotoAsync("/search?tab=experts&q=教授");
        var expert = page.Locator("article.card a").First;
        await expert.ClickAsync();
        await Expect(page).ToHaveURLAsync(ExpertUrl());
        await page.Locator("[data-testid=consult]").ClickAsync();

        await Expect(page).ToHaveURLAsync(ConversationUrl());
    }

    [GeneratedRegex(@"/experts/[0-9a-f-]{36}$")]
    private static partial Regex ExpertUrl();

    [GeneratedRegex(@"/chat/[0-9a-f-]{36}$")]
    private static partial Regex ConversationUrl();
}
