using System.Text.RegularExpressions;

namespace TechMarket.Browser.Tests.Infrastructure;

/// <summary>What a person does on the site, spelled with the selectors the pages promise to keep.</summary>
internal static partial class Site
{
    public const string OperatorAccount = "operator@techmarket.demo";
    public const string DemoPassword = "Demo-Pass-2026";
    public const string MemberPassword = "Browser-Test-2026!";

    public static ILocator LogoutForm(IPage page) => page.Locator("header form[action='/account/logout']");

    /// <summary>Opens the phone menu (the header actions live in it); does nothing when the nav is inline.</summary>
    public static async Task OpenMenuAsync(IPage page)
    {
        var toggle = page.Locator("label.nav-toggle");
        if (await toggle.IsVisibleAsync() && !await page.Locator(".site-nav").IsVisibleAsync())
        {
            await toggle.ClickAsync();
            await Expect(page.Locator(".site-nav")).ToBeVisibleAsync();
        }
    }

    /// <summary>Registers a fresh member and returns the account; the site signs them in and asks for verification.</summary>
    public static async Task<string> RegisterAsync(IPage page, string displayName)
    {
        var account = $"member-{Guid.NewGuid().ToString("N")[..12]}@example.com";
        await page.GotoAsync("/account/register");
        await page.Locator("#account").FillAsync(account);
        await page.Locator("#displayName").FillAsync(displayName);
        await page.Locator("#password").FillAsync(MemberPassword);
        await page.Locator("main button[type=submit]").ClickAsync();
        await Expect(page).ToHaveURLAsync(VerificationUrl());
        await Expect(LogoutForm(page)).ToHaveCountAsync(1);
        return account;
    }

    public static async Task LogInAsync(IPage page, string account, string password)
    {
        await page.GotoAsync("/account/login");
        await page.Locator("#account").FillAsync(account);
        await page.Locator("#password").FillAsync(password);
        await page.Locator("main button[type=submit]").ClickAsync();
        await Expect(LogoutForm(page)).ToHaveCountAsync(1);
    }

    public static async Task LogOutAsync(IPage page)
    {
        // An enhanced navigation that lands after the phone menu was opened (the page still settling after a form
        // post) renders the menu closed again; a person opens it again, and so does this.
        var button = LogoutForm(page).Locator("button[type=submit]");
        for (var attempt = 1; ; attempt++)
        {
            await OpenMenuAsync(page);
            try
            {
                await button.ClickAsync(new() { Timeout = 5_000 });
                break;
            }
            catch (TimeoutException) when (attempt < 4)
            {
            }
        }

        await Expect(LogoutForm(page)).ToHaveCountAsync(0);
    }

    /// <summary>Fills and submits the personal (实名) verification form on /account/verification.</summary>
    public static async Task SubmitPersonalVerificationAsync(IPage page, string realName, string idNumber)
    {
        await page.Locator("#realName").FillAsync(realName);
        await page.Locator("#idNumber").FillAsync(idNumber);
        await page.Locator("#personalDocument").SetInputFilesAsync(new FilePayload
        {
            Name = "id-card.png",
            MimeType = "image/png",
            Buffer = TestImages.OnePixelPng(),
        });
        await page.Locator("form:has(#realName) button[type=submit]").ClickAsync();
    }

    [GeneratedRegex(@"/account/verification(\?.*)?$")]
    public static partial Regex VerificationUrl();
}
