namespace TechMarket.Kernel.Persistence;

public enum DatabaseProvider
{
    Sqlite,
    Postgres,
}

public sealed class DatabaseOptions
{
    public const string Section = "Database";

    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>For SQLite a file path is enough; the default keeps the embedded database under ./data.</summary>
    public string ConnectionString { get; set; } = "Data Source=data/techmarket.db";

    /// <summary>Apply pending migrations at start-up (on by default; several nodes may start together, EF takes a lock).</summary>
    public bool MigrateOnStartup { get; set; } = true;
}
