using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using TechMarket.Kernel.Auditing;
using TechMarket.Kernel.Persistence;
using TechMarket.Orders.Domain;

namespace TechMarket.Orders.Persistence;

public sealed class OrdersDbContext(DbContextOptions<OrdersDbContext> options) : DbContext(options)
{
    public const string Module = "Orders";

    public DbSet<Order> Orders => Set<Order>();
    public DbSet<OrderEvent> Events => Set<OrderEvent>();
    public DbSet<OrderAttachment> Attachments => Set<OrderAttachment>();
    public DbSet<Quote> Quotes => Set<Quote>();
    public DbSet<AuditEntry> AuditLog => Set<AuditEntry>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        if (Database.IsNpgsql())
        {
            modelBuilder.HasDefaultSchema("orders");
        }

        modelBuilder.ApplyConfiguration(new OrderConfiguration());
        modelBuilder.ApplyConfiguration(new OrderEventConfiguration());
        modelBuilder.ApplyConfiguration(new OrderAttachmentConfiguration());
        modelBuilder.ApplyConfiguration(new QuoteConfiguration());
        modelBuilder.AddAuditLog(this, "Orders");

        modelBuilder.UseUtcTicksForDateTimeOffsetOnSqlite(this);
    }
}

internal sealed class OrderConfiguration : IEntityTypeConfiguration<Order>
{
    public void Configure(EntityTypeBuilder<Order> builder)
    {
        builder.ToTable("orders");
        builder.HasKey(o => o.Id);
        builder.Property(o => o.Number).HasMaxLength(32);
        builder.HasIndex(o => o.Number).IsUnique();
        builder.Property(o => o.ListingTitle).HasMaxLength(200);
        builder.Property(o => o.Mode).HasMaxLength(32);
        builder.Property(o => o.Currency).HasMaxLength(3);
        builder.Property(o => o.State).HasConversion<string>().HasMaxLength(24);
        builder.Property(o => o.UnitPrice).HasPrecision(18, 2);
        builder.Property(o => o.Amount).HasPrecision(18, 2);
        builder.Property(o => o.OriginalAmount).HasPrecision(18, 2);
        builder.Property(o => o.PaidAmount).HasPrecision(18, 2);
        builder.Property(o => o.ContactName).HasMaxLength(64);
        builder.Property(o => o.ContactPhone).HasMaxLength(32);
        builder.Property(o => o.BuyerNote).HasMaxLength(500);
        builder.Property(o => o.IdempotencyKey).HasMaxLength(100);
        builder.Property(o => o.RequestHash).HasMaxLength(64);
        builder.Property(o => o.PaymentReference).HasMaxLength(64);
        builder.Property(o => o.ProviderTradeNo).HasMaxLength(64);
        builder.Property(o => o.DeliveryNote).HasMaxLength(2000);
        builder.Property(o => o.DisputeReason).HasMaxLength(500);
        builder.Property(o => o.Revision).IsConcurrencyToken();

        // Same buyer, same key: one order, even when the two requests race.
        builder.HasIndex(o => new { o.BuyerId, o.IdempotencyKey }).IsUnique();

        // A negotiated quote buys once (NULLs never collide).
        builder.HasIndex(o => o.QuoteId).IsUnique().HasDatabaseName("ux_orders_quote");

        // A transfer or exclusive licence sells once: at most one live order holds the listing (NULLs never collide).
        builder.HasIndex(o => o.ExclusiveClaim).IsUnique().HasDatabaseName("ux_orders_exclusive_claim");
        builder.HasIndex(o => new { o.BuyerId, o.CreatedAt });
        builder.HasIndex(o => new { o.SellerId, o.CreatedAt });
        builder.HasIndex(o => new { o.State, o.CreatedAt });
        builder.HasIndex(o => o.CreatedAt);
    }
}

internal sealed class OrderEventConfiguration : IEntityTypeConfiguration<OrderEvent>
{
    public void Configure(EntityTypeBuilder<OrderEvent> builder)
    {
        builder.ToTable("order_events");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.Kind).HasMaxLength(32);
        builder.Property(e => e.FromState).HasConversion<string>().HasMaxLength(24);
        builder.Property(e => e.ToState).HasConversion<string>().HasMaxLength(24);
        builder.Property(e => e.Reason).HasMaxLength(500);
        builder.Property(e => e.OldAmount).HasPrecision(18, 2);
        builder.Property(e => e.NewAmount).HasPrecision(18, 2);
        builder.HasIndex(e => new { e.OrderId, e.Id });
        builder.HasIndex(e => new { e.Kind, e.At });
        builder.HasOne<Order>().WithMany().HasForeignKey(e => e.OrderId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class OrderAttachmentConfiguration : IEntityTypeConfiguration<OrderAttachment>
{
    public void Configure(EntityTypeBuilder<OrderAttachment> builder)
    {
        builder.ToTable("order_attachments");
        builder.HasKey(a => a.Id);
        builder.Property(a => a.FileName).HasMaxLength(200);
        builder.Property(a => a.ContentType).HasMaxLength(100);
        builder.Property(a => a.Sha256).HasMaxLength(64);
        builder.HasIndex(a => a.OrderId);
        builder.HasOne<Order>().WithMany().HasForeignKey(a => a.OrderId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class QuoteConfiguration : IEntityTypeConfiguration<Quote>
{
    public void Configure(EntityTypeBuilder<Quote> builder)
    {
        builder.ToTable("quotes");
        builder.HasKey(q => q.Id);
        builder.Property(q => q.ListingTitle).HasMaxLength(200);
        builder.Property(q => q.State).HasConversion<string>().HasMaxLength(16);
        builder.Property(q => q.RequestNote).HasMaxLength(500);
        builder.Property(q => q.Amount).HasPrecision(18, 2);
        builder.Property(q => q.Revision).IsConcurrencyToken();
        builder.HasIndex(q => new { q.BuyerId, q.CreatedAt });
        builder.HasIndex(q => new { q.SellerId, q.CreatedAt });
        builder.HasIndex(q => new { q.ListingId, q.BuyerId });
    }
}
