using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace TechMarket.Testing;

/// <summary>
/// A second app node on the same database, file storage and data protection keys as <paramref name="primary"/>,
/// as in a two-node deployment: a token issued by one node is accepted by the other. Disposing it leaves the
/// database to the primary.
/// </summary>
public class TechMarketNode(TechMarketApp primary) : WebApplicationFactory<Program>
{
    public TechMarketApp Primary { get; } = primary;

    /// <summary>Extra configuration for this node only, on top of the primary's Settings.</summary>
    public Dictionary<string, string?> Settings { get; } = [];

    public Action<IServiceCollection>? TestServices { get; set; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        var settings = new Dictionary<string, string?>
        {
            ["Database:Provider"] = Primary.Provider.ToString(),
            ["Database:ConnectionString"] = Primary.ConnectionString,
            ["Storage:Root"] = Path.Combine(Primary.Root, "uploads"),
            ["DataProtection:KeysPath"] = Path.Combine(Primary.Root, "keys"),
            ["PersonalData:KeyFile"] = Path.Combine(Primary.Root, "keys", "pii-hash.key"),
            ["Email:PickupFolder"] = Primary.MailFolder,
            // The search index is node-local (each node catches up from the change table), never shared.
            ["Search:IndexPath"] = Path.Combine(Primary.Root, $"search-{Guid.NewGuid():N}"),
            ["Email:SmtpHost"] = "",
            ["Seed:DemoData"] = "true",
            ["RateLimits:Auth:PermitLimit"] = "1000",
        };
        foreach (var (key, value) in Primary.Settings.Concat(Settings))
        {
            settings[key] = value;
        }

        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }

        if (TestServices is { } configure)
        {
            builder.ConfigureTestServices(configure);
        }
    }
}
