using TechMarket.Identity;
using TechMarket.Kernel.Persistence;

namespace TechMarket.Web.Hosting;

internal static class DatabaseStartup
{
    /// <summary>Migrates every module (EF takes a lock, so several nodes may start together), then seeds roles and demo data.</summary>
    public static async Task PrepareDatabaseAsync(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<DatabaseOptions>();
        if (options.MigrateOnStartup)
        {
            await app.Services.GetRequiredService<ModuleMigrator>().MigrateAllAsync();
        }

        await using var scope = app.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<IdentitySeeder>().SeedAsync();
        var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<TechMarket.Identity.Domain.Member>>();
        await scope.ServiceProvider.GetRequiredService<TechMarket.Listings.ListingsSeeder>().SeedAsync(async account => (await users.FindByNameAsync(account))?.Id);
    }
}
