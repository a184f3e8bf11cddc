using Microsoft.EntityFrameworkCore;
using TechMarket.Orders.Domain;
using TechMarket.Orders.Persistence;

namespace TechMarket.Orders.Features.Monitoring;

public sealed record MinuteCount(DateTimeOffset Minute, int Orders, int Paid);

public sealed record StateCount(string State, int Count);

public sealed record OrderAlert(string Kind, Guid OrderId, string Number, string State, decimal Amount, DateTimeOffset Since, string Detail);

public sealed record FeedItem(long Id, Guid OrderId, string Number, string Kind, string? From, string To, decimal? Amount, DateTimeOffset At, string? Reason);

public sealed record MonitorSnapshot(
    DateTimeOffset At,
    double OrdersPerMinute,
    int OrdersToday,
    decimal PaidAmountToday,
    int PaidToday,
    double? AverageMinutesToPay,
    double? AverageHoursToDeliver,
    IReadOnlyList<StateCount> ByState,
    IReadOnlyList<MinuteCount> LastHour,
    IReadOnlyList<OrderAlert> Alerts,
    IReadOnlyList<FeedItem> Feed);

/// <summary>
/// The operator's live figures, read from the database on every call so every app node shows the same numbers.
/// Aggregation over a bounded window (the last 24 hours, live orders, 30 days per seller) runs in the app because
/// SQLite stores decimals as text.
/// </summary>
public sealed class OrderMonitor(OrdersDbContext db, OrdersOptions options, TimeProvider clock)
{
    public static class AlertKinds
    {
        public const string UnpaidPastTimeout = "unpaid-timeout";
        public const string NotDelivered = "not-delivered";
        public const string CallbackFailing = "callback-failing";
        public const string PriceChurn = "price-churn";
        public const string LargeOrder = "large-order";
        public const string Disputed = "disputed";
        public const string ReleaseFailed = "release-failed";
    }

    public async Task<MonitorSnapshot> SnapshotAsync(CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        var dayStart = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero);
        var hourAgo = now.AddHours(-1);
        var since = now.AddDays(-1) < dayStart ? now.AddDays(-1) : dayStart;

        var recent = await db.Orders.AsNoTracking()
            .Where(o => o.CreatedAt >= since || (o.PaidAt != null && o.PaidAt >= since))
            .Select(o => new { o.CreatedAt, o.PaidAt, o.DeliveredAt, o.PaidAmount })
            .ToListAsync(cancellationToken);
        var byState = await db.Orders.AsNoTracking().GroupBy(o => o.State).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(cancellationToken);

        var lastHour = Enumerable.Range(0, 60)
            .Select(i => Truncate(hourAgo).AddMinutes(i + 1))
            .Select(m => new MinuteCount(
                m,
                recent.Count(o => o.CreatedAt >= m && o.CreatedAt < m.AddMinutes(1)),
                recent.Count(o => o.PaidAt is { } p && p >= m && p < m.AddMinutes(1))))
            .ToList();
        var paidToday = recent.Where(o => o.PaidAt is { } p && p >= dayStart).ToList();
        var toPay = recent.Where(o => o.PaidAt is not null && o.CreatedAt >= since).Select(o => (o.PaidAt!.Value - o.CreatedAt).TotalMinutes).ToList();
        var toDeliver = recent.Where(o => o.PaidAt is not null && o.DeliveredAt is not null).Select(o => (o.DeliveredAt!.Value - o.PaidAt!.Value).TotalHours).ToList();

        return new MonitorSnapshot(
            now,
            recent.Count(o => o.CreatedAt >= now.AddMinutes(-10)) / 10.0,
            recent.Count(o => o.CreatedAt >= dayStart),
            paidToday.Sum(o => o.PaidAmount ?? 0),
            paidToday.Count,
            toPay.Count > 0 ? toPay.Average() : null,
            toDeliver.Count > 0 ? toDeliver.Average() : null,
            Enum.GetValues<OrderState>().Select(s => new StateCount(s.ToString(), byState.FirstOrDefault(b => b.Key == s)?.Count ?? 0)).ToList(),
            lastHour,
            await AlertsAsync(now, cancellationToken),
            await FeedAsync(30, cancellationToken));
    }

    public async Task<IReadOnlyList<FeedItem>> FeedAsync(int take, CancellationToken cancellationToken = default) =>
        (await db.Events.AsNoTracking()
            .Join(db.Orders, e => e.OrderId, o => o.Id, (e, o) => new { e, o.Number })
            .OrderByDescending(x => x.e.Id)
            .Take(take)
            .ToListAsync(cancellationToken))
        .Select(x => new FeedItem(x.e.Id, x.e.OrderId, x.Number, x.e.Kind, x.e.FromState?.ToString(), x.e.ToState.ToString(), x.e.NewAmount, x.e.At, x.e.Reason))
        .ToList();

    public async Task<IReadOnlyList<OrderAlert>> AlertsAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var unpaidDeadline = now - options.UnpaidTimeout;
        var deliveryDeadline = now.AddDays(-options.DeliveryAlertDays);
        var callbackDeadline = now.AddMinutes(-10);
        var live = await db.Orders.AsNoTracking()
            .Where(o => (o.State == OrderState.PendingPayment && (o.CreatedAt <= unpaidDeadline || o.PriceChanges > options.PriceChangeAlert || o.RefusedPayments > 0 || (o.PaymentReference != null && o.UpdatedAt <= callbackDeadline)))
                || (o.State == OrderState.Paid && o.PaidAt <= deliveryDeadline)
                || o.PriceChanges > options.PriceChangeAlert
                || o.RefusedPayments > 0
                || o.Disputed)
            .OrderByDescending(o => o.CreatedAt)
            .Take(200)
            .ToListAsync(cancellationToken);
        var alerts = new List<OrderAlert>();
        foreach (var o in live)
        {
            if (o.State == OrderState.PendingPayment && o.CreatedAt <= unpaidDeadline)
            {
                alerts.Add(Alert(AlertKinds.UnpaidPastTimeout, o, o.CreatedAt, $"{(now - o.CreatedAt).TotalMinutes:0} min"));
            }

            if (o.State == OrderState.Paid && o.PaidAt <= deliveryDeadline)
            {
                alerts.Add(Alert(AlertKinds.NotDelivered, o, o.PaidAt!.Value, $"{(now - o.PaidAt!.Value).TotalDays:0.0} d"));
            }

            if (o.RefusedPayments > 0 || (o.State == OrderState.PendingPayment && o.PaymentReference != null && o.UpdatedAt <= callbackDeadline))
            {
                alerts.Add(Alert(AlertKinds.CallbackFailing, o, o.UpdatedAt, o.RefusedPayments > 0 ? $"refused {o.RefusedPayments}" : "no callback"));
            }

            if (o.PriceChanges > options.PriceChangeAlert)
            {
                alerts.Add(Alert(AlertKinds.PriceChurn, o, o.UpdatedAt, $"{o.PriceChanges}×"));
            }

            if (o.Disputed)
            {
                alerts.Add(Alert(AlertKinds.Disputed, o, o.UpdatedAt, o.DisputeReason ?? ""));
            }
        }

        var releaseFailed = await db.Events.AsNoTracking()
            .Where(e => e.Kind == OrderEventKinds.ReleaseFailed && e.At >= now.AddDays(-7))
            .Join(db.Orders.Where(o => o.State == OrderState.Accepted), e => e.OrderId, o => o.Id, (e, o) => o)
            .Distinct()
            .ToListAsync(cancellationToken);
        alerts.AddRange(releaseFailed.Select(o => Alert(AlertKinds.ReleaseFailed, o, o.UpdatedAt, "escrow release failed")));

        // An order much larger than the seller's usual: compared with the seller's other orders of the last 30 days.
        var month = now.AddDays(-30);
        var recent = await db.Orders.AsNoTracking().Where(o => o.CreatedAt >= month && o.State != OrderState.Cancelled).Select(o => new { o.Id, o.SellerId, o.Amount }).ToListAsync(cancellationToken);
        var large = recent.GroupBy(o => o.SellerId)
            .SelectMany(g => g.Where(o => g.Count(x => x.Id != o.Id) >= 3 && o.Amount > options.LargeOrderFactor * g.Where(x => x.Id != o.Id).Average(x => x.Amount)).Select(o => o.Id))
            .Take(50)
            .ToList();
        if (large.Count > 0)
        {
            var orders = await db.Orders.AsNoTracking().Where(o => large.Contains(o.Id)).ToListAsync(cancellationToken);
            alerts.AddRange(orders.Select(o => Alert(AlertKinds.LargeOrder, o, o.CreatedAt, $"> {options.LargeOrderFactor}× avg")));
        }

        return alerts.OrderByDescending(a => a.Since).ToList();
    }

    private static OrderAlert Alert(string kind, Order o, DateTimeOffset since, string detail) => new(kind, o.Id, o.Number, o.State.ToString(), o.Amount, since, detail);

    private static DateTimeOffset Truncate(DateTimeOffset t) => new(t.Year, t.Month, t.Day, t.Hour, t.Minute, 0, TimeSpan.Zero);
}
