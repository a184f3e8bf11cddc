using System.Data.Common;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using TechMarket.Kernel.Auditing;
using TechMarket.Kernel.Persistence;
using TechMarket.Payments.Domain;
using TechMarket.Payments.Gateways;
using TechMarket.Payments.Persistence;

namespace TechMarket.Payments.Features.Escrow;

/// <summary>Creates intents, releases escrow to sellers, refunds through the gateway. Each state change and its posting commit together.</summary>
internal sealed partial class PaymentService(
    PaymentsDbContext db,
    DbContextOptions<PaymentsDbContext> contextOptions,
    GatewayRegistry gateways,
    PaymentsOptions options,
    TimeProvider clock,
    ILogger<PaymentService> logger) : IPayments
{
    public const decimal MaxAmount = 10_000_000m;

    public Task<PaymentResult<PaymentView>> CreatePaymentAsync(CreatePayment request, CancellationToken cancellationToken = default) =>
        CreatePaymentAsync(db, request, newReference: false, cancellationToken);

    public async Task<PaymentResult<PaymentView>> CreatePaymentAsync(CreatePayment request, DbTransaction transaction, CancellationToken cancellationToken = default)
    {
        await using var joined = await new PaymentsDbContext(contextOptions).JoinAsync(transaction, cancellationToken);
        // The caller rolls back all or nothing; a savepoint around this SaveChanges would only add two round trips.
        joined.Database.AutoSavepointsEnabled = false;
        return await CreatePaymentAsync(joined, request, newReference: true, cancellationToken);
    }

    /// <param name="newReference">
    /// The caller created the reference in the same transaction, so no payment can carry it yet: no look-up before the
    /// INSERT (the unique index still guards it; a violation then fails the caller's transaction instead of being resolved
    /// here, because PostgreSQL allows nothing more in an aborted transaction).
    /// </param>
    private async Task<PaymentResult<PaymentView>> CreatePaymentAsync(PaymentsDbContext db, CreatePayment request, bool newReference, CancellationToken cancellationToken)
    {
        var reference = request.Reference?.Trim() ?? "";
        if (!ReferencePattern().IsMatch(reference))
        {
            return await RejectAsync<PaymentView>(db, "reference", "Reference", reference, cancellationToken);
        }

        if (AmountError(request.Amount) is { } amountError)
        {
            return await RejectAsync<PaymentView>(db, "amount", amountError, reference, cancellationToken);
        }

        if (request.PayeeId == Guid.Empty || request.PayeeId == request.PayerId)
        {
            return await RejectAsync<PaymentView>(db, "payeeId", "Payee", reference, cancellationToken);
        }

        var gateway = gateways.Find(request.Gateway ?? options.DefaultGateway);
        if (gateway is null)
        {
            return await RejectAsync<PaymentView>(db, "gateway", "Gateway", reference, cancellationToken);
        }

        var subject = string.IsNullOrWhiteSpace(request.Subject) ? reference : request.Subject.Trim();
        if (subject.Length > 128)
        {
            subject = subject[..128];
        }

        var existing = newReference ? null : await db.Payments.AsNoTracking().SingleOrDefaultAsync(p => p.Reference == reference, cancellationToken);
        if (existing is not null)
        {
            // A retried create is the same intent; a different one under the same reference is a conflict.
            return existing.PayerId == request.PayerId && existing.PayeeId == request.PayeeId && existing.Amount == request.Amount
                ? PaymentResult.Ok<PaymentView>(View(existing))
                : await RejectAsync<PaymentView>(db, "reference", "ReferenceTaken", reference, cancellationToken);
        }

        var now = clock.GetUtcNow();
        var payment = Payment.Create(reference, request.PayerId, request.PayeeId, request.Amount, subject, gateway.Name, now);
        db.Payments.Add(payment);
        db.AuditLog.Add(AuditEntry.Record(now, request.PayerId, "payment.created", "payment", reference, $"{payment.Amount:0.00} CNY to {payment.PayeeId}"));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException) when (!newReference)
        {
            // The same create raced in (a retried request, or buy now and its replay at once): the same intent answers both.
            db.ChangeTracker.Clear();
            var raced = await db.Payments.AsNoTracking().SingleOrDefaultAsync(p => p.Reference == reference, cancellationToken);
            return raced is not null && raced.PayerId == request.PayerId && raced.PayeeId == request.PayeeId && raced.Amount == request.Amount
                ? PaymentResult.Ok<PaymentView>(View(raced))
                : await RejectAsync<PaymentView>(db, "reference", "ReferenceTaken", reference, cancellationToken);
        }

        logger.LogInformation("Payment {Reference} created for {Amount} CNY", reference, payment.Amount);
        return PaymentResult.Ok<PaymentView>(View(payment));
    }

    public async Task<PaymentView?> GetAsync(string reference, CancellationToken cancellationToken = default)
    {
        var payment = await db.Payments.AsNoTracking().SingleOrDefaultAsync(p => p.Reference == reference, cancellationToken);
        return payment is null ? null : View(payment);
    }

    public async Task<PaymentResult<PaymentView>> ReleaseAsync(string reference, decimal amount, Guid? actorId, CancellationToken cancellationToken = default)
    {
        if (AmountError(amount) is { } amountError)
        {
            return await RejectAsync<PaymentView>("amount", amountError, reference, cancellationToken);
        }

        for (var attempt = 0; ; attempt++)
        {
            var payment = await db.Payments.SingleOrDefaultAsync(p => p.Reference == reference, cancellationToken);
            if (payment is null)
            {
                return PaymentResult.Missing<PaymentView>();
            }

            if (payment.Status != PaymentStatus.Paid)
            {
                return await RejectAsync<PaymentView>("reference", "NotPaid", reference, cancellationToken);
            }

            if (amount > payment.Held)
            {
                return await RejectAsync<PaymentView>("amount", "AboveHeld", reference, cancellationToken);
            }

            var fee = decimal.Round(amount * options.PlatformFeeRate, 2, MidpointRounding.AwayFromZero);
            var now = clock.GetUtcNow();
            payment.Release(amount, fee);
            db.Post(new Posting("release", now, payment.Id, reference)
                .Debit(Accounts.Escrow, amount)
                .Credit(Accounts.SellerPayable(payment.PayeeId), amount - fee, payment.PayeeId)
                .Credit(Accounts.PlatformFees, fee));
            db.AuditLog.Add(AuditEntry.Record(now, actorId, "payment.released", "payment", reference, $"{amount:0.00} (fee {fee:0.00})"));
            if (await TrySaveAsync(attempt, cancellationToken))
            {
                logger.LogInformation("Released {Amount} CNY of {Reference} to the seller (fee {Fee})", amount, reference, fee);
                return PaymentResult.Ok<PaymentView>(View(payment));
            }
        }
    }

    public async Task<PaymentResult<RefundView>> RefundAsync(string reference, decimal amount, string reason, Guid? actorId, CancellationToken cancellationToken = default)
    {
        if (AmountError(amount) is { } amountError)
        {
            return await RejectAsync<RefundView>("amount", amountError, reference, cancellationToken);
        }

        reason = string.IsNullOrWhiteSpace(reason) ? "refund" : reason.Trim();
        if (reason.Length > 256)
        {
            return await RejectAsync<RefundView>("reason", "ReasonTooLong", reference, cancellationToken);
        }

        Refund refund;
        Payment payment;
        for (var attempt = 0; ; attempt++)
        {
            var found = await db.Payments.SingleOrDefaultAsync(p => p.Reference == reference, cancellationToken);
            if (found is null)
            {
                return PaymentResult.Missing<RefundView>();
            }

            payment = found;
            if (payment.Status != PaymentStatus.Paid)
            {
                return await RejectAsync<RefundView>("reference", "NotPaid", reference, cancellationToken);
            }

            if (amount > payment.Held)
            {
                return await RejectAsync<RefundView>("amount", "RefundAboveHeld", reference, cancellationToken);
            }

            // Step 1: reserve the money (escrow → refunds in flight) before asking the provider.
            var now = clock.GetUtcNow();
            refund = Refund.Request(payment, amount, reason, actorId, now);
            payment.ReserveRefund(amount);
            db.Refunds.Add(refund);
            db.Post(new Posting("refund-reserved", now, payment.Id, reference).Debit(Accounts.Escrow, amount).Credit(Accounts.RefundsPending, amount));
            db.AuditLog.Add(AuditEntry.Record(now, actorId, "refund.requested", "payment", reference, $"{amount:0.00} {refund.RequestNo}"));
            if (await TrySaveAsync(attempt, cancellationToken))
            {
                break;
            }
        }

        // Step 2: the provider; out_request_no makes a retry of this call harmless.
        var gateway = gateways.Find(payment.Gateway) ?? throw new InvalidOperationException($"Gateway {payment.Gateway} is not configured.");
        GatewayRefundResult result;
        try
        {
            result = await gateway.RefundAsync(reference, amount, refund.RequestNo, reason, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            logger.LogWarning(e, "Refund {RequestNo} of {Reference}: provider unreachable", refund.RequestNo, reference);
            result = new GatewayRefundResult(false, 0, "provider unreachable");
        }

        // Step 3: settle the reservation either way, in one transaction with the refund's new state.
        await CompleteRefundAsync(refund.Id, result, cancellationToken);
        var saved = await db.Refunds.AsNoTracking().SingleAsync(r => r.Id == refund.Id, cancellationToken);
        return saved.Status == RefundStatus.Succeeded
            ? PaymentResult.Ok<RefundView>(View(saved))
            : new PaymentResult<RefundView>(View(saved), "amount", "RefundFailed");
    }

    internal async Task CompleteRefundAsync(Guid refundId, GatewayRefundResult result, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            db.ChangeTracker.Clear();
            var refund = await db.Refunds.SingleAsync(r => r.Id == refundId, cancellationToken);
            if (refund.Status != RefundStatus.Pending)
            {
                return;
            }

            var payment = await db.Payments.SingleAsync(p => p.Id == refund.PaymentId, cancellationToken);
            var now = clock.GetUtcNow();
            refund.Complete(result.Succeeded, result.Error, now);
            payment.CompleteRefund(refund.Amount, result.Succeeded);
            db.Post(result.Succeeded
                ? new Posting("refund-paid", now, payment.Id, payment.Reference).Debit(Accounts.RefundsPending, refund.Amount).Credit(Accounts.BankClearing, refund.Amount)
                : new Posting("refund-failed", now, payment.Id, payment.Reference).Debit(Accounts.RefundsPending, refund.Amount).Credit(Accounts.Escrow, refund.Amount));
            db.AuditLog.Add(AuditEntry.Record(now, null, result.Succeeded ? "refund.succeeded" : "refund.failed", "payment", payment.Reference, result.Error ?? refund.RequestNo));
            if (await TrySaveAsync(attempt, cancellationToken))
            {
                logger.LogInformation("Refund {RequestNo} of {Reference}: {Outcome}", refund.RequestNo, payment.Reference, refund.Status);
                return;
            }
        }
    }

    public string? PayUrl(Payment payment)
    {
        if (payment.Status != PaymentStatus.Created || gateways.Find(payment.Gateway) is not { } gateway)
        {
            return null;
        }

        var baseUrl = options.PublicBaseUrl.TrimEnd('/');
        return gateway.CreatePayment(new GatewayPaymentRequest(
            payment.Reference,
            payment.Amount,
            payment.Subject,
            $"{baseUrl}/payments/notify/{gateway.Name}",
            $"{baseUrl}/payments/return/{gateway.Name}")).Url;
    }

    public PaymentView View(Payment p) => new(
        p.Id, p.Reference, p.PayerId, p.PayeeId, p.Amount, p.Currency, p.Subject, p.Gateway, p.Status.ToString(), p.Held, p.Released, p.Refunded,
        p.FeesCharged, p.ProviderTradeNo, p.CreatedAt, p.PaidAt, PayUrl(p));

    public static RefundView View(Refund r) => new(r.Id, r.Reference, r.RequestNo, r.Amount, r.Reason, r.Status.ToString(), r.Error, r.CreatedAt);

    /// <summary>Null when the amount is a positive CNY amount with at most two decimals, else the error code.</summary>
    public static string? AmountError(decimal amount) =>
        amount <= 0 ? "AmountNotPositive"
        : decimal.Round(amount, 2) != amount ? "AmountFen"
        : amount > MaxAmount ? "AmountTooLarge"
        : null;

    /// <summary>Rejections are recorded (security_events, kind "rejected") so operators can see probing or buggy callers.</summary>
    private Task<PaymentResult<T>> RejectAsync<T>(string field, string code, string? reference, CancellationToken cancellationToken) =>
        RejectAsync<T>(db, field, code, reference, cancellationToken);

    private async Task<PaymentResult<T>> RejectAsync<T>(PaymentsDbContext db, string field, string code, string? reference, CancellationToken cancellationToken)
    {
        db.ChangeTracker.Clear();
        db.SecurityEvents.Add(SecurityEvent.Record(clock.GetUtcNow(), "rejected", reference, null, $"{field}: {code}"));
        await db.SaveChangesAsync(cancellationToken);
        logger.LogWarning("Payment request for {Reference} rejected: {Field} {Code}", reference, field, code);
        return PaymentResult.Rejected<T>(field, code);
    }

    /// <summary>Optimistic concurrency: on a conflict the caller re-reads and re-checks (at most a few times).</summary>
    private async Task<bool> TrySaveAsync(int attempt, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateException) when (attempt < 5)
        {
            db.ChangeTracker.Clear();
            await Task.Delay(Random.Shared.Next(5, 50) * (attempt + 1), cancellationToken);
            return false;
        }
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex ReferencePattern();
}
