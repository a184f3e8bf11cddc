using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using TechMarket.Identity.Domain;
using TechMarket.Kernel.Auditing;
using TechMarket.Kernel.Persistence;

namespace TechMarket.Identity.Persistence;

public sealed class AccountsDbContext(DbContextOptions<AccountsDbContext> options)
    : IdentityDbContext<Member, IdentityRole<Guid>, Guid>(options)
{
    public const string Module = "Identity";

    public DbSet<VerificationRequest> VerificationRequests => Set<VerificationRequest>();
    public DbSet<VerificationDocument> VerificationDocuments => Set<VerificationDocument>();
    public DbSet<AuditEntry> AuditLog => Set<AuditEntry>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        // One PostgreSQL schema per module; SQLite has no schemas, one file holds every module.
        if (Database.IsNpgsql())
        {
            builder.HasDefaultSchema("identity");
        }

        builder.ApplyConfiguration(new MemberConfiguration());
        builder.ApplyConfiguration(new VerificationRequestConfiguration());
        builder.ApplyConfiguration(new VerificationDocumentConfiguration());
        builder.AddAuditLog(this, Module);
        builder.UseUtcTicksForDateTimeOffsetOnSqlite(this);
    }
}

internal sealed class MemberConfiguration : IEntityTypeConfiguration<Member>
{
    public void Configure(EntityTypeBuilder<Member> builder)
    {
        builder.Property(m => m.DisplayName).HasMaxLength(64);
        builder.Property(m => m.VerifiedName).HasMaxLength(128);
        builder.Property(m => m.PreferredCulture).HasMaxLength(16);
        builder.Property(m => m.VerificationLevel).HasConversion<string>().HasMaxLength(16);
        builder.HasIndex(m => m.PhoneNumber);
        builder.HasIndex(m => m.NormalizedEmail).IsUnique().HasFilter(null);
    }
}

internal sealed class VerificationRequestConfiguration : IEntityTypeConfiguration<VerificationRequest>
{
    public void Configure(EntityTypeBuilder<VerificationRequest> builder)
    {
        builder.ToTable("verification_requests");
        builder.HasKey(v => v.Id);
        builder.Property(v => v.Kind).HasConversion<string>().HasMaxLength(16);
        // A concurrency token: two reviewers deciding at once cannot both win.
        builder.Property(v => v.Status).HasConversion<string>().HasMaxLength(16).IsConcurrencyToken();
        builder.Property(v => v.Name).HasMaxLength(128);
        builder.Property(v => v.IdNumberProtected).HasMaxLength(1024);
        builder.Property(v => v.IdNumberHash).HasMaxLength(64);
        builder.Property(v => v.IdNumberMasked).HasMaxLength(18);
        builder.Property(v => v.CreditCode).HasMaxLength(18);
        builder.Property(v => v.LegalRepresentative).HasMaxLength(64);
        builder.Property(v => v.RejectionReason).HasMaxLength(500);
        builder.HasIndex(v => new { v.Status, v.SubmittedAt });
        builder.HasIndex(v => v.MemberId);
        // At most one open request per member and kind, even when two submissions race.
        builder.HasIndex(v => new { v.MemberId, v.Kind }).IsUnique().HasFilter("\"Status\" = 'Pending'").HasDatabaseName("ux_verification_one_pending");
        builder.HasIndex(v => v.IdNumberHash);
        builder.HasIndex(v => v.CreditCode);
        builder.HasOne<Member>().WithMany().HasForeignKey(v => v.MemberId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<VerificationDocument>().WithMany().HasForeignKey(v => v.DocumentId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class VerificationDocumentConfiguration : IEntityTypeConfiguration<VerificationDocument>
{
    public void Configure(EntityTypeBuilder<VerificationDocument> builder)
    {
        builder.ToTable("verification_documents");
        builder.HasKey(d => d.Id);
        builder.Property(d => d.Purpose).HasConversion<string>().HasMaxLength(32);
        builder.Property(d => d.StorageKey).HasMaxLength(200);
        builder.Property(d => d.ContentType).HasMaxLength(64);
        builder.Property(d => d.Sha256).HasMaxLength(64);
        builder.HasIndex(d => d.OwnerId);
        builder.HasOne<Member>().WithMany().HasForeignKey(d => d.OwnerId).OnDelete(DeleteBehavior.Cascade);
    }
}
