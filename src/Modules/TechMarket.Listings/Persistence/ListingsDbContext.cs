using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using TechMarket.Kernel.Auditing;
using TechMarket.Kernel.Persistence;
using TechMarket.Listings.Domain;

namespace TechMarket.Listings.Persistence;

public sealed class ListingsDbContext(DbContextOptions<ListingsDbContext> options, TimeProvider clock) : DbContext(options)
{
    public const string Module = "Listings";

    public DbSet<Listing> Listings => Set<Listing>();
    public DbSet<Demand> Demands => Set<Demand>();
    public DbSet<Profile> Profiles => Set<Profile>();
    public DbSet<SearchChange> SearchChanges => Set<SearchChange>();
    public DbSet<FieldCorrection> FieldCorrections => Set<FieldCorrection>();
    public DbSet<ListingFile> Files => Set<ListingFile>();
    public DbSet<AuditEntry> AuditLog => Set<AuditEntry>();

    /// <summary>
    /// Every added or changed listing, demand or profile gets a row in the change feed inside the same SaveChanges
    /// (one transaction), so no search node can miss a change that was committed.
    /// </summary>
    public override async Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        RecordSearchChanges();
        return await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }

    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        RecordSearchChanges();
        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    private void RecordSearchChanges()
    {
        var now = clock.GetUtcNow();
        var changed = ChangeTracker.Entries()
            .Where(e => e.State is EntityState.Added or EntityState.Modified or EntityState.Deleted)
            .Select(e => e.Entity switch
            {
                Listing l => ((string?)EntityKinds.Listing, l.Id),
                Demand d => (EntityKinds.Demand, d.Id),
                Profile p => (EntityKinds.Profile, p.Id),
                _ => ((string?)null, Guid.Empty),
            })
            .Where(c => c.Item1 is not null)
            .Distinct()
            .ToList();
        foreach (var (kind, id) in changed)
        {
            SearchChanges.Add(new SearchChange { Kind = kind!, EntityId = id, At = now });
        }
    }

    protected override void OnModelCreating(ModelBuilder builder)
    {
        if (Database.IsNpgsql())
        {
            builder.HasDefaultSchema("listings");
        }

        builder.ApplyConfiguration(new ListingConfiguration());
        builder.ApplyConfiguration(new DemandConfiguration());
        builder.ApplyConfiguration(new ProfileConfiguration());
        builder.Entity<SearchChange>(b =>
        {
            b.ToTable("listing_changes");
            b.HasKey(c => c.Id);
            b.Property(c => c.Kind).HasMaxLength(16);
        });
        builder.Entity<FieldCorrection>(b =>
        {
            b.ToTable("field_corrections");
            b.HasKey(c => c.Id);
            b.Property(c => c.Kind).HasMaxLength(16);
            b.Property(c => c.Title).HasMaxLength(200);
            b.Property(c => c.Text).HasMaxLength(4000);
            b.Property(c => c.Suggested).HasConversion<string>().HasMaxLength(32);
            b.Property(c => c.Chosen).HasConversion<string>().HasMaxLength(32);
        });
        builder.Entity<ListingFile>(b =>
        {
            b.ToTable("listing_files");
            b.HasKey(f => f.Key);
            b.Property(f => f.Key).HasMaxLength(200);
            b.Property(f => f.ContentType).HasMaxLength(64);
            b.HasIndex(f => f.OwnerId);
        });
        builder.AddAuditLog(this, "Listings");

        builder.UseUtcTicksForDateTimeOffsetOnSqlite(this);
    }
}

/// <summary>Editable content travels as one JSON document: it is always read and written whole, and revisions are the same shape.</summary>
internal static class Json
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    public static PropertyBuilder<T> AsJson<T>(this PropertyBuilder<T> property)
        where T : class?
    {
        property.HasConversion(
            new ValueConverter<T, string>(v => JsonSerializer.Serialize(v, Options), v => JsonSerializer.Deserialize<T>(v, Options)!),
            new ValueComparer<T>((a, b) => JsonSerializer.Serialize(a, Options) == JsonSerializer.Serialize(b, Options), v => JsonSerializer.Serialize(v, Options).GetHashCode(StringComparison.Ordinal), v => v));
        return property;
    }
}

/// <summary>The columns, concurrency token and indexes every publishable item has; listings and demands keep their own tables.</summary>
internal static class PublishableItemConfiguration
{
    public static void ConfigurePublishable<TItem, TContent>(this EntityTypeBuilder<TItem> builder, string table)
        where TItem : PublishableItem<TContent>
        where TContent : class, IPublishableContent, new()
    {
        builder.ToTable(table);
        builder.HasKey(i => i.Id);
        builder.Property(i => i.Content).AsJson();
        builder.Property(i => i.PendingRevision).AsJson();
        // Two reviewers or an edit racing a review cannot both win.
        builder.Property(i => i.Status).HasConversion<string>().HasMaxLength(16).IsConcurrencyToken();
        builder.Property(i => i.Title).HasMaxLength(100);
        builder.Property(i => i.Field).HasConversion<string>().HasMaxLength(32);
        builder.Property(i => i.SuggestedField).HasConversion<string>().HasMaxLength(32);
        builder.Property(i => i.Province).HasMaxLength(8);
        builder.Property(i => i.AttributeTags).HasMaxLength(1000);
        builder.Property(i => i.RejectionReason).HasMaxLength(500);
        builder.Ignore(i => i.IsVisible);
        builder.Ignore(i => i.HasPendingRevision);
        builder.Ignore(i => i.UnderReview);
        builder.Ignore(i => i.AwaitsReview);
        builder.Ignore(i => i.CanBeSubmitted);
        builder.HasIndex(i => new { i.OwnerId, i.UpdatedAt });
        builder.HasIndex(i => new { i.Status, i.PublishedAt });
        builder.HasIndex(i => i.SubmittedAt);
    }
}

internal sealed class ListingConfiguration : IEntityTypeConfiguration<Listing>
{
    public void Configure(EntityTypeBuilder<Listing> builder)
    {
        builder.ConfigurePublishable<Listing, ListingContent>("listings");
        builder.Property(l => l.Type).HasConversion<string>().HasMaxLength(32);
    }
}

internal sealed class DemandConfiguration : IEntityTypeConfiguration<Demand>
{
    public void Configure(EntityTypeBuilder<Demand> builder) => builder.ConfigurePublishable<Demand, DemandContent>("demands");
}

internal sealed class ProfileConfiguration : IEntityTypeConfiguration<Profile>
{
    public void Configure(EntityTypeBuilder<Profile> builder)
    {
        builder.ToTable("profiles");
        builder.HasKey(p => p.Id);
        builder.Property(p => p.Kind).HasConversion<string>().HasMaxLength(16);
        builder.Property(p => p.Name).HasMaxLength(100);
        builder.Property(p => p.JobTitle).HasMaxLength(50);
        builder.Property(p => p.Affiliation).HasMaxLength(100);
        builder.Property(p => p.InstitutionKind).HasConversion<string>().HasMaxLength(32);
        builder.Property(p => p.Province).HasMaxLength(8);
        builder.Property(p => p.Introduction).HasMaxLength(2000);
        builder.Property(p => p.Achievements).HasMaxLength(4000);
        builder.Property(p => p.Fields).HasConversion(
            new ValueConverter<IReadOnlyList<TechField>, string>(v => string.Join(',', v), v => v.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(Enum.Parse<TechField>).ToList()),
            new ValueComparer<IReadOnlyList<TechField>>((a, b) => a!.SequenceEqual(b!), v => v.Count, v => v.ToList())).HasMaxLength(400);
        // One profile per account.
        builder.HasIndex(p => p.MemberId).IsUnique();
        builder.HasIndex(p => p.InstitutionId);
    }
}
