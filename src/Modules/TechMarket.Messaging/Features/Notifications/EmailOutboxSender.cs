using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TechMarket.Kernel.Email;
using TechMarket.Messaging.Persistence;

namespace TechMarket.Messaging.Features.Notifications;

/// <summary>Wakes the sender as soon as mail is queued instead of waiting for the next poll.</summary>
public sealed class EmailOutboxSignal
{
    private readonly SemaphoreSlim signal = new(0, 1);

    public void Wake()
    {
        // Usually already awake under load: asking first spares the exception (thrown several times a second in the
        // orders benchmark); the catch stays for the race between the check and the release.
        if (signal.CurrentCount > 0)
        {
            return;
        }

        try
        {
            signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already awake.
        }
    }

    public Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => signal.WaitAsync(timeout, cancellationToken);
}

/// <summary>
/// Sends queued e-mail. Each row is claimed with a conditional update (LockedUntil) so several nodes can run this
/// side by side without sending twice; a failure is retried with exponential backoff up to MaxAttempts.
/// </summary>
public sealed class EmailOutboxSender(
    IServiceScopeFactory scopes,
    IEmailSender email,
    EmailOutboxSignal signal,
    MessagingOptions options,
    TimeProvider clock,
    ILogger<EmailOutboxSender> logger) : BackgroundService
{
    private const int Batch = 50;
    private static readonly TimeSpan ClaimFor = TimeSpan.FromMinutes(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (await SendDueAsync(stoppingToken) > 0)
                {
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogError(ex, "E-mail outbox pass failed");
            }

            try
            {
                await signal.WaitAsync(options.EmailPollInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>
    /// One pass: claims up to <see cref="Batch"/> due e-mails in one UPDATE, sends them, and records every outcome in one
    /// SaveChanges (three statements for the batch instead of three per e-mail); returns how many it tried. As before, an
    /// e-mail sent just before a crash is sent again once its claim expires (at least once, never lost).
    /// </summary>
    public async Task<int> SendDueAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MessagingDbContext>();
        var now = clock.GetUtcNow();
        var due = await db.EmailOutbox.AsNoTracking()
            .Where(e => e.SentAt == null && !e.GaveUp && e.NextAttemptAt <= now && (e.LockedUntil == null || e.LockedUntil < now))
            .OrderBy(e => e.NextAttemptAt)
            .Select(e => e.Id)
            .Take(Batch)
            .ToListAsync(cancellationToken);
        if (due.Count == 0)
        {
            return 0;
        }

        // The claim's expiry doubles as this pass's mark: the rows carrying exactly it are the ones this pass won (another
        // node claiming the same rows writes its own value). Whole microseconds, because PostgreSQL stores no finer, plus a
        // random part so that two nodes starting a pass in the same microsecond still write different values.
        var start = now.AddTicks(-(now.Ticks % 10));
        var lockUntil = start + ClaimFor + TimeSpan.FromMicroseconds(Random.Shared.Next(1_000_000));
        var claimed = await db.EmailOutbox
            .Where(e => due.Contains(e.Id) && e.SentAt == null && (e.LockedUntil == null || e.LockedUntil < now))
            .ExecuteUpdateAsync(s => s.SetProperty(e => e.LockedUntil, lockUntil), cancellationToken);
        if (claimed == 0)
        {
            return 0;
        }

        var items = await db.EmailOutbox.Where(e => due.Contains(e.Id) && e.LockedUntil == lockUntil).ToListAsync(cancellationToken);
        foreach (var item in items)
        {
            try
            {
                await email.SendAsync(new EmailMessage(item.To, item.Subject, item.TextBody), cancellationToken);
                item.Sent(clock.GetUtcNow());
                logger.LogInformation("Queued e-mail {OutboxId} sent", item.Id);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                item.Failed(ex.Message, clock.GetUtcNow(), options.EmailRetryDelay);
                logger.LogWarning(ex, "Queued e-mail {OutboxId} failed (attempt {Attempt}); next try at {NextAttempt}", item.Id, item.Attempts, item.NextAttemptAt);
            }
        }

        await db.SaveChangesAsync(cancellationToken);
        return items.Count;
    }
}
