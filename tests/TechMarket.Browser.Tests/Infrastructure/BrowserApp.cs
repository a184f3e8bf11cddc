using Microsoft.AspNetCore.Hosting;
using TechMarket.Kernel.Persistence;
using TechMarket.Testing;

namespace TechMarket.Browser.Tests.Infrastructure;

/// <summary>
/// The shared test host plus what a real browser needs beyond HTTP tests: the framework's static web assets
/// (_framework/blazor.web.js), which ASP.NET Core only maps by itself in Development or from published output.
/// </summary>
internal sealed class BrowserApp() : TechMarketApp(DatabaseProvider.Sqlite)
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseStaticWebAssets();
    }
}
