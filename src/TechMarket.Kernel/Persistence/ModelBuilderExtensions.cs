using Microsoft.EntityFrameworkCore;
using TechMarket.Kernel.Auditing;

namespace TechMarket.Kernel.Persistence;

public static class ModelBuilderExtensions
{
    /// <summary>
    /// SQLite cannot order or compare DateTimeOffset columns; storing UTC ticks keeps queries translatable
    /// on both providers while PostgreSQL keeps its native timestamptz.
    /// </summary>
    public static void UseUtcTicksForDateTimeOffsetOnSqlite(this ModelBuilder modelBuilder, DbContext context)
    {
        if (!context.Database.IsSqlite())
        {
            return;
        }

        foreach (var entity in modelBuilder.Model.GetEntityTypes())
        {
            foreach (var property in entity.GetProperties())
            {
                if (property.ClrType == typeof(DateTimeOffset))
                {
                    property.SetValueConverter(new DateTimeOffsetToUtcTicksConverter());
                }
                else if (property.ClrType == typeof(DateTimeOffset?))
                {
                    property.SetValueConverter(new NullableDateTimeOffsetToUtcTicksConverter());
                }
            }
        }
    }

    /// <summary>
    /// Every module keeps its own append-only audit table, written in the same transaction as the change:
    /// <c>&lt;schema&gt;.audit_log</c> on PostgreSQL, <c>&lt;module&gt;_audit_log</c> in SQLite's single schema-less file.
    /// </summary>
    public static void AddAuditLog(this ModelBuilder modelBuilder, DbContext context, string module)
    {
        modelBuilder.ApplyConfiguration(new AuditEntryConfiguration());
        if (context.Database.IsSqlite())
        {
            modelBuilder.Entity<AuditEntry>().ToTable($"{module.ToLowerInvariant()}_audit_log");
        }
    }
}

internal sealed class DateTimeOffsetToUtcTicksConverter() : Microsoft.EntityFrameworkCore.Storage.ValueConversion.ValueConverter<DateTimeOffset, long>(
    v => v.UtcTicks,
    v => new DateTimeOffset(v, TimeSpan.Zero));

internal sealed class NullableDateTimeOffsetToUtcTicksConverter() : Microsoft.EntityFrameworkCore.Storage.ValueConversion.ValueConverter<DateTimeOffset?, long?>(
    v => v.HasValue ? v.Value.UtcTicks : null,
    v => v.HasValue ? new DateTimeOffset(v.Value, TimeSpan.Zero) : null);
