using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using TechMarket.Kernel.Auditing;
using TechMarket.Kernel.Persistence;
using TechMarket.Payments.Domain;

namespace TechMarket.Payments.Persistence;

public sealed class PaymentsDbContext(DbContextOptions<PaymentsDbContext> options) : DbContext(options)
{
    public const string Module = "Payments";

    public DbSet<Payment> Payments => Set<Payment>();
    public DbSet<Refund> Refunds => Set<Refund>();
    public DbSet<Withdrawal> Withdrawals => Set<Withdrawal>();
    public DbSet<LedgerEntry> Ledger => Set<LedgerEntry>();
    public DbSet<SecurityEvent> SecurityEvents => Set<SecurityEvent>();
    public DbSet<ReconciliationRun> ReconciliationRuns => Set<ReconciliationRun>();
    public DbSet<ReconciliationDifference> ReconciliationDifferences => Set<ReconciliationDifference>();
    public DbSet<AuditEntry> AuditLog => Set<AuditEntry>();

    public void Post(Posting posting) => Ledger.AddRange(posting.Build());

    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        GuardLedger();
        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        GuardLedger();
        return base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }

    protected override void OnModelCreating(ModelBuilder builder)
    {
        if (Database.IsNpgsql())
        {
            builder.HasDefaultSchema("payments");
        }

        builder.ApplyConfiguration(new PaymentConfiguration());
        builder.ApplyConfiguration(new RefundConfiguration());
        builder.ApplyConfiguration(new WithdrawalConfiguration());
        builder.ApplyConfiguration(new LedgerEntryConfiguration());
        builder.ApplyConfiguration(new SecurityEventConfiguration());
        builder.ApplyConfiguration(new ReconciliationRunConfiguration());
        builder.ApplyConfiguration(new ReconciliationDifferenceConfiguration());
        builder.AddAuditLog(this, "Payments");
        if (Database.IsSqlite())
        {
            // SQLite has no schemas and every module shares one file: prefix the tables.
            foreach (var entity in builder.Model.GetEntityTypes())
            {
                if (entity.GetTableName() is { } table && !table.StartsWith("payments", StringComparison.Ordinal))
                {
                    entity.SetTableName("payments_" + table);
                }
            }
        }

        builder.UseUtcTicksForDateTimeOffsetOnSqlite(this);
    }

    /// <summary>The ledger is append-only: corrections are new postings, never edits.</summary>
    private void GuardLedger()
    {
        if (ChangeTracker.Entries<LedgerEntry>().Any(e => e.State is EntityState.Modified or EntityState.Deleted))
        {
            throw new InvalidOperationException("Ledger entries are immutable.");
        }

        // Every posting added in this unit of work must balance on its own.
        var unbalanced = ChangeTracker.Entries<LedgerEntry>().Where(e => e.State == EntityState.Added)
            .GroupBy(e => e.Entity.PostingId)
            .FirstOrDefault(g => g.Sum(e => e.Entity.Debit) != g.Sum(e => e.Entity.Credit));
        if (unbalanced is not null)
        {
            throw new InvalidOperationException($"Posting {unbalanced.Key} does not balance.");
        }
    }
}

internal static class Money
{
    public static PropertyBuilder<decimal> IsMoney(this PropertyBuilder<decimal> property) => property.HasPrecision(18, 2);

    public static PropertyBuilder<decimal?> IsMoney(this PropertyBuilder<decimal?> property) => property.HasPrecision(18, 2);
}

internal sealed class PaymentConfiguration : IEntityTypeConfiguration<Payment>
{
    public void Configure(EntityTypeBuilder<Payment> builder)
    {
        builder.ToTable("payments");
        builder.HasKey(p => p.Id);
        builder.Property(p => p.Reference).HasMaxLength(64);
        builder.HasIndex(p => p.Reference).IsUnique();
        // Exactly once: one provider transaction can settle one payment, once.
        builder.Property(p => p.ProviderTradeNo).HasMaxLength(64);
        builder.HasIndex(p => p.ProviderTradeNo).IsUnique();
        builder.Property(p => p.Currency).HasMaxLength(3);
        builder.Property(p => p.Subject).HasMaxLength(128);
        builder.Property(p => p.Gateway).HasMaxLength(32);
        builder.Property(p => p.Status).HasConversion<string>().HasMaxLength(16);
        builder.Property(p => p.Amount).IsMoney();
        builder.Property(p => p.Released).IsMoney();
        builder.Property(p => p.Refunded).IsMoney();
        builder.Property(p => p.RefundsPending).IsMoney();
        builder.Property(p => p.FeesCharged).IsMoney();
        builder.Property(p => p.Version).IsConcurrencyToken();
        builder.Ignore(p => p.Held);
        builder.HasIndex(p => new { p.Status, p.CreatedAt });
        builder.HasIndex(p => p.PayerId);
        builder.HasIndex(p => p.PayeeId);
    }
}

internal sealed class RefundConfiguration : IEntityTypeConfiguration<Refund>
{
    public void Configure(EntityTypeBuilder<Refund> builder)
    {
        builder.ToTable("refunds");
        builder.HasKey(r => r.Id);
        builder.Property(r => r.Reference).HasMaxLength(64);
        builder.Property(r => r.RequestNo).HasMaxLength(64);
        builder.HasIndex(r => r.RequestNo).IsUnique();
        builder.Property(r => r.Amount).IsMoney();
        builder.Property(r => r.Reason).HasMaxLength(256);
        builder.Property(r => r.Error).HasMaxLength(256);
        builder.Property(r => r.Status).HasConversion<string>().HasMaxLength(16);
        builder.HasIndex(r => r.PaymentId);
        builder.HasOne<Payment>().WithMany().HasForeignKey(r => r.PaymentId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class WithdrawalConfiguration : IEntityTypeConfiguration<Withdrawal>
{
    public void Configure(EntityTypeBuilder<Withdrawal> builder)
    {
        builder.ToTable("withdrawals");
        builder.HasKey(w => w.Id);
        builder.Property(w => w.Amount).IsMoney();
        builder.Property(w => w.BankName).HasMaxLength(64);
        builder.Property(w => w.AccountNumber).HasMaxLength(32);
        builder.Property(w => w.AccountName).HasMaxLength(64);
        builder.Property(w => w.Note).HasMaxLength(256);
        builder.Property(w => w.Status).HasConversion<string>().HasMaxLength(16).IsConcurrencyToken();
        builder.Ignore(w => w.MaskedAccount);
        builder.HasIndex(w => new { w.Status, w.RequestedAt });
        builder.HasIndex(w => w.MemberId);
    }
}

internal sealed class LedgerEntryConfiguration : IEntityTypeConfiguration<LedgerEntry>
{
    public void Configure(EntityTypeBuilder<LedgerEntry> builder)
    {
        builder.ToTable("ledger_entries");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.Account).HasMaxLength(64);
        builder.Property(e => e.Kind).HasMaxLength(32);
        builder.Property(e => e.Reference).HasMaxLength(64);
        builder.Property(e => e.Debit).IsMoney();
        builder.Property(e => e.Credit).IsMoney();
        builder.HasIndex(e => e.Account);
        builder.HasIndex(e => e.PostingId);
        builder.HasIndex(e => e.PaymentId);
        builder.HasIndex(e => e.MemberId);
    }
}

internal sealed class SecurityEventConfiguration : IEntityTypeConfiguration<SecurityEvent>
{
    public void Configure(EntityTypeBuilder<SecurityEvent> builder)
    {
        builder.ToTable("security_events");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.Kind).HasMaxLength(32);
        builder.Property(e => e.Reference).HasMaxLength(64);
        builder.Property(e => e.RemoteAddress).HasMaxLength(64);
        builder.Property(e => e.Detail).HasMaxLength(1000);
        builder.HasIndex(e => e.At);
    }
}

internal sealed class ReconciliationRunConfiguration : IEntityTypeConfiguration<ReconciliationRun>
{
    public void Configure(EntityTypeBuilder<ReconciliationRun> builder)
    {
        builder.ToTable("reconciliation_runs");
        // The primary key is the lease: two nodes inserting the same day cannot both succeed.
        builder.HasKey(r => r.Day);
        builder.Property(r => r.Day).HasMaxLength(10);
        builder.Property(r => r.Node).HasMaxLength(128);
        builder.Property(r => r.Error).HasMaxLength(500);
    }
}

internal sealed class ReconciliationDifferenceConfiguration : IEntityTypeConfiguration<ReconciliationDifference>
{
    public void Configure(EntityTypeBuilder<ReconciliationDifference> builder)
    {
        builder.ToTable("reconciliation_differences");
        builder.HasKey(d => d.Id);
        builder.Property(d => d.Day).HasMaxLength(10);
        builder.Property(d => d.Kind).HasConversion<string>().HasMaxLength(32);
        builder.Property(d => d.Movement).HasMaxLength(16);
        builder.Property(d => d.Reference).HasMaxLength(64);
        builder.Property(d => d.ProviderTradeNo).HasMaxLength(64);
        builder.Property(d => d.LedgerAmount).IsMoney();
        builder.Property(d => d.ProviderAmount).IsMoney();
        builder.HasIndex(d => d.Day);
    }
}
