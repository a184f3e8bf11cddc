using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using TechMarket.Identity.Domain;
using TechMarket.Listings.Domain;
using TechMarket.Listings.Persistence;
using TechMarket.Orders;
using TechMarket.Orders.Catalog;
using TechMarket.Orders.Domain;
using TechMarket.Orders.Features;
using TechMarket.Orders.Features.PlaceOrder;
using TechMarket.Orders.Features.Workflow;
using TechMarket.Orders.Payments;
using TechMarket.Orders.Persistence;
using TechMarket.Payments;

namespace TechMarket.Web.Hosting;

internal static class DemoTradingSetup
{
    public static IHostApplicationBuilder AddDemoTrading(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHttpClient(DemoTrading.BrowserClient, c => c.Timeout = TimeSpan.FromSeconds(15))
            .ConfigurePrimaryHttpMessageHandler(() => new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false });
        builder.Services.AddSingleton<DemoTrading>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<DemoTrading>());
        return builder;
    }
}

/// <summary>
/// The second demo step: orders that hold, release or return money, so the seller console, the buyer's tracking and
/// the operator's monitor show every state. Money reaches escrow only from the bank's signed notification, so this runs
/// once the host (with its embedded sandbox bank) listens: it places orders through the real handler (minutes ago),
/// starts each payment as the pay button does, confirms it at the sandbox bank over loopback as the buyer's browser
/// would, waits for the notification to mark the order paid, then delivers, accepts, refunds and disputes through the
/// workflow. Same switch as <see cref="OrdersSeeder"/> (Seed:DemoData and Seed:DemoOrders), only with the embedded
/// sandbox bank (Payments:SandboxBank:Autostart), never in Production; once: skipped when demo trades exist. Payments
/// and what follows are dated now (a bank does not pay in the past), so "paid today" shows them and "time to deliver"
/// reads seconds.
/// </summary>
internal sealed partial class DemoTrading(
    IServiceScopeFactory scopes,
    IHostApplicationLifetime lifetime,
    IHostEnvironment environment,
    IConfiguration configuration,
    IHttpClientFactory http,
    ILogger<DemoTrading> logger) : BackgroundService
{
    /// <summary>Idempotency keys of these orders start with this; their presence means the step already ran.</summary>
    public const string KeyPrefix = "demo-trade-";

    public const string BrowserClient = "demo-trading-browser";

    private static readonly TimeSpan PaymentWait = TimeSpan.FromSeconds(60);

    private readonly TaskCompletionSource<int> finished = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public enum Story
    {
        Paid,
        Delivered,
        Completed,
        RefundRequested,
        Refunded,
        Disputed,
    }

    /// <summary>Where each order ends; the buyer alternates with the listing's owner.</summary>
    public static IReadOnlyList<Story> Script { get; } =
        [Story.Completed, Story.Completed, Story.Delivered, Story.Paid, Story.Paid, Story.RefundRequested, Story.Refunded, Story.Disputed];

    /// <summary>How many orders the step traded once it is over (0 when disabled, already done or failed).</summary>
    public Task<int> Finished => finished.Task;

    // Only the embedded sandbox bank is paid (Payments starts it under the same rule): with no bank in this process there
    // is nobody to pay, and orders placed for it would only wait for the unpaid-order sweep.
    private bool SandboxBankInProcess =>
        configuration.GetSection(SandboxBankOptions.Section).GetValue<bool?>(nameof(SandboxBankOptions.Autostart)) ?? environment.IsDevelopment();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var traded = 0;
        try
        {
            if (!environment.IsProduction() && SandboxBankInProcess && await StartedAsync(stoppingToken))
            {
                traded = await TradeAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            // A demo convenience must never take the app down (BackgroundService failures stop the host).
            logger.LogWarning(e, "Demo trading stopped early; the demo has no paid orders beyond what was done");
        }
        finally
        {
            finished.TrySetResult(traded);
        }
    }

    // The bank's notification needs the app listening, which it is only after every hosted service has started.
    private async Task<bool> StartedAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var onStarted = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        await using var onStopping = stoppingToken.Register(() => started.TrySetCanceled(stoppingToken));
        await started.Task;
        return true;
    }

    private async Task<int> TradeAsync(CancellationToken cancellationToken)
    {
        var (people, listings) = await InScopeAsync(async sp =>
        {
            if (!sp.GetRequiredService<OrdersSeeder>().Enabled
                || await sp.GetRequiredService<OrdersDbContext>().Orders.AnyAsync(o => o.IdempotencyKey.StartsWith(KeyPrefix), cancellationToken))
            {
                return (default((Guid, Guid)), (ILookup<Guid, Guid>?)null);
            }

            var users = sp.GetRequiredService<UserManager<Member>>();
            if (await users.FindByNameAsync(OrdersSeeder.DemoPerson) is not { } person || await users.FindByNameAsync(OrdersSeeder.DemoCompany) is not { } company)
            {
                return (default, null);
            }

            // Newest listings first: the first demo step took the oldest, and some of its orders still hold theirs.
            var owners = new[] { person.Id, company.Id };
            var owned = await sp.GetRequiredService<ListingsDbContext>().Listings.AsNoTracking()
                .Where(l => owners.Contains(l.OwnerId) && l.Status == PublicationStatus.Published)
                .OrderByDescending(l => l.Id).Select(l => new { l.Id, l.OwnerId }).ToListAsync(cancellationToken);
            return ((person.Id, company.Id), owned.ToLookup(l => l.OwnerId, l => l.Id));
        });
        if (listings is null)
        {
            return 0;
        }

        var placed = await PlaceAsync(people.Item1, people.Item2, listings, cancellationToken);
        foreach (var (order, _) in placed)
        {
            await PayAtBankAsync(order, cancellationToken);
        }

        var paid = await WaitUntilPaidAsync(placed.Select(p => p.Order.Id).ToList(), cancellationToken);
        foreach (var (order, story) in placed.Where(p => paid.Contains(p.Order.Id)))
        {
            await PlayAsync(order, story, cancellationToken);
        }

        var states = await InScopeAsync(async sp =>
        {
            var ids = placed.Select(p => p.Order.Id).ToList();
            return await sp.GetRequiredService<OrdersDbContext>().Orders.AsNoTracking().Where(o => ids.Contains(o.Id)).Select(o => new { o.State, o.Disputed }).ToListAsync(cancellationToken);
        });
        var summary = string.Join(", ", states.GroupBy(s => s.Disputed ? "Disputed" : s.State.ToString()).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} {g.Count()}"));
        logger.LogInformation("Seeded {Count} demo orders paid at the sandbox bank just now: {States}", placed.Count, summary);
        if (paid.Count < placed.Count)
        {
            logger.LogWarning("{Missing} demo payments were not confirmed within {Wait}; is Payments:PublicBaseUrl this app's address? The payment sweeper will settle them", placed.Count - paid.Count, PaymentWait);
        }

        return placed.Count;
    }

    private async Task<List<(Order Order, Story Story)>> PlaceAsync(Guid personId, Guid companyId, ILookup<Guid, Guid> listings, CancellationToken cancellationToken)
    {
        var placed = new List<(Order, Story)>();
        var unused = new Dictionary<Guid, Queue<Guid>> { [personId] = new(listings[personId]), [companyId] = new(listings[companyId]) };
        foreach (var (index, story) in Script.Index())
        {
            // The two members take turns buying, so each has purchases to track and sales (and a balance) to look at.
            var offered = unused[index % 2 == 0 ? companyId : personId];
            // Placed a few minutes apart, the last a few minutes ago, so "time to pay" reads like buyers taking their
            // time; all within Orders:UnpaidTimeout (30 min by default), so the unpaid sweep leaves them alone.
            var placedAgo = PlacedAgo(index);
            while (offered.TryDequeue(out var listingId))
            {
                var order = await InScopeAsync(sp => OrdersSeeder.PlaceDemoOrderAsync(
                    ActivatorUtilities.CreateInstance<PlaceOrderHandler>(sp, new EarlierClock(sp.GetRequiredService<TimeProvider>(), placedAgo)),
                    sp.GetRequiredService<IOrderCatalog>(), listingId, (personId, companyId), KeyPrefix, cancellationToken));
                if (order is not null)
                {
                    placed.Add((order, story));
                    break;
                }
            }
        }

        return placed;
    }

    /// <summary>How long before the payment the order at <paramref name="index"/> of <see cref="Script"/> is placed.</summary>
    public static TimeSpan PlacedAgo(int index) => TimeSpan.FromMinutes(25 - (3 * index));

    /// <summary>The pay button's payment, then the buyer's two clicks at the sandbox bank: open the pay page, confirm.</summary>
    private async Task PayAtBankAsync(Order order, CancellationToken cancellationToken)
    {
        var outcome = await InScopeAsync(sp => sp.GetRequiredService<OrderWorkflow>().PayAsync(order.Id, order.BuyerId, cancellationToken));
        if (outcome is not { Succeeded: true, Extra: OrderPaymentIntent { PayUrl: { Length: > 0 } payUrl } })
        {
            throw new InvalidOperationException($"Demo order {order.Number}: no payment page ({outcome.Code}).");
        }

        // Only the sandbox bank on this machine is paid: a real gateway configured here must never see a demo payment.
        var page = new Uri(payUrl);
        if (!page.IsLoopback)
        {
            throw new InvalidOperationException($"Demo order {order.Number}: the payment page {page.Host} is not the local sandbox bank.");
        }

        var browser = http.CreateClient(BrowserClient);
        var html = await browser.GetStringAsync(page, cancellationToken);
        if (ConfirmForm().Match(html) is not { Success: true } form)
        {
            throw new InvalidOperationException($"Demo order {order.Number}: the bank's pay page has no confirm button.");
        }

        using var confirmed = await browser.PostAsync(new Uri(page, form.Groups["action"].Value), new FormUrlEncodedContent([]), cancellationToken);
        if ((int)confirmed.StatusCode is < 200 or >= 400)
        {
            throw new InvalidOperationException($"Demo order {order.Number}: the bank answered {(int)confirmed.StatusCode} to the payment.");
        }
    }

    private async Task<HashSet<Guid>> WaitUntilPaidAsync(List<Guid> ids, CancellationToken cancellationToken)
    {
        var deadline = DateTimeOffset.UtcNow + PaymentWait;
        while (true)
        {
            var paid = await InScopeAsync(async sp => await sp.GetRequiredService<OrdersDbContext>().Orders.AsNoTracking()
                .Where(o => ids.Contains(o.Id) && o.State != OrderState.PendingPayment).Select(o => o.Id).ToListAsync(cancellationToken));
            if (paid.Count == ids.Count || DateTimeOffset.UtcNow > deadline)
            {
                return [.. paid];
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
        }
    }

    // Each step in its own scope, as each would be its own request: a context that tracked the order before the bank's
    // notification would keep the stale state.
    private async Task PlayAsync(Order order, Story story, CancellationToken cancellationToken)
    {
        var (buyer, seller) = (order.BuyerId, order.SellerId);
        if (story is Story.Delivered or Story.Completed or Story.Disputed)
        {
            await StepAsync(order, (w, ct) => DeliverAsync(w, order, ct), cancellationToken);
        }

        switch (story)
        {
            case Story.Completed:
                await StepAsync(order, (w, ct) => w.AcceptAsync(order.Id, buyer, ct), cancellationToken);
                break;
            case Story.RefundRequested:
                await StepAsync(order, (w, ct) => w.RequestRefundAsync(order.Id, buyer, "采购计划取消，申请退款", ct), cancellationToken);
                break;
            case Story.Refunded:
                await StepAsync(order, (w, ct) => w.RequestRefundAsync(order.Id, buyer, "重复下单，申请退款", ct), cancellationToken);
                await StepAsync(order, (w, ct) => w.RefundAsync(order.Id, seller, false, "同意退款", ct), cancellationToken);
                break;
            case Story.Disputed:
                await StepAsync(order, (w, ct) => w.DisputeAsync(order.Id, buyer, "交付的材料与约定的技术参数不一致", ct), cancellationToken);
                break;
        }
    }

    private static async Task<OrderOutcome> DeliverAsync(OrderWorkflow workflow, Order order, CancellationToken cancellationToken)
    {
        var text = $"订单 {order.Number}：{order.ListingTitle}\n交付内容：技术资料包、实施说明、联系人。\n";
        await using var file = new MemoryStream(Encoding.UTF8.GetBytes(text));
        return await workflow.DeliverAsync(order.Id, order.SellerId, "技术资料已上传，请查收并确认。", [new DeliveryFile("交付说明.txt", "text/plain", file)], cancellationToken);
    }

    private async Task StepAsync(Order order, Func<OrderWorkflow, CancellationToken, Task<OrderOutcome>> step, CancellationToken cancellationToken)
    {
        var outcome = await InScopeAsync(sp => step(sp.GetRequiredService<OrderWorkflow>(), cancellationToken));
        if (!outcome.Succeeded)
        {
            throw new InvalidOperationException($"Demo order {order.Number}: step refused ({outcome.Code}).");
        }
    }

    private async Task<T> InScopeAsync<T>(Func<IServiceProvider, Task<T>> body)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await body(scope.ServiceProvider);
    }

    private sealed class EarlierClock(TimeProvider clock, TimeSpan earlier) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => clock.GetUtcNow() - earlier;
    }

    [GeneratedRegex("action=\"(?<action>/pay/[0-9a-f]+/confirm)\"", RegexOptions.CultureInvariant)]
    private static partial Regex ConfirmForm();
}
