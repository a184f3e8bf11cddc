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
/// notification, its e-mail and the unread count costs several database round trips per recipient, which a buyer
/// pressing "buy" should not wait for. A bounded channel (back pressure when full) feeds a few workers, each sending in
/// its own scope. Notifications were already best effort (a failure never undoes the transition); a crash loses the
/// ones still queued, the order's timeline and live push are unaffected. Stopping the host drains the queue.
/// </summary>
public sealed class OrderNotifications(IServiceScopeFactory scopes, ILogger<OrderNotifications> logger) : BackgroundService
{
    private const int Workers = 4;

    private readonly Channel<OrderNotice> queue = Channel.CreateBounded<OrderNotice>(new BoundedChannelOptions(10_000)
    {
        FullMode = BoundedChannelFullMode.Wait,
    });

    public ValueTask EnqueueAsync(OrderNotice notice, CancellationToken cancellationToken = default) =>
        queue.Writer.WriteAsync(notice, cancellationToken);

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        queue.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, Workers).Select(_ => Task.Run(WorkAsync, CancellationToken.None)));

    private async Task WorkAsync()
    {
        await foreach (var notice in queue.Reader.ReadAllAsync())
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                if (scope.ServiceProvider.GetService<INotificationSender>() is { } sender)
                {
                    await sender.NotifyAsync(notice.MemberId, notice.Kind, notice.Template, notice.Args, notice.Link, CancellationToken.None);
                }
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "Notification for order {OrderId} ({Template}) failed", notice.OrderId, notice.Template);
            }
        }
    }
}
