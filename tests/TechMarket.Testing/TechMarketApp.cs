using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using TechMarket.Kernel.Persistence;

namespace TechMarket.Testing;

/// <summary>
/// The real Program on a throwaway database: a fresh SQLite file or a fresh PostgreSQL database on the
/// server scripts/test started. Files, keys and mail go to a temp folder, never into the source tree.
/// </summary>
public class TechMarketApp : WebApplicationFactory<Program>
{
    private readonly string postgresDatabase = $"tm_{Guid.NewGuid():N}";

    public TechMarketApp(DatabaseProvider provider)
    {
        Provider = provider;
        Root = Directory.CreateTempSubdirectory("techmarket-test-").FullName;
        ConnectionString = provider == DatabaseProvider.Postgres
            ? CreatePostgresDatabase()
            : $"Data Source={Path.Combine(Root, "techmarket.db")}";
    }

    public DatabaseProvider Provider { get; }

    public string Root { get; }

    public string ConnectionString { get; }

    public string MailFolder => Path.Combine(Root, "mail");

    /// <summary>Extra configuration per test class (e.g. a low rate limit, a real SMTP server).</summary>
    public Dictionary<string, string?> Settings { get; } = [];

    /// <summary>Replace services at the edge of the world (a clock, an identity service).</summary>
    public Action<IServiceCollection>? TestServices { get; set; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        var settings = new Dictionary<string, string?>
        {
            ["Database:Provider"] = Provider.ToString(),
            ["Database:ConnectionString"] = ConnectionString,
            ["Storage:Root"] = Path.Combine(Root, "uploads"),
            ["DataProtection:KeysPath"] = Path.Combine(Root, "keys"),
            ["PersonalData:KeyFile"] = Path.Combine(Root, "keys", "pii-hash.key"),
            ["Email:PickupFolder"] = MailFolder,
            ["Email:SmtpHost"] = "",
            ["Seed:DemoData"] = "true",
            ["RateLimits:Auth:PermitLimit"] = "1000",
        };
        foreach (var (key, value) in Settings)
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

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (!disposing)
        {
            return;
        }

        if (Provider == DatabaseProvider.Postgres)
        {
            NpgsqlConnection.ClearAllPools();
            using var admin = new NpgsqlConnection(TestEnvironment.PostgresConnectionString);
            admin.Open();
            using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{postgresDatabase}\" WITH (FORCE)", admin);
            drop.ExecuteNonQuery();
        }

        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open by a background thread; the OS cleans temp folders.
        }
    }

    private string CreatePostgresDatabase()
    {
        var admin = TestEnvironment.PostgresConnectionString;
        using (var connection = new NpgsqlConnection(admin))
        {
            connection.Open();
            using var create = new NpgsqlCommand($"CREATE DATABASE \"{postgresDatabase}\"", connection);
            create.ExecuteNonQuery();
        }

        return new NpgsqlConnectionStringBuilder(admin) { Database = postgresDatabase }.ConnectionString;
    }
}
