using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace TechMarket.Kernel.Persistence;

/// <summary>
/// Each module owns a DbContext with its own schema and migration history (ADR 0002).
/// This registers one with the configured provider and the provider's migrations assembly.
/// </summary>
public static class ModuleDatabase
{
    public const string SqliteMigrationsAssembly = "TechMarket.Migrations.Sqlite";
    public const string PostgresMigrationsAssembly = "TechMarket.Migrations.Postgres";

    public static DatabaseOptions GetDatabaseOptions(this IConfiguration configuration)
    {
        var options = new DatabaseOptions();
        configuration.GetSection(DatabaseOptions.Section).Bind(options);
        return options;
    }

    public static IHostApplicationBuilder AddTechMarketDatabase(this IHostApplicationBuilder builder)
    {
        var options = builder.Configuration.GetDatabaseOptions();
        builder.Services.AddSingleton(options);
        if (options.Provider == DatabaseProvider.Postgres)
        {
            builder.Services.AddSingleton(_ => new NpgsqlDataSourceBuilder(options.ConnectionString).Build());
        }
        else
        {
            EnsureSqliteFolder(options.ConnectionString);
        }

        builder.Services.AddSingleton<ModuleMigrator>();
        return builder;
    }

    /// <param name="pooled">
    /// Reuse context instances (AddDbContextPool) — worth it on hot paths that open several contexts per request; only for
    /// contexts that hold no per-request state of their own and take nothing but their options.
    /// </param>
    public static IHostApplicationBuilder AddModuleDbContext<TContext>(this IHostApplicationBuilder builder, string module, bool pooled = false)
        where TContext : DbContext
    {
        void Build(IServiceProvider sp, DbContextOptionsBuilder db) =>
            Configure(db, sp.GetRequiredService<DatabaseOptions>(), module, sp.GetService<NpgsqlDataSource>());
        if (pooled)
        {
            builder.Services.AddDbContextPool<TContext>(Build);
        }
        else
        {
            builder.Services.AddDbContext<TContext>(Build);
        }

        builder.Services.AddSingleton(new ModuleContextRegistration(typeof(TContext), module));
        return builder;
    }

    /// <summary>Shared by the running app, the migration tool and the tests so all three build the same model.</summary>
    public static void Configure(DbContextOptionsBuilder db, DatabaseOptions options, string module, NpgsqlDataSource? dataSource = null)
    {
        var history = $"__migrations_{module.ToLowerInvariant()}";
        if (options.Provider == DatabaseProvider.Postgres)
        {
            void Npgsql(Npgsql.EntityFrameworkCore.PostgreSQL.Infrastructure.NpgsqlDbContextOptionsBuilder o) =>
                o.MigrationsAssembly(PostgresMigrationsAssembly).MigrationsHistoryTable(history, module.ToLowerInvariant());
            if (dataSource is not null)
            {
                db.UseNpgsql(dataSource, Npgsql);
            }
            else
            {
                db.UseNpgsql(options.ConnectionString, Npgsql);
            }
        }
        else
        {
            db.UseSqlite(options.ConnectionString, o => o.MigrationsAssembly(SqliteMigrationsAssembly).MigrationsHistoryTable(history));
        }
    }

    private static void EnsureSqliteFolder(string connectionString)
    {
        var path = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(connectionString).DataSource;
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(folder) && path != ":memory:")
        {
            Directory.CreateDirectory(folder);
        }
    }
}

public sealed record ModuleContextRegistration(Type ContextType, string Module);
