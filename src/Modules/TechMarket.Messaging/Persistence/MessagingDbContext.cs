using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using TechMarket.Kernel.Auditing;
using TechMarket.Kernel.Persistence;
using TechMarket.Messaging.Domain;

namespace TechMarket.Messaging.Persistence;

public sealed class MessagingDbContext(DbContextOptions<MessagingDbContext> options) : DbContext(options)
{
    public const string Module = "Messaging";

    public DbSet<Notification> Notifications => Set<Notification>();
    public DbSet<NotificationPreference> NotificationPreferences => Set<NotificationPreference>();
    public DbSet<EmailOutboxItem> EmailOutbox => Set<EmailOutboxItem>();
    public DbSet<Conversation> Conversations => Set<Conversation>();
    public DbSet<ConversationMember> ConversationMembers => Set<ConversationMember>();
    public DbSet<ChatMessage> ChatMessages => Set<ChatMessage>();
    public DbSet<MailMessage> Mail => Set<MailMessage>();
    public DbSet<MailRecipient> MailRecipients => Set<MailRecipient>();
    public DbSet<MailAttachment> MailAttachments => Set<MailAttachment>();
    public DbSet<AuditEntry> AuditLog => Set<AuditEntry>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        if (Database.IsNpgsql())
        {
            builder.HasDefaultSchema("messaging");
        }

        builder.ApplyConfiguration(new NotificationConfiguration());
        builder.ApplyConfiguration(new NotificationPreferenceConfiguration());
        builder.ApplyConfiguration(new EmailOutboxConfiguration());
        builder.ApplyConfiguration(new ConversationConfiguration());
        builder.ApplyConfiguration(new ConversationMemberConfiguration());
        builder.ApplyConfiguration(new ChatMessageConfiguration());
        builder.ApplyConfiguration(new MailConfiguration());
        builder.ApplyConfiguration(new MailRecipientConfiguration());
        builder.ApplyConfiguration(new MailAttachmentConfiguration());
        builder.AddAuditLog(this, "Messaging");

        builder.UseUtcTicksForDateTimeOffsetOnSqlite(this);
    }
}

internal sealed class NotificationConfiguration : IEntityTypeConfiguration<Notification>
{
    public void Configure(EntityTypeBuilder<Notification> builder)
    {
        builder.ToTable("notifications");
        builder.HasKey(n => n.Id);
        builder.Property(n => n.Kind).HasMaxLength(32);
        builder.Property(n => n.Title).HasMaxLength(300);
        builder.Property(n => n.Body).HasMaxLength(2000);
        builder.Property(n => n.Link).HasMaxLength(500);
        builder.HasIndex(n => new { n.MemberId, n.Id });
        builder.HasIndex(n => new { n.MemberId, n.ReadAt });
    }
}

internal sealed class NotificationPreferenceConfiguration : IEntityTypeConfiguration<NotificationPreference>
{
    public void Configure(EntityTypeBuilder<NotificationPreference> builder)
    {
        builder.ToTable("notification_preferences");
        builder.HasKey(p => p.MemberId);
        builder.Property(p => p.Culture).HasMaxLength(16);
        builder.Property(p => p.EmailOffKinds).HasMaxLength(300);
    }
}

internal sealed class EmailOutboxConfiguration : IEntityTypeConfiguration<EmailOutboxItem>
{
    public void Configure(EntityTypeBuilder<EmailOutboxItem> builder)
    {
        builder.ToTable("email_outbox");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.To).HasMaxLength(256);
        builder.Property(e => e.Subject).HasMaxLength(300);
        builder.Property(e => e.TextBody).HasMaxLength(8000);
        builder.Property(e => e.LastError).HasMaxLength(500);
        builder.HasIndex(e => new { e.SentAt, e.GaveUp, e.NextAttemptAt });
    }
}

internal sealed class ConversationConfiguration : IEntityTypeConfiguration<Conversation>
{
    public void Configure(EntityTypeBuilder<Conversation> builder)
    {
        builder.ToTable("conversations");
        builder.HasKey(c => c.Id);
        builder.Ignore(c => c.Context);
        builder.Property(c => c.Kind).HasConversion<string>().HasMaxLength(16);
        builder.Property(c => c.Status).HasConversion<string>().HasMaxLength(16);
        builder.Property(c => c.PairKey).HasMaxLength(200);
        builder.Property(c => c.ContextType).HasMaxLength(32);
        builder.Property(c => c.ContextId).HasMaxLength(64);
        builder.Property(c => c.ContextTitle).HasMaxLength(200);
        // The same two members about the same thing share one conversation, even when both start it at once.
        builder.HasIndex(c => c.PairKey).IsUnique();
        builder.HasIndex(c => new { c.Kind, c.Status, c.WaitingSince });
        builder.HasMany(c => c.Members).WithOne().HasForeignKey(m => m.ConversationId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ConversationMemberConfiguration : IEntityTypeConfiguration<ConversationMember>
{
    public void Configure(EntityTypeBuilder<ConversationMember> builder)
    {
        builder.ToTable("conversation_members");
        builder.HasKey(m => new { m.ConversationId, m.MemberId });
        builder.HasIndex(m => m.MemberId);
    }
}

internal sealed class ChatMessageConfiguration : IEntityTypeConfiguration<ChatMessage>
{
    public void Configure(EntityTypeBuilder<ChatMessage> builder)
    {
        builder.ToTable("chat_messages");
        builder.HasKey(m => m.Id);
        builder.Property(m => m.Body).HasMaxLength(ChatMessage.MaxLength);
        builder.HasIndex(m => new { m.ConversationId, m.Id });
        builder.HasOne<Conversation>().WithMany().HasForeignKey(m => m.ConversationId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class MailConfiguration : IEntityTypeConfiguration<MailMessage>
{
    public void Configure(EntityTypeBuilder<MailMessage> builder)
    {
        builder.ToTable("mail");
        builder.HasKey(m => m.Id);
        builder.Property(m => m.Subject).HasMaxLength(MailMessage.MaxSubject);
        builder.Property(m => m.Body).HasMaxLength(MailMessage.MaxBody);
        builder.Property(m => m.ContextType).HasMaxLength(32);
        builder.Property(m => m.ContextId).HasMaxLength(64);
        builder.Property(m => m.ContextTitle).HasMaxLength(200);
        builder.HasIndex(m => new { m.SenderId, m.SentAt });
        builder.HasIndex(m => m.ThreadId);
        builder.HasMany(m => m.Recipients).WithOne().HasForeignKey(r => r.MailId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(m => m.Attachments).WithOne().HasForeignKey(a => a.MailId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class MailRecipientConfiguration : IEntityTypeConfiguration<MailRecipient>
{
    public void Configure(EntityTypeBuilder<MailRecipient> builder)
    {
        builder.ToTable("mail_recipients");
        builder.HasKey(r => new { r.MailId, r.MemberId });
        builder.HasIndex(r => r.MemberId);
    }
}

internal sealed class MailAttachmentConfiguration : IEntityTypeConfiguration<MailAttachment>
{
    public void Configure(EntityTypeBuilder<MailAttachment> builder)
    {
        builder.ToTable("mail_attachments");
        builder.HasKey(a => a.Id);
        builder.Property(a => a.FileName).HasMaxLength(255);
        builder.Property(a => a.ContentType).HasMaxLength(128);
        builder.Property(a => a.Sha256).HasMaxLength(64);
        builder.HasIndex(a => a.Sha256);
    }
}
