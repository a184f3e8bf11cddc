using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TechMarket.Browser.Tests.Infrastructure;
using TechMarket.Identity.Persistence;

namespace TechMarket.Browser.Tests;

[Collection(BrowserCollection.Name)]
[Trait("Category", "Browser")]
public sealed partial class VerificationJourneyTests(BrowserFixture fixture)
{
    [Theory]
    [InlineData(Viewport.Desktop)]
    [InlineData(Viewport.Phone)]
    public async Task Member_who_submits_a_valid_ID_shows_the_verified_badge_once_an_operator_approves(Viewport viewport)
    {
        await using var context = await fixture.NewContextAsync(viewport);
        var page = await context.NewPageAsync();
        var suffix = Guid.NewGuid().ToString("N")[..6];
        var realName = $"实名测试{suffix}";

        // Member: register, land on the verification page, submit the personal form.
        var account = await Site.RegisterAsync(page, $"买家{suffix}");
        await Site.SubmitPersonalVerificationAsync(page, realName, ResidentIds.NewValid());
        var personal = PersonalCard(page);
        await Expect(personal.Locator(".badge-pending")).ToBeVisibleAsync();
        await Expect(page.Locator("#realName")).ToHaveCountAsync(0);
        await Site.LogOutAsync(page);

        // Operator: find the request in the queue and approve it.
        await Site.LogInAsync(page, Site.OperatorAccount, Site.DemoPassword);
        await page.GotoAsync("/operator/verifications");
        var row = page.Locator("tbody tr").Filter(new() { HasText = realName });
        await Expect(row).ToHaveCountAsync(1);
        await Expect(page.Locator("#status")).ToHaveValueAsync("Pending");
        if (viewport == Viewport.Desktop)
        {
            await Screenshots.SaveAsync(page, "operator-review-queue-desktop");
        }

        await row.GetByRole(AriaRole.Link, new() { Name = "审核" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(ReviewDetailUrl());
        await page.GetByRole(AriaRole.Button, new() { Name = "通过" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(ReviewQueueUrl());
        await Expect(page.Locator("tbody tr").Filter(new() { HasText = realName })).ToHaveCountAsync(0);
        await Site.LogOutAsync(page);

        // Member again: verified on the page and badged in the header.
        await Site.LogInAsync(page, account, Site.MemberPassword);
        await page.GotoAsync("/account/verification");
        await Expect(page.Locator("[data-testid=verified-state]")).ToBeVisibleAsync();
        await Expect(page.Locator("[data-testid=verified-state]")).ToContainTextAsync(realName);
        await Screenshots.SaveAsync(page, $"verification-verified-{Name(viewport)}");
        await Site.OpenMenuAsync(page);
        await Expect(page.Locator("header .badge-verified")).ToBeVisibleAsync();
    }

    [Theory]
    [InlineData(Viewport.Desktop)]
    [InlineData(Viewport.Phone)]
    public async Task ID_number_with_a_wrong_check_character_gets_a_field_error_and_nothing_is_stored(Viewport viewport)
    {
        await using var context = await fixture.NewContextAsync(viewport);
        var page = await context.NewPageAsync();
        var account = await Site.RegisterAsync(page, "校验测试");
        var welcome = page.Locator("main .alert-success[role=status]");
        await Expect(welcome).ToBeVisibleAsync();

        await Site.SubmitPersonalVerificationAsync(page, "校验测试", ResidentIds.WithWrongCheckCharacter());

        var idField = page.Locator(".form-field:has(#idNumber)");
        await Expect(idField.Locator(".field-error")).ToBeVisibleAsync();
        await Expect(page.Locator("#idNumber")).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(page.Locator("#realName")).Not.ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(PersonalCard(page).Locator(".badge-pending")).ToHaveCountAsync(0);
        await Expect(welcome).ToHaveCountAsync(0);

        await page.GotoAsync("/account/verification");
        await Expect(page.Locator("#realName")).ToBeVisibleAsync();
        await Expect(PersonalCard(page).Locator(".badge")).ToHaveCountAsync(0);

        using var scope = fixture.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<AccountsDbContext>();
        var memberId = await db.Users.Where(u => u.UserName == account).Select(u => u.Id).SingleAsync();
        Assert.False(await db.VerificationRequests.AnyAsync(v => v.MemberId == memberId));
        Assert.False(await db.VerificationDocuments.AnyAsync(d => d.OwnerId == memberId));
    }

    private static ILocator PersonalCard(IPage page) => page.Locator("section[aria-labelledby=personal-title]");

    private static string Name(Viewport viewport) => viewport.ToString().ToLowerInvariant();

    [GeneratedRegex(@"/operator/verifications/[0-9a-f-]{36}$")]
    private static partial Regex ReviewDetailUrl();

    [GeneratedRegex(@"/operator/verifications$")]
    private static partial Regex ReviewQueueUrl();
}
