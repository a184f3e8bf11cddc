using Microsoft.EntityFrameworkCore;
using TechMarket.Payments.Domain;
using TechMarket.Payments.Features.Withdrawals;
using TechMarket.Payments.Persistence;

namespace TechMarket.Payments.Features.Escrow;

public sealed record SecurityEventView(DateTimeOffset At, string Kind, string? Reference, string? RemoteAddress, string Detail);

public sealed record DifferenceView(string Day, string Kind, string Movement, string Reference, string? ProviderTradeNo, decimal? LedgerAmount, decimal? ProviderAmount);

public sealed record RunView(string Day, string Node, DateTimeOffset StartedAt, DateTimeOffset? FinishedAt, int Differences);

/// <summary>Read side for pages and the API: lists for members and operators.</summary>
internal sealed class PaymentQueries(PaymentsDbContext db, PaymentService payments)
{
    public async Task<Payment?> FindAsync(string reference, CancellationToken cancellationToken = default) =>
        await db.Payments.AsNoTracking().SingleOrDefaultAsync(p => p.Reference == reference, cancellationToken);

    public async Task<IReadOnlyList<PaymentView>> ListAsync(Guid? memberId, string? status, int take, CancellationToken cancellationToken = default)
    {
        var query = db.Payments.AsNoTracking();
        if (memberId is { } id)
        {
            query = query.Where(p => p.PayerId == id || p.PayeeId == id);
        }

        if (Enum.TryParse<PaymentStatus>(status, ignoreCase: true, out var s))
        {
            query = query.Where(p => p.Status == s);
        }

        var rows = await query.OrderByDescending(p => p.CreatedAt).Take(Math.Clamp(take, 1, 500)).ToListAsync(cancellationToken);
        return rows.Select(p => payments.View(p) with { PayUrl = null }).ToList();
    }

    public async Task<IReadOnlyList<RefundView>> RefundsAsync(string? reference, CancellationToken cancellationToken = default)
    {
        var query = db.Refunds.AsNoTracking();
        if (!string.IsNullOrEmpty(reference))
        {
            query = query.Where(r => r.Reference == reference);
        }

        return (await query.OrderByDescending(r => r.CreatedAt).Take(200).ToListAsync(cancellationToken)).Select(PaymentService.View).ToList();
    }

    public async Task<IReadOnlyList<WithdrawalView>> WithdrawalsAsync(Guid? memberId, string? status, CancellationToken cancellationToken = default)
    {
        var query = db.Withdrawals.AsNoTracking();
        if (memberId is { } id)
        {
            query = query.Where(w => w.MemberId == id);
        }

        if (Enum.TryParse<WithdrawalStatus>(status, ignoreCase: true, out var s))
        {
            query = query.Where(w => w.Status == s);
        }

        return (await query.OrderByDescending(w => w.RequestedAt).Take(200).ToListAsync(cancellationToken)).Select(Balances.View).ToList();
    }

    public async Task<IReadOnlyList<RunView>> RunsAsync(CancellationToken cancellationToken = default) =>
        (await db.ReconciliationRuns.AsNoTracking().OrderByDescending(r => r.Day).Take(60).ToListAsync(cancellationToken))
            .Select(r => new RunView(r.Day, r.Node, r.StartedAt, r.FinishedAt, r.Differences)).ToList();

    public async Task<IReadOnlyList<DifferenceView>> DifferencesAsync(string? day, CancellationToken cancellationToken = default)
    {
        var query = db.ReconciliationDifferences.AsNoTracking();
        if (!string.IsNullOrEmpty(day))
        {
            query = query.Where(d => d.Day == day);
        }

        return (await query.OrderByDescending(d => d.Id).Take(500).ToListAsync(cancellationToken))
            .Select(d => new DifferenceView(d.Day, d.Kind.ToString(), d.Movement, d.Reference, d.ProviderTradeNo, d.LedgerAmount, d.ProviderAmount)).ToList();
    }

    public async Task<IReadOnlyList<SecurityEventView>> SecurityEventsAsync(CancellationToken cancellationToken = default) =>
        (await db.SecurityEvents.AsNoTracking().OrderByDescending(e => e.Id).Take(200).ToListAsync(cancellationToken))
            .Select(e => new SecurityEventView(e.At, e.Kind, e.Reference, e.RemoteAddress, e.Detail)).ToList();
}
