using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TechMarket.Kernel.Members;
using TechMarket.Kernel.Notifications;
using TechMarket.Messaging.Persistence;

namespace TechMarket.Messaging.Features.Chat;

/// <summary>A stored chat message someone else should hear about (list, bell, e-mail per preferences).</summary>
public sealed record ChatNotice(Guid RecipientId, Guid ConversationId, Guid SenderId, string Preview, string? SupportTitle = null);

/// <summary>
/// Turns stored chat messages into notifications off the sender's path: the message is already pushed live, the
/// notification is for the list, the bell and e-mail. Notices are drained in batches; a direct chat raises one
/// notification per conversation while the recipient has not read it (one query per batch decides which), a support
/// answer always tells the member.
/// </summary>
public sealed class ChatNotifier(IServiceScopeFactory scopes, ILogger<ChatNotifier> logger) : BackgroundService
{
    private const int MaxBatch = 1000;
    private readonly Channel<ChatNotice> queue = Channel.CreateUnbounded<ChatNotice>(new UnboundedChannelOptions { SingleReader = true });

    public void Enqueue(ChatNotice notice) => queue.Writer.TryWrite(notice);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<ChatNotice>(MaxBatch);
        while (await queue.Reader.WaitToReadAsync(stoppingToken))
        {
            while (batch.Count < MaxBatch && queue.Reader.TryRead(out var notice))
            {
                batch.Add(notice);
            }

            try
            {
                await NotifyAsync(batch, stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                logger.LogError(ex, "{Count} chat notifications could not be raised", batch.Count);
            }

            batch.Clear();
        }
    }

    private async Task NotifyAsync(List<ChatNotice> batch, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MessagingDbContext>();
        var directory = scope.ServiceProvider.GetRequiredService<IMemberDirectory>();
        var sender = scope.ServiceProvider.GetRequiredService<INotificationSender>();

        var support = batch.Where(n => n.SupportTitle is not null).ToList();
        // The first message of a burst is the one the notification shows.
        var direct = batch.Where(n => n.SupportTitle is null).DistinctBy(n => (n.RecipientId, n.ConversationId)).ToList();
        if (direct.Count > 0)
        {
            var recipients = direct.Select(n => n.RecipientId).Distinct().ToList();
            var links = direct.Select(n => LinkOf(n.ConversationId)).Distinct().ToList();
            var unread = await db.Notifications.AsNoTracking()
                .Where(n => recipients.Contains(n.MemberId) && n.ReadAt == null && n.Link != null && links.Contains(n.Link))
                .Select(n => new { n.MemberId, n.Link })
                .ToListAsync(cancellationToken);
            var alreadyTold = unread.Select(u => (u.MemberId, u.Link)).ToHashSet();
            direct.RemoveAll(n => alreadyTold.Contains((n.RecipientId, LinkOf(n.ConversationId))));
        }

        var names = direct.Count == 0 ? new Dictionary<Guid, MemberCard>() : await directory.GetAsync([.. direct.Select(n => n.SenderId).Distinct()], cancellationToken);
        foreach (var notice in direct)
        {
            var name = names.TryGetValue(notice.SenderId, out var card) ? card.DisplayName : "";
            await TryAsync(db, notice, () => sender.NotifyAsync(notice.RecipientId, NotificationKinds.Message, NotificationTemplates.ChatMessage, [name, notice.Preview], LinkOf(notice.ConversationId), cancellationToken));
        }

        foreach (var notice in support)
        {
            await TryAsync(db, notice, () => sender.NotifyAsync(notice.RecipientId, NotificationKinds.Support, NotificationTemplates.SupportReply, [notice.SupportTitle!, notice.Preview], $"/support/{notice.ConversationId}", cancellationToken));
        }
    }

    private async Task TryAsync(MessagingDbContext db, ChatNotice notice, Func<Task> notify)
    {
        try
        {
            await notify();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // One member's failure (e.g. a deleted account) must not keep the others from hearing.
            db.ChangeTracker.Clear();
            logger.LogWarning(ex, "Chat notification for {MemberId} about {ConversationId} failed", notice.RecipientId, notice.ConversationId);
        }
    }

    internal static string LinkOf(Guid conversationId) => $"/chat/{conversationId}";
}
