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

    /// <summary>One pass: sends up to 20 due e-mails; returns how many it tried.</summary>
    public async Task<int> SendDueAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MessagingDbContext>();
        var now = clock.GetUtcNow();
        var due = await db.EmailOutbox.AsNoTracking()
            .Where(e => e.SentAt == null && !e.GaveUp && e.NextAttemptAt <= now && (e.LockedUntil == null || e.LockedUntil < now))
            .OrderBy(e => e.NextAttemptAt)
            .Select(e => e.Id)
            .Take(20)
            .ToListAsync(cancellationToken);
        var tried = 0;
        foreach (var id in due)
        {
            var lockUntil = now + ClaimFor;
            var claimed = await db.EmailOutbox
                .Where(e => e.Id == id && e.SentAt == null && (e.LockedUntil == null || e.LockedUntil < now))
                .ExecuteUpdateAsync(s => s.SetProperty(e => e.LockedUntil, lockUntil), cancellationToken);
            if (claimed == 0)
            {
                continue;
            }

            tried++;
            var item = await db.EmailOutbox.SingleAsync(e => e.Id == id, cancellationToken);
            try
            {
                await email.SendAsync(new EmailMessage(item.To, item.Subject, item.TextBody), cancellationToken);
                item.Sent(clock.GetUtcNow());
                logger.LogInformation("Queued e-mail {OutboxId} sent", id);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                item.Failed(ex.Message, clock.GetUtcNow(), options.EmailRetryDelay);
                logger.LogWarning(ex, "Queued e-mail {OutboxId} failed (attempt {Attempt}); next try at {NextAttempt}", id, item.Attempts, item.NextAttemptAt);
            }

            await db.SaveChangesAsync(cancellationToken);
        }

        return tried;
    }
}
