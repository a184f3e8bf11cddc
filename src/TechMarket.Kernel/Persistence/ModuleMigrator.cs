using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace TechMarket.Kernel.Persistence;

/// <summary>Applies every module's migrations, in registration order, at start-up or from the command line.</summary>
public sealed class ModuleMigrator(IServiceProvider services, IEnumerable<ModuleContextRegistration> registrations, ILogger<ModuleMigrator> logger)
{
    public async Task MigrateAllAsync(CancellationToken cancellationToken = default)
    {
        foreach (var registration in registrations)
        {
            await using var scope = services.CreateAsyncScope();
            var context = (DbContext)scope.ServiceProvider.GetRequiredService(registration.ContextType);
            var pending = (await context.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
            if (pending.Count > 0)
            {
                logger.LogInformation("Applying {Count} migration(s) to module {Module}", pending.Count, registration.Module);
                await context.Database.MigrateAsync(cancellationToken);
            }
        }
    }

    public IEnumerable<ModuleContextRegistration> Modules => registrations;
}
