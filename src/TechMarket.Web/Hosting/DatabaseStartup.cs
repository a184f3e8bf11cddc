using Microsoft.EntityFrameworkCore;
using TechMarket.Identity;
using TechMarket.Kernel.Persistence;
using TechMarket.Listings.Domain;
using TechMarket.Listings.Persistence;
using TechMarket.Orders;

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
        Func<string, Task<Guid?>> findMember = async account => (await users.FindByNameAsync(account))?.Id;
        await scope.ServiceProvider.GetRequiredService<TechMarket.Listings.ListingsSeeder>().SeedAsync(findMember);
        var listings = scope.ServiceProvider.GetRequiredService<ListingsDbContext>();
        await scope.ServiceProvider.GetRequiredService<OrdersSeeder>().SeedAsync(findMember, async owners =>
            await listings.Listings.AsNoTracking()
                .Where(l => owners.Contains(l.OwnerId) && l.Status == PublicationStatus.Published)
                .OrderBy(l => l.Id).Select(l => l.Id).ToListAsync());
    }
}
