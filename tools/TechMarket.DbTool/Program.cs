// Generates EF Core migrations for every module and both providers from the same model.
// dotnet-ef is not available for .NET 10 on our package mirror, so this drives EF's design-time services directly.
//
//   dotnet run --project tools/TechMarket.DbTool -- add <MigrationName> [Module]
//   dotnet run --project tools/TechMarket.DbTool -- check      (exit 1 when a model change has no migration)
#pragma warning disable EF1001 // The design-time scaffolder is EF's own tooling API; it is what dotnet-ef calls.
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.EntityFrameworkCore.Design.Internal;
using Microsoft.EntityFrameworkCore.Migrations.Design;
using Microsoft.Extensions.DependencyInjection;
using TechMarket.Kernel.Persistence;
using TechMarket.Tools.Db;

var command = args.FirstOrDefault() ?? "help";
var repo = FindRepositoryRoot();

switch (command)
{
    case "add" when args.Length >= 2:
        foreach (var module in ModuleContexts.All.Where(m => args.Length < 3 || m.Module.Equals(args[2], StringComparison.OrdinalIgnoreCase)))
        {
            foreach (var provider in Enum.GetValues<DatabaseProvider>())
            {
                using var context = module.Create(provider);
                if (!context.Database.HasPendingModelChanges())
                {
                    Console.WriteLine($"{module.Module}/{provider}: no model changes");
                    continue;
                }

                var (assembly, project) = provider == DatabaseProvider.Postgres
                    ? (ModuleDatabase.PostgresMigrationsAssembly, Path.Combine(repo, "src/Migrations/TechMarket.Migrations.Postgres"))
                    : (ModuleDatabase.SqliteMigrationsAssembly, Path.Combine(repo, "src/Migrations/TechMarket.Migrations.Sqlite"));
                var reporter = new OperationReporter(new OperationReportHandler(
                    e => Console.Error.WriteLine(e), w => Console.WriteLine(w), i => Console.WriteLine(i), _ => { }));
                var services = new DesignTimeServicesBuilder(typeof(ModuleContexts).Assembly, typeof(ModuleContexts).Assembly, reporter, [])
                    .Build(context);
                var scaffolder = services.GetRequiredService<IMigrationsScaffolder>();
                var migration = scaffolder.ScaffoldMigration(args[1], assembly, subNamespace: module.Module, language: "C#", dryRun: false);
                var files = scaffolder.Save(project, migration, Path.Combine(project, module.Module), dryRun: false);
                Console.WriteLine($"{module.Module}/{provider}: wrote {Path.GetRelativePath(repo, files.MigrationFile!)}");
            }
        }

        return 0;

    case "check":
        var pending = 0;
        foreach (var module in ModuleContexts.All)
        {
            foreach (var provider in Enum.GetValues<DatabaseProvider>())
            {
                using var context = module.Create(provider);
                if (context.Database.HasPendingModelChanges())
                {
                    Console.Error.WriteLine($"{module.Module}/{provider}: the model has changes without a migration");
                    pending++;
                }
            }
        }

        return pending == 0 ? 0 : 1;

    default:
        Console.WriteLine("usage: add <MigrationName> [Module] | check");
        return 2;
}

static string FindRepositoryRoot()
{
    var dir = new DirectoryInfo(AppContext.BaseDirectory);
    while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "TechMarket.slnx")))
    {
        dir = dir.Parent;
    }

    return dir?.FullName ?? throw new InvalidOperationException("Run inside the TechMarket repository.");
}
