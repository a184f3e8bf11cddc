using System.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using TechMarket.Kernel.Auditing;
using TechMarket.Payments.Domain;
using TechMarket.Payments.Persistence;

namespace TechMarket.Payments.Features.Withdrawals;

public sealed record Balance(decimal Available, decimal WithdrawalsPending, decimal PaidOut);

public sealed record LedgerLine(DateTimeOffset At, string Kind, string? Reference, decimal Debit, decimal Credit);

public sealed record WithdrawalView(Guid Id, Guid MemberId, decimal Amount, string BankName, string Account, string AccountName, string Status, DateTimeOffset RequestedAt, DateTimeOffset? DecidedAt, string? Note);

public sealed record WithdrawalRequest(decimal Amount, string? BankName, string? AccountNumber, string? AccountName);

/// <summary>A seller's balance is the seller-payable account in the ledger; withdrawals move it out, reserved until an operator confirms.</summary>
internal sealed class Balances(PaymentsDbContext db, TimeProvider clock, ILogger<Balances> logger)
{
    public async Task<Balance> GetAsync(Guid memberId, CancellationToken cancellationToken = default)
    {
        var account = Accounts.SellerPayable(memberId);
        var lines = await db.Ledger.AsNoTracking().Where(e => e.Account == account).Select(e => new { e.Debit, e.Credit }).ToListAsync(cancellationToken);
        var pending = await db.Withdrawals.AsNoTracking().Where(w => w.MemberId == memberId && w.Status == WithdrawalStatus.Requested).Select(w => w.Amount).ToListAsync(cancellationToken);
        var paid = await db.Withdrawals.AsNoTracking().Where(w => w.MemberId == memberId && w.Status == WithdrawalStatus.Confirmed).Select(w => w.Amount).ToListAsync(cancellationToken);
        return new Balance(lines.Sum(l => l.Credit) - lines.Sum(l => l.Debit), pending.Sum(), paid.Sum());
    }

    public async Task<IReadOnlyList<LedgerLine>> TransactionsAsync(Guid memberId, CancellationToken cancellationToken = default)
    {
        var account = Accounts.SellerPayable(memberId);
        var rows = await db.Ledger.AsNoTracking().Where(e => e.Account == account).OrderByDescending(e => e.Id).Take(200).ToListAsync(cancellationToken);
        return rows.Select(e => new LedgerLine(e.At, e.Kind, e.Reference, e.Debit, e.Credit)).ToList();
    }

    public async Task<PaymentResult<WithdrawalView>> RequestAsync(Guid memberId, WithdrawalRequest request, CancellationToken cancellationToken = default)
    {
        var bank = request.BankName?.Trim() ?? "";
        var number = new string((request.AccountNumber ?? "").Where(c => !char.IsWhiteSpace(c)).ToArray());
        var name = request.AccountName?.Trim() ?? "";
        var (field, error) =
            Escrow.PaymentService.AmountError(request.Amount) is { } amountError ? ("amount", amountError)
            : bank.Length is 0 or > 64 ? ("bankName", "BankName")
            : number.Length is < 8 or > 32 || !number.All(char.IsAsciiDigit) ? ("accountNumber", "AccountNumber")
            : name.Length is 0 or > 64 ? ("accountName", "AccountName")
            : (null, null);
        if (error is not null)
        {
            return await RejectAsync<WithdrawalView>(memberId, field!, error, cancellationToken);
        }

        // Serializable: two requests at once cannot both spend the same balance (the loser retries and re-reads).
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await using var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.Serializable, cancellationToken);
                var balance = await GetAsync(memberId, cancellationToken);
                if (request.Amount > balance.Available)
                {
                    await transaction.RollbackAsync(cancellationToken);
                    return await RejectAsync<WithdrawalView>(memberId, "amount", "AboveBalance", cancellationToken);
                }

                var now = clock.GetUtcNow();
                var withdrawal = Withdrawal.Request(memberId, request.Amount, bank, number, name, now);
                db.Withdrawals.Add(withdrawal);
                db.Post(new Posting("withdrawal-requested", now).Debit(Accounts.SellerPayable(memberId), request.Amount, memberId).Credit(Accounts.WithdrawalsPending, request.Amount));
                db.AuditLog.Add(AuditEntry.Record(now, memberId, "withdrawal.requested", "withdrawal", withdrawal.Id.ToString(), $"{request.Amount:0.00} to {withdrawal.MaskedAccount}"));
                await db.SaveChangesAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                logger.LogInformation("Withdrawal {Id} of {Amount} CNY requested by {Member}", withdrawal.Id, request.Amount, memberId);
                return PaymentResult.Ok<WithdrawalView>(View(withdrawal));
            }
            catch (Exception e) when (attempt < 8 && e is DbUpdateException or InvalidOperationException or System.Data.Common.DbException)
            {
                db.ChangeTracker.Clear();
                await Task.Delay(Random.Shared.Next(10, 60) * (attempt + 1), cancellationToken);
            }
        }
    }

    public async Task<PaymentResult<WithdrawalView>> DecideAsync(Guid withdrawalId, bool confirm, Guid operatorId, string? note, CancellationToken cancellationToken = default)
    {
        var withdrawal = await db.Withdrawals.SingleOrDefaultAsync(w => w.Id == withdrawalId, cancellationToken);
        if (withdrawal is null)
        {
            return PaymentResult.Missing<WithdrawalView>();
        }

        if (withdrawal.Status != WithdrawalStatus.Requested)
        {
            return PaymentResult.Rejected<WithdrawalView>("id", "AlreadyDecided");
        }

        var now = clock.GetUtcNow();
        withdrawal.Decide(confirm, operatorId, note?.Trim() is { Length: > 0 } n ? n[..Math.Min(n.Length, 256)] : null, now);
        db.Post(confirm
            ? new Posting("withdrawal-paid", now).Debit(Accounts.WithdrawalsPending, withdrawal.Amount).Credit(Accounts.BankClearing, withdrawal.Amount)
            : new Posting("withdrawal-rejected", now).Debit(Accounts.WithdrawalsPending, withdrawal.Amount).Credit(Accounts.SellerPayable(withdrawal.MemberId), withdrawal.Amount, withdrawal.MemberId));
        db.AuditLog.Add(AuditEntry.Record(now, operatorId, confirm ? "withdrawal.confirmed" : "withdrawal.rejected", "withdrawal", withdrawal.Id.ToString(), note));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return PaymentResult.Rejected<WithdrawalView>("id", "AlreadyDecided");
        }

        return PaymentResult.Ok<WithdrawalView>(View(withdrawal));
    }

    public static WithdrawalView View(Withdrawal w) =>
        new(w.Id, w.MemberId, w.Amount, w.BankName, w.MaskedAccount, w.AccountName, w.Status.ToString(), w.RequestedAt, w.DecidedAt, w.Note);

    private async Task<PaymentResult<T>> RejectAsync<T>(Guid memberId, string field, string code, CancellationToken cancellationToken)
    {
        db.ChangeTracker.Clear();
        db.SecurityEvents.Add(SecurityEvent.Record(clock.GetUtcNow(), "rejected", null, null, $"withdrawal by {memberId}: {field} {code}"));
        await db.SaveChangesAsync(cancellationToken);
        return PaymentResult.Rejected<T>(field, code);
    }
}
