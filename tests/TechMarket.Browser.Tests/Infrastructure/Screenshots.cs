namespace TechMarket.Browser.Tests.Infrastructure;

/// <summary>
/// Screenshots for docs/screenshots in the repository (found by walking up to TechMarket.slnx). Written only when
/// TECHMARKET_UPDATE_SCREENSHOTS=1, so an ordinary test run leaves the working tree clean; otherwise they go to a temp folder.
/// </summary>
internal static class Screenshots
{
    private static readonly Lazy<string?> Folder = new(() =>
    {
        if (Environment.GetEnvironmentVariable("TECHMARKET_UPDATE_SCREENSHOTS") != "1")
        {
            return Directory.CreateTempSubdirectory("techmarket-screenshots-").FullName;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "TechMarket.slnx")))
            {
                return Directory.CreateDirectory(Path.Combine(dir.FullName, "docs", "screenshots")).FullName;
            }
        }

        return null;
    });

    /// <summary>Saves the visible viewport as docs/screenshots/<paramref name="name"/>.png; a no-op outside a checkout.</summary>
    public static async Task SaveAsync(IPage page, string name)
    {
        if (Folder.Value is not { } folder)
        {
            return;
        }

        await page.ScreenshotAsync(new()
        {
            Path = Path.Combine(folder, name + ".png"),
            Animations = ScreenshotAnimations.Disabled,
            // CSS pixels: a phone shot at device pixel ratio 2 is four times the bytes for the docs.
            Scale = ScreenshotScale.Css,
        });
    }
}
