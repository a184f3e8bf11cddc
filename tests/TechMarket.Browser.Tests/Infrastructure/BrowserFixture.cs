using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using TechMarket.Kernel.Persistence;
using TechMarket.Testing;

namespace TechMarket.Browser.Tests.Infrastructure;

/// <summary>
/// The real Program on Kestrel (loopback, free port, SQLite) and one headless Debian Chromium, shared by every
/// test in the collection. Each test gets its own browser context: no cookies, storage or service workers
/// leak between tests, and Playwright gives the browser a fresh temporary profile on every launch.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    private static readonly string[] ChromiumArgs =
    [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ];

    private BrowserApp? app;
    private IPlaywright? playwright;
    private IBrowser? browser;

    public Uri BaseAddress { get; private set; } = null!;

    public IServiceProvider Services => App.Services;

    private BrowserApp App => app ?? throw new InvalidOperationException("The fixture is not initialized.");

    public async Task InitializeAsync()
    {
        // The driver ships in the NuGet package; the browser is Debian's. Never fetch one from the internet.
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");

        app = new BrowserApp();
        app.UseKestrel(0);
        app.StartServer();
        BaseAddress = ServerAddress(app.Services);

        // Upper bound for auto-waiting assertions on a busy two-core machine; passing tests never wait for it.
        SetDefaultExpectTimeout(15_000);

        playwright = await Playwright.CreateAsync();
        browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = TestEnvironment.Chromium,
            Headless = true,
            Args = ChromiumArgs,
        });
    }

    public async Task DisposeAsync()
    {
        if (browser is not null)
        {
            await browser.CloseAsync();
        }

        playwright?.Dispose();
        if (app is not null)
        {
            await app.DisposeAsync();
        }
    }

    /// <summary>A fresh, isolated browser context with the screen of <paramref name="viewport"/> and a Chinese browser.</summary>
    public Task<IBrowserContext> NewContextAsync(Viewport viewport, string locale = "zh-CN")
    {
        var options = new BrowserNewContextOptions
        {
            BaseURL = BaseAddress.ToString(),
            Locale = locale,
        };
        if (viewport == Viewport.Phone)
        {
            options.ViewportSize = new() { Width = 360, Height = 800 };
            options.IsMobile = true;
            options.HasTouch = true;
            options.DeviceScaleFactor = 2;
        }
        else
        {
            options.ViewportSize = new() { Width = 1280, Height = 800 };
        }

        return (browser ?? throw new InvalidOperationException("The fixture is not initialized.")).NewContextAsync(options);
    }

    private static Uri ServerAddress(IServiceProvider services)
    {
        var addresses = services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses;
        // Service workers need a secure context: http://127.0.0.1 and http://localhost count as one.
        var address = addresses.FirstOrDefault(a => a.StartsWith("http://127.0.0.1:", StringComparison.Ordinal))
            ?? addresses.FirstOrDefault(a => a.StartsWith("http://localhost:", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"Kestrel is not listening on loopback over HTTP: {string.Join(", ", addresses)}");
        return new Uri(address);
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "Browser";
}
