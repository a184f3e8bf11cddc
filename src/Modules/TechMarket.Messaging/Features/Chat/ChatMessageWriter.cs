using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using TechMarket.Messaging.Domain;
using TechMarket.Messaging.Persistence;

namespace TechMarket.Messaging.Features.Chat;

/// <summary>
/// Group commit for direct chat messages: senders queue their message and wait; one writer drains the queue and
/// stores everything queued so far in one transaction (one INSERT batch and one UPDATE of the conversations'
/// last-message time), then releases the senders. A sender pushes only after its batch committed, so a pushed
/// message is always in the history; under load many messages share one round trip instead of each paying its own.
/// </summary>
public sealed class ChatMessageWriter(IServiceScopeFactory scopes, ILogger<ChatMessageWriter> logger) : BackgroundService
{
    /// <summary>Large enough to absorb a burst, small enough to keep one transaction short.</summary>
    internal const int MaxBatch = 500;

    private readonly Channel<PendingMessage> queue = Channel.CreateUnbounded<PendingMessage>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>Completes once the message is committed (its Id set); faults when it could not be stored.</summary>
    public Task StoreAsync(ChatMessage message)
    {
        var pending = new PendingMessage(message, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!queue.Writer.TryWrite(pending))
        {
            throw new InvalidOperationException("The chat message writer has stopped (the application is shutting down).");
        }

        return pending.Stored.Task;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<PendingMessage>(MaxBatch);
        try
        {
            while (await queue.Reader.WaitToReadAsync(stoppingToken))
            {
                while (batch.Count < MaxBatch && queue.Reader.TryRead(out var pending))
                {
                    batch.Add(pending);
                }

                await WriteAsync(batch);
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: whatever is still queued was never stored, so its senders must hear it.
        }
        finally
        {
            queue.Writer.TryComplete();
            while (queue.Reader.TryRead(out var pending))
            {
                batch.Add(pending);
            }

            foreach (var pending in batch)
            {
                pending.Stored.TrySetException(new OperationCanceledException("The application is shutting down; the message was not stored."));
            }
        }
    }

    private async Task WriteAsync(List<PendingMessage> batch)
    {
        try
        {
            await CommitAsync(batch);
            batch.ForEach(p => p.Stored.TrySetResult());
        }
        catch (Exception ex) when (batch.Count > 1)
        {
            // One bad row must not sink the others: store them one by one, so only the bad one fails.
            logger.LogWarning(ex, "Chat batch of {Count} failed; storing its messages one by one", batch.Count);
            foreach (var pending in batch)
            {
                await WriteAsync([pending]);
            }
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Chat message to conversation {ConversationId} could not be stored", batch[0].Message.ConversationId);
            batch[0].Stored.TrySetException(ex);
        }
    }

    private async Task CommitAsync(List<PendingMessage> batch)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MessagingDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync();
        if (db.Database.IsNpgsql())
        {
            await InsertWithArraysAsync(db, batch);
        }
        else
        {
            db.ChatMessages.AddRange(batch.Select(p => p.Message));
            await db.SaveChangesAsync();
        }

        var conversations = batch.Select(p => p.Message.ConversationId).Distinct().ToList();
        var latest = batch.Max(p => p.Message.SentAt);
        await db.Conversations.Where(c => conversations.Contains(c.Id)).ExecuteUpdateAsync(s => s.SetProperty(c => c.LastMessageAt, latest));
        await transaction.CommitAsync();
    }

    /// <summary>
    /// PostgreSQL: the batch as one INSERT of four arrays, with ids drawn from the column's identity sequence first,
    /// so each message gets its id back without EF tracking hundreds of entities (which profiling showed to be the
    /// writer's main cost under load).
    /// </summary>
    private static async Task InsertWithArraysAsync(MessagingDbContext db, List<PendingMessage> batch)
    {
        var ids = await db.Database
            .SqlQueryRaw<long>("""SELECT nextval(pg_get_serial_sequence('messaging.chat_messages', 'Id')) AS "Value" FROM generate_series(1, {0})""", batch.Count)
            .ToListAsync();
        for (var i = 0; i < batch.Count; i++)
        {
            batch[i].Message.Stored(ids[i]);
        }

        await db.Database.ExecuteSqlRawAsync(
            """
            INSERT INTO messaging.chat_messages ("Id", "ConversationId", "SenderId", "Body", "SentAt")
            SELECT * FROM unnest(@ids, @conversations, @senders, @bodies, @times)
            """,
            new NpgsqlParameter<long[]>("ids", [.. ids]),
            new NpgsqlParameter<Guid[]>("conversations", [.. batch.Select(p => p.Message.ConversationId)]),
            new NpgsqlParameter<Guid[]>("senders", [.. batch.Select(p => p.Message.SenderId)]),
            new NpgsqlParameter<string[]>("bodies", [.. batch.Select(p => p.Message.Body)]),
            new NpgsqlParameter<DateTimeOffset[]>("times", [.. batch.Select(p => p.Message.SentAt)]));
    }

    private sealed record PendingMessage(ChatMessage Message, TaskCompletionSource Stored);
}
