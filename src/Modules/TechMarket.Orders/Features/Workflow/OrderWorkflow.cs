using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Logging;
using TechMarket.Kernel.Files;
using TechMarket.Orders.Catalog;
using TechMarket.Orders.Domain;
using TechMarket.Orders.Payments;
using TechMarket.Orders.Persistence;

namespace TechMarket.Orders.Features.Workflow;

public sealed record DeliveryFile(string FileName, string? ContentType, Stream Content);

/// <summary>
/// Every transition after creation. Each one loads the order, checks who asks and the current state, applies one
/// domain method, and saves the order, its timeline event and an audit row in one SaveChanges (the Revision
/// concurrency token refuses a second transition racing on the same order). Events go out after the commit.
/// </summary>
public sealed class OrderWorkflow(
    OrdersDbContext db,
    IOrderCatalog catalog,
    IOrderPayments payments,
    IBlobStore blobs,
    OrderEvents events,
    OrdersOptions options,
    TimeProvider clock,
    ILogger<OrderWorkflow> logger)
{
    public async Task<OrderOutcome> CancelAsync(Guid orderId, Guid actor, bool isStaff, string? reason, CancellationToken cancellationToken = default)
    {
        var order = await db.Orders.FirstOrDefaultAsync(o => o.Id == orderId, cancellationToken);
        if (order is null || !(order.IsParty(actor) || isStaff))
        {
            return OrderOutcome.Missing();
        }

        return await ApplyAsync(order, o => o.Cancel(actor, Reason(reason, "cancelled by " + (actor == o.BuyerId ? "buyer" : "seller")), clock.GetUtcNow()), cancellationToken);
    }

    /// <summary>The unpaid-order timeout: cancels on behalf of the platform (no actor).</summary>
    internal async Task<bool> CancelUnpaidAsync(Guid orderId, CancellationToken cancellationToken)
    {
        var order = await db.Orders.FirstOrDefaultAsync(o => o.Id == orderId, cancellationToken);
        if (order is null || order.State != OrderState.PendingPayment)
        {
            return false;
        }

        var outcome = await ApplyAsync(order, o => o.Cancel(null, "unpaid-timeout", clock.GetUtcNow()), cancellationToken);
        return outcome.Succeeded;
    }

    public async Task<OrderOutcome> ChangePriceAsync(Guid orderId, Guid actor, decimal amount, string? reason, CancellationToken cancellationToken = default)
    {
        var order = await db.Orders.FirstOrDefaultAsync(o => o.Id == orderId, cancellationToken);
        if (order is null || !order.IsParty(actor))
        {
            return OrderOutcome.Missing();
        }

        if (order.SellerId != actor)
        {
            return OrderOutcome.Forbidden("seller-only");
        }

        if (amount <= 0 || amount > 100_000_000m || decimal.Round(amount, 2) != amount)
        {
            return OrderOutcome.Invalid("amount", "amount");
        }

        if (string.IsNullOrWhiteSpace(reason) || reason.Trim().Length > 200)
        {
            return OrderOutcome.Invalid("reason", "reason");
        }

        if (order.State == OrderState.PendingPayment && amount == order.Amount)
        {
            return OrderOutcome.Invalid("amount", "same-amount");
        }

        return await ApplyAsync(order, o => o.ChangePrice(actor, amount, reason.Trim(), clock.GetUtcNow()), cancellationToken);
    }

    /// <summary>Creates (or returns) the payment for the order's current amount; the reference carries the price version.</summary>
    public async Task<OrderOutcome> PayAsync(Guid orderId, Guid actor, CancellationToken cancellationToken = default)
    {
        var order = await db.Orders.FirstOrDefaultAsync(o => o.Id == orderId, cancellationToken);
        if (order is null || !order.IsParty(actor))
        {
            return OrderOutcome.Missing();
        }

        if (order.BuyerId != actor)
        {
            return OrderOutcome.Forbidden("buyer-only");
        }

        if (order.State != OrderState.PendingPayment)
        {
            return OrderOutcome.Refused("state", order);
        }

        var reference = order.PaymentReferenceFor(order.PriceVersion);
        var (intent, error) = await payments.CreateAsync(reference, order.BuyerId, order.SellerId, order.Amount, PlaceOrder.PlaceOrderHandler.PaymentSubject(order), cancellationToken);
        if (intent is null)
        {
            logger.LogWarning("Payment for order {OrderId} was not created: {Error}", order.Id, error);
            return OrderOutcome.Refused("payment-unavailable", order);
        }

        try
        {
            order.StartPayment(reference, clock.GetUtcNow());
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return OrderOutcome.Refused("concurrent", order);
        }

        return OrderOutcome.Ok(order, intent);
    }

    /// <summary>
    /// The Payments module says money arrived. Accepted only for the order's current price version and amount while
    /// it still waits for payment; anything else (a second device paying the old amount, a cancelled order) is
    /// recorded as refused and refunded. Applying the same confirmation twice changes nothing.
    /// </summary>
    public async Task<OrderOutcome> ConfirmPaymentAsync(OrderPaymentConfirmed paid, CancellationToken cancellationToken = default)
    {
        if (!TryParseReference(paid.Reference, out var number, out var version))
        {
            return OrderOutcome.Missing();
        }

        var order = await db.Orders.FirstOrDefaultAsync(o => o.Number == number, cancellationToken);
        if (order is null)
        {
            return OrderOutcome.Missing();
        }

        if (order.State != OrderState.PendingPayment && order.PaymentReference == paid.Reference && order.ProviderTradeNo == paid.ProviderTradeNo)
        {
            return OrderOutcome.Ok(order);
        }

        string? why = order.State != OrderState.PendingPayment ? "state"
            : version != order.PriceVersion ? "stale-price"
            : paid.Amount != order.Amount ? "amount-mismatch"
            : paid.PayerId != order.BuyerId ? "payer"
            : null;
        var now = clock.GetUtcNow();
        if (why is not null)
        {
            var refused = order.RefusePayment(paid.Reference, paid.Amount, why, now);
            db.Events.Add(refused);
            db.AuditLog.Add(OrderEvents.Audit(refused, order));
            await db.SaveChangesAsync(cancellationToken);
            logger.LogWarning("Payment {Reference} for order {OrderId} refused ({Why}); refunding", paid.Reference, order.Id, why);
            var refund = await payments.RefundAsync(paid.Reference, paid.Amount, $"order {order.Number}: {why}", null, cancellationToken);
            if (!refund.Succeeded)
            {
                logger.LogError("Refund of refused payment {Reference} failed: {Error}", paid.Reference, refund.Error);
            }

            await events.PublishAsync(order, refused, cancellationToken);
            return OrderOutcome.Refused(why, order);
        }

        return await ApplyAsync(order, o => o.MarkPaid(paid.Reference, paid.Amount, paid.ProviderTradeNo, paid.PaidAt, now), cancellationToken);
    }

    public async Task<OrderOutcome> DeliverAsync(Guid orderId, Guid actor, string? note, IReadOnlyList<DeliveryFile> files, CancellationToken cancellationToken = default)
    {
        var order = await db.Orders.FirstOrDefaultAsync(o => o.Id == orderId, cancellationToken);
        if (order is null || !order.IsParty(actor))
        {
            return OrderOutcome.Missing();
        }

        if (order.SellerId != actor)
        {
            return OrderOutcome.Forbidden("seller-only");
        }

        if (string.IsNullOrWhiteSpace(note) || note.Trim().Length > 2000)
        {
            return OrderOutcome.Invalid("note", "delivery-note");
        }

        if (files.Count > options.MaxDeliveryFiles)
        {
            return OrderOutcome.Invalid("files", "too-many-files");
        }

        if (order.State != OrderState.Paid)
        {
            return OrderOutcome.Refused("state", order);
        }

        var now = clock.GetUtcNow();
        foreach (var file in files)
        {
            ContentBlob blob;
            try
            {
                blob = await blobs.PutAsync(file.Content, options.MaxDeliveryFileBytes, cancellationToken);
            }
            catch (BlobTooLargeException)
            {
                db.ChangeTracker.Clear();
                return OrderOutcome.Invalid("files", "file-too-large");
            }

            db.Attachments.Add(new OrderAttachment
            {
                Id = Guid.CreateVersion7(now),
                OrderId = order.Id,
                FileName = SafeName(file.FileName),
                ContentType = string.IsNullOrWhiteSpace(file.ContentType) ? "application/octet-stream" : file.ContentType,
                Sha256 = blob.Sha256,
                Length = blob.Length,
                UploadedAt = now,
            });
        }

        return await ApplyAsync(order, o => o.Deliver(actor, note.Trim(), now), cancellationToken);
    }

    /// <summary>The buyer accepts the delivery: the escrow is released to the seller and the order completes.</summary>
    public async Task<OrderOutcome> AcceptAsync(Guid orderId, Guid actor, CancellationToken cancellationToken = default)
    {
        var order = await db.Orders.FirstOrDefaultAsync(o => o.Id == orderId, cancellationToken);
        if (order is null || !order.IsParty(actor))
        {
            return OrderOutcome.Missing();
        }

        if (order.BuyerId != actor)
        {
            return OrderOutcome.Forbidden("buyer-only");
        }

        var accepted = await ApplyAsync(order, o => o.Accept(actor, clock.GetUtcNow()), cancellationToken);
        if (!accepted.Succeeded)
        {
            return accepted;
        }

        return await ReleaseEscrowAsync(order, actor, cancellationToken);
    }

    /// <summary>
    /// The operator's retry for an order stuck in Accepted after an escrow release error: releases again and completes
    /// the order, or records another release-failed event and says so.
    /// </summary>
    public async Task<OrderOutcome> RetryReleaseAsync(Guid orderId, Guid operatorId, CancellationToken cancellationToken = default)
    {
        var order = await db.Orders.FirstOrDefaultAsync(o => o.Id == orderId, cancellationToken);
        if (order is null)
        {
            return OrderOutcome.Missing();
        }

        if (order.State != OrderState.Accepted)
        {
            return OrderOutcome.Refused("state", order);
        }

        var outcome = await ReleaseEscrowAsync(order, operatorId, cancellationToken);
        return outcome.Succeeded && order.State != OrderState.Completed ? OrderOutcome.Refused("release-failed", order) : outcome;
    }

    /// <summary>Releases what the order holds in escrow; retried by the operator when the first attempt failed.</summary>
    public async Task<OrderOutcome> ReleaseEscrowAsync(Order order, Guid? actor, CancellationToken cancellationToken = default)
    {
        if (order.State != OrderState.Accepted || order.PaymentReference is null)
        {
            return OrderOutcome.Refused("state", order);
        }

        var released = await payments.ReleaseAsync(order.PaymentReference, order.PaidAmount ?? order.Amount, actor, cancellationToken);
        if (!released.Succeeded)
        {
            var failed = OrderEvent.For(order, clock.GetUtcNow(), actor, OrderEventKinds.ReleaseFailed, order.State, order.State, released.Error ?? "not-found");
            db.Events.Add(failed);
            db.AuditLog.Add(OrderEvents.Audit(failed, order));
            await db.SaveChangesAsync(cancellationToken);
            logger.LogError("Escrow release for order {OrderId} failed: {Error}", order.Id, released.Error);
            return OrderOutcome.Ok(order);
        }

        return await ApplyAsync(order, o => o.Complete(clock.GetUtcNow()), cancellationToken);
    }

    public async Task<OrderOutcome> RequestRefundAsync(Guid orderId, Guid actor, string? reason, CancellationToken cancellationToken = default)
    {
        var order = await db.Orders.FirstOrDefaultAsync(o => o.Id == orderId, cancellationToken);
        if (order is null || !order.IsParty(actor))
        {
            return OrderOutcome.Missing();
        }

        if (order.BuyerId != actor)
        {
            return OrderOutcome.Forbidden("buyer-only");
        }

        if (string.IsNullOrWhiteSpace(reason) || reason.Trim().Length > 500)
        {
            return OrderOutcome.Invalid("reason", "reason");
        }

        return await ApplyAsync(order, o => o.RequestRefund(actor, reason.Trim(), clock.GetUtcNow()), cancellationToken);
    }

    /// <summary>The seller agrees to the buyer's refund request (or an operator decides it): money goes back through the gateway.</summary>
    public async Task<OrderOutcome> RefundAsync(Guid orderId, Guid actor, bool isStaff, string? reason, CancellationToken cancellationToken = default)
    {
        var order = await db.Orders.FirstOrDefaultAsync(o => o.Id == orderId, cancellationToken);
        if (order is null || !(order.IsParty(actor) || isStaff))
        {
            return OrderOutcome.Missing();
        }

        if (order.SellerId != actor && !isStaff)
        {
            return OrderOutcome.Forbidden("seller-only");
        }

        if (order.State != OrderState.RefundRequested || order.PaymentReference is null)
        {
            return OrderOutcome.Refused("state", order);
        }

        var text = Reason(reason, "refund agreed");
        var refund = await payments.RefundAsync(order.PaymentReference, order.PaidAmount ?? order.Amount, text, actor, cancellationToken);
        if (!refund.Succeeded)
        {
            return OrderOutcome.Refused("refund-failed", order);
        }

        return await ApplyAsync(order, o => o.Refund(actor, text, clock.GetUtcNow()), cancellationToken);
    }

    public async Task<OrderOutcome> DisputeAsync(Guid orderId, Guid actor, string? reason, CancellationToken cancellationToken = default)
    {
        var order = await db.Orders.FirstOrDefaultAsync(o => o.Id == orderId, cancellationToken);
        if (order is null || !order.IsParty(actor))
        {
            return OrderOutcome.Missing();
        }

        if (string.IsNullOrWhiteSpace(reason) || reason.Trim().Length > 500)
        {
            return OrderOutcome.Invalid("reason", "reason");
        }

        return await ApplyAsync(order, o => o.Dispute(actor, reason.Trim(), clock.GetUtcNow()), cancellationToken);
    }

    internal static bool TryParseReference(string reference, out string number, out int version)
    {
        number = "";
        version = 0;
        var dash = reference.LastIndexOf('-');
        if (!reference.StartsWith("ORD", StringComparison.Ordinal) || dash < 4 || !int.TryParse(reference.AsSpan(dash + 1), out version))
        {
            return false;
        }

        number = reference[3..dash];
        return true;
    }

    private async Task<OrderOutcome> ApplyAsync(Order order, Func<Order, OrderEvent> transition, CancellationToken cancellationToken)
    {
        OrderEvent e;
        try
        {
            e = transition(order);
        }
        catch (OrderStateException ex)
        {
            db.ChangeTracker.Clear();
            return OrderOutcome.Refused(ex.Code ?? "state", order);
        }

        db.Events.Add(e);
        db.AuditLog.Add(OrderEvents.Audit(e, order));
        var giveBack = order.StockReserved && order.State is OrderState.Cancelled or OrderState.Refunded;
        if (giveBack)
        {
            order.StockGivenBack();
        }

        // Units given back commit with the transition that gives them back (ADR 0020).
        await using var tx = giveBack ? await db.Database.BeginTransactionAsync(cancellationToken) : null;
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            if (tx is not null)
            {
                await catalog.ReleaseAsync(order.ListingId, order.Quantity, tx.GetDbTransaction(), cancellationToken);
                await tx.CommitAsync(cancellationToken);
            }
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            return OrderOutcome.Refused("concurrent", order);
        }

        await events.PublishAsync(order, e, cancellationToken);
        return OrderOutcome.Ok(order);
    }

    private static string Reason(string? given, string fallback) =>
        string.IsNullOrWhiteSpace(given) ? fallback : given.Trim() is { Length: > 500 } long_ ? long_[..500] : given.Trim();

    private static string SafeName(string name)
    {
        var file = Path.GetFileName(name.Replace('\\', '/'));
        file = new string(file.Where(c => !char.IsControl(c)).ToArray());
        return string.IsNullOrWhiteSpace(file) ? "file" : file.Length > 200 ? file[^200..] : file;
    }
}
