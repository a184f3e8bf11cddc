using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TechMarket.Kernel.Notifications;

namespace TechMarket.Orders.Features.Workflow;

/// <summary>One notification for one member, as <see cref="INotificationSender.NotifyAsync"/> takes it.</summary>
public sealed record OrderNotice(Guid OrderId, Guid MemberId, string Kind, string Template, IReadOnlyList<string> Args, string Link);

/// <summary>
/// Sends order notifications after the request that committed the transition, not inside it: storing a
/// notification, its e-mail and the unread count costs several database round trips, which a buyer pressing "buy"
/// should not wait for. A bounded channel (back pressure when full) feeds one worker that drains whatever has queued
/// up and hands it to Messaging as one batch (<see cref="INotificationSender.NotifyManyAsync"/>): under load many
/// orders share the same few round trips, when quiet a batch is one notification and goes out at once. If a batch
/// fails, its notifications are retried one by one so that one bad notice does not silence the others.
/// Notifications were already best effort (a failure never undoes the transition); a crash loses the ones still
/// queued, the order's timeline and live push are unaffected. Stopping the host drains the queue.
/// </summary>
public sealed class OrderNotifications(IServiceScopeFactory scopes, ILogger<OrderNotifications> logger) : BackgroundService
{
    private const int MaxBatch = 500;

    private readonly Channel<OrderNotice> queue = Channel.CreateBounded<OrderNotice>(new BoundedChannelOptions(10_000)
    {
        FullMode = BoundedChannelFullMode.Wait,
        SingleReader = true,
    });

    public ValueTask EnqueueAsync(OrderNotice notice, CancellationToken cancellationToken = default) =>
        queue.Writer.WriteAsync(notice, cancellationToken);

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        queue.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => Task.Run(WorkAsync, CancellationToken.None);

    private async Task WorkAsync()
    {
        var batch = new List<OrderNotice>(MaxBatch);
        while (await queue.Reader.WaitToReadAsync())
        {
            while (batch.Count < MaxBatch && queue.Reader.TryRead(out var notice))
            {
                batch.Add(notice);
            }

            try
            {
                await SendAsync(batch);
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "{Count} order notifications failed together; sending them one by one", batch.Count);
                foreach (var notice in batch)
                {
                    try
                    {
                        await SendAsync([notice]);
                    }
                    catch (Exception one)
                    {
                        logger.LogWarning(one, "Notification for order {OrderId} ({Template}) failed", notice.OrderId, notice.Template);
                    }
                }
            }

            batch.Clear();
        }
    }

    private async Task SendAsync(IReadOnlyList<OrderNotice> notices)
    {
        await using var scope = scopes.CreateAsyncScope();
        if (scope.ServiceProvider.GetService<INotificationSender>() is { } sender)
        {
            await sender.NotifyManyAsync([.. notices.Select(n => new NotificationRequest(n.MemberId, n.Kind, n.Template, n.Args, n.Link))], CancellationToken.None);
        }
    }
}
