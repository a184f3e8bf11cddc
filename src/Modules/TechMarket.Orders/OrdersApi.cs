using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using TechMarket.Identity;
using TechMarket.Kernel.Files;
using TechMarket.Kernel.Security;
using TechMarket.Orders.Domain;
using TechMarket.Orders.Features;
using TechMarket.Orders.Features.Monitoring;
using TechMarket.Orders.Features.PlaceOrder;
using TechMarket.Orders.Features.Quotes;
using TechMarket.Orders.Features.Workflow;
using TechMarket.Orders.Payments;
using TechMarket.Orders.Persistence;

namespace TechMarket.Orders;

public sealed record OrderDto(
    Guid Id,
    string Number,
    Guid BuyerId,
    Guid SellerId,
    Guid ListingId,
    string ListingTitle,
    string Mode,
    int Quantity,
    decimal UnitPrice,
    decimal Amount,
    decimal OriginalAmount,
    string Currency,
    string State,
    int PriceVersion,
    int PriceChanges,
    string ContactName,
    string ContactPhone,
    string? Note,
    string? PaymentReference,
    decimal? PaidAmount,
    string? ProviderTradeNo,
    string? DeliveryNote,
    bool EscrowReleased,
    bool Disputed,
    DateTimeOffset CreatedAt,
    DateTimeOffset? PaidAt,
    DateTimeOffset? DeliveredAt,
    DateTimeOffset? CompletedAt,
    DateTimeOffset? CancelledAt)
{
    public static OrderDto From(Order o) => new(
        o.Id, o.Number, o.BuyerId, o.SellerId, o.ListingId, o.ListingTitle, o.Mode, o.Quantity, o.UnitPrice, o.Amount, o.OriginalAmount, o.Currency,
        o.State.ToString(), o.PriceVersion, o.PriceChanges, o.ContactName, o.ContactPhone, o.BuyerNote, o.PaymentReference, o.PaidAmount,
        o.ProviderTradeNo, o.DeliveryNote, o.EscrowReleased, o.Disputed, o.CreatedAt, o.PaidAt, o.DeliveredAt, o.CompletedAt, o.CancelledAt);
}

public sealed record OrderEventDto(long Id, string Kind, string? From, string To, Guid? ActorId, string? Reason, decimal? OldAmount, decimal? NewAmount, DateTimeOffset At);

public sealed record AttachmentDto(Guid Id, string FileName, long Length, string ContentType);

public sealed record OrderDetail(OrderDto Order, IReadOnlyList<OrderEventDto> Timeline, IReadOnlyList<AttachmentDto> Attachments, string Role);

public sealed record OrderPage(IReadOnlyList<OrderDto> Items, int Total, int Page, int PageSize);

public sealed record PaymentStart(string Reference, decimal Amount, string? PayUrl, string Status);

/// <summary>The answer to "buy now" (<c>POST /api/v1/orders?pay=true</c>): the order and where to pay for it.</summary>
public sealed record PlacedOrder(OrderDto Order, PaymentStart? Payment, string? PaymentError);

public sealed record ReasonRequest(string? Reason);

public sealed record PriceChangeRequest(decimal Amount, string? Reason);

public static class OrdersApi
{
    public const string IdempotencyHeader = "Idempotency-Key";

    public static IEndpointRouteBuilder MapOrdersApi(this IEndpointRouteBuilder app)
    {
        var orders = app.MapGroup("/api/v1/orders").WithTags("Orders").RequireAuthorization(IdentityApi.ApiPolicy).DisableAntiforgery();
        orders.MapPost("/", Place).RequireAuthorization(Policies.Verified);
        orders.MapGet("/", List);
        orders.MapGet("/{id:guid}", Get);
        orders.MapPost("/{id:guid}/cancel", Cancel);
        orders.MapPost("/{id:guid}/price", ChangePrice).RequireAuthorization(Policies.Verified);
        orders.MapPost("/{id:guid}/pay", Pay).RequireAuthorization(Policies.Verified);
        orders.MapPost("/{id:guid}/deliver", Deliver).RequireAuthorization(Policies.Verified);
        orders.MapGet("/{id:guid}/attachments/{attachmentId:guid}", Download);
        orders.MapPost("/{id:guid}/accept", Accept).RequireAuthorization(Policies.Verified);
        orders.MapPost("/{id:guid}/refund-request", RequestRefund).RequireAuthorization(Policies.Verified);
        orders.MapPost("/{id:guid}/refund", Refund).RequireAuthorization(Policies.Verified);
        orders.MapPost("/{id:guid}/dispute", Dispute);

        // Negotiated per-buyer prices (O2): the buyer asks, the seller quotes (or offers unasked), the buyer orders at it.
        var quotes = app.MapGroup("/api/v1/quotes").WithTags("Orders").RequireAuthorization(IdentityApi.ApiPolicy).DisableAntiforgery();
        quotes.MapGet("/", ListQuotes);
        quotes.MapPost("/", RequestQuote).RequireAuthorization(Policies.Verified);
        quotes.MapPost("/offers", OfferQuote).RequireAuthorization(Policies.Verified);
        quotes.MapPost("/{id:guid}/answer", AnswerQuote).RequireAuthorization(Policies.Verified);
        quotes.MapPost("/{id:guid}/decline", DeclineQuote).RequireAuthorization(Policies.Verified);

        var ops = app.MapGroup("/api/v1/operator/orders").WithTags("Operator").RequireAuthorization(IdentityApi.ApiPolicy, Policies.Operator).DisableAntiforgery();
        ops.MapGet("/monitor", Monitor);
        ops.MapGet("/alerts", Alerts);
        ops.MapPost("/{id:guid}/release", RetryRelease);
        return app;
    }

    /// <summary>Places an order; with <c>?pay=true</c> also creates its payment intent and answers with both (one request instead of two).</summary>
    internal static async Task<IResult> Place(
        [FromHeader(Name = IdempotencyHeader)] string? idempotencyKey,
        PlaceOrderRequest request,
        ClaimsPrincipal user,
        PlaceOrderHandler handler,
        IStringLocalizer<OrdersStrings> l,
        CancellationToken ct,
        [FromQuery] bool pay = false)
    {
        if (pay)
        {
            var placed = await handler.PlaceAndPayAsync(user.RequiredMemberId(), idempotencyKey, request, ct);
            if (!placed.Outcome.Succeeded)
            {
                return ToResult(placed.Outcome, l);
            }

            var order = placed.Outcome.Order!;
            var body = new PlacedOrder(
                OrderDto.From(order),
                placed.Payment is { } p ? new PaymentStart(p.Reference, p.Amount, p.PayUrl, p.Status) : null,
                placed.PaymentError);
            return placed.Outcome.Kind == OutcomeKind.Created
                ? TypedResults.Created($"/api/v1/orders/{order.Id}", body)
                : TypedResults.Ok(body);
        }

        var outcome = await handler.PlaceAsync(user.RequiredMemberId(), idempotencyKey, request, ct);
        return outcome.Kind == OutcomeKind.Created
            ? TypedResults.Created($"/api/v1/orders/{outcome.Order!.Id}", OrderDto.From(outcome.Order))
            : ToResult(outcome, l);
    }

    internal static async Task<Ok<OrderPage>> List(
        ClaimsPrincipal user, OrdersDbContext db, string? role, string? state, string? q, DateTimeOffset? from, DateTimeOffset? to, int page = 1, int pageSize = 20, CancellationToken ct = default)
    {
        var result = await OrderQueries.ListAsync(db, user.RequiredMemberId(), role, state, q, from, to, page, pageSize, ct);
        return TypedResults.Ok(result);
    }

    internal static async Task<Results<Ok<OrderDetail>, ProblemHttpResult>> Get(Guid id, ClaimsPrincipal user, OrdersDbContext db, IStringLocalizer<OrdersStrings> l, CancellationToken ct)
    {
        var detail = await OrderQueries.DetailAsync(db, id, user.RequiredMemberId(), user.IsStaff(), ct);
        return detail is null ? NotFound(l) : TypedResults.Ok(detail);
    }

    internal static async Task<IResult> Cancel(Guid id, ReasonRequest? body, ClaimsPrincipal user, OrderWorkflow workflow, IStringLocalizer<OrdersStrings> l, CancellationToken ct) =>
        ToResult(await workflow.CancelAsync(id, user.RequiredMemberId(), user.IsStaff(), body?.Reason, ct), l);

    internal static async Task<IResult> ChangePrice(Guid id, PriceChangeRequest body, ClaimsPrincipal user, OrderWorkflow workflow, IStringLocalizer<OrdersStrings> l, CancellationToken ct) =>
        ToResult(await workflow.ChangePriceAsync(id, user.RequiredMemberId(), body.Amount, body.Reason, ct), l);

    internal static async Task<IResult> Pay(Guid id, ClaimsPrincipal user, OrderWorkflow workflow, IStringLocalizer<OrdersStrings> l, CancellationToken ct)
    {
        var outcome = await workflow.PayAsync(id, user.RequiredMemberId(), ct);
        return outcome is { Succeeded: true, Extra: OrderPaymentIntent payment }
            ? TypedResults.Ok(new PaymentStart(payment.Reference, payment.Amount, payment.PayUrl, payment.Status))
            : ToResult(outcome, l);
    }

    internal static async Task<IResult> Deliver(Guid id, HttpRequest request, ClaimsPrincipal user, OrderWorkflow workflow, IStringLocalizer<OrdersStrings> l, CancellationToken ct)
    {
        if (!request.HasFormContentType)
        {
            return ToResult(OrderOutcome.Invalid("note", "delivery-note"), l);
        }

        var form = await request.ReadFormAsync(ct);
        var files = form.Files.Select(f => new DeliveryFile(f.FileName, f.ContentType, f.OpenReadStream())).ToList();
        try
        {
            return ToResult(await workflow.DeliverAsync(id, user.RequiredMemberId(), form["note"].ToString(), files, ct), l);
        }
        finally
        {
            foreach (var f in files)
            {
                await f.Content.DisposeAsync();
            }
        }
    }

    internal static async Task<IResult> Download(Guid id, Guid attachmentId, ClaimsPrincipal user, OrdersDbContext db, IBlobStore blobs, IStringLocalizer<OrdersStrings> l, CancellationToken ct)
    {
        var stream = await OrderQueries.OpenAttachmentAsync(db, blobs, id, attachmentId, user.RequiredMemberId(), ct);
        return stream is null ? NotFound(l) : TypedResults.File(stream.Value.Content, stream.Value.ContentType, stream.Value.FileName);
    }

    internal static async Task<IResult> Accept(Guid id, ClaimsPrincipal user, OrderWorkflow workflow, IStringLocalizer<OrdersStrings> l, CancellationToken ct) =>
        ToResult(await workflow.AcceptAsync(id, user.RequiredMemberId(), ct), l);

    internal static async Task<IResult> RequestRefund(Guid id, ReasonRequest body, ClaimsPrincipal user, OrderWorkflow workflow, IStringLocalizer<OrdersStrings> l, CancellationToken ct) =>
        ToResult(await workflow.RequestRefundAsync(id, user.RequiredMemberId(), body.Reason, ct), l);

    internal static async Task<IResult> Refund(Guid id, ReasonRequest? body, ClaimsPrincipal user, OrderWorkflow workflow, IStringLocalizer<OrdersStrings> l, CancellationToken ct) =>
        ToResult(await workflow.RefundAsync(id, user.RequiredMemberId(), user.IsStaff(), body?.Reason, ct), l);

    internal static async Task<IResult> Dispute(Guid id, ReasonRequest body, ClaimsPrincipal user, OrderWorkflow workflow, IStringLocalizer<OrdersStrings> l, CancellationToken ct) =>
        ToResult(await workflow.DisputeAsync(id, user.RequiredMemberId(), body.Reason, ct), l);

    internal static async Task<Ok<MonitorSnapshot>> Monitor(OrderMonitor monitor, CancellationToken ct) => TypedResults.Ok(await monitor.SnapshotAsync(ct));

    internal static async Task<Ok<IReadOnlyList<OrderAlert>>> Alerts(OrderMonitor monitor, TimeProvider clock, CancellationToken ct) => TypedResults.Ok(await monitor.AlertsAsync(clock.GetUtcNow(), ct));

    internal static async Task<IResult> RetryRelease(Guid id, ClaimsPrincipal user, OrderWorkflow workflow, IStringLocalizer<OrdersStrings> l, CancellationToken ct) =>
        ToResult(await workflow.RetryReleaseAsync(id, user.RequiredMemberId(), ct), l);

    internal static async Task<IResult> ListQuotes(ClaimsPrincipal user, QuoteService quotes, CancellationToken ct) =>
        TypedResults.Ok(await quotes.ListAsync(user.RequiredMemberId(), ct));

    internal static async Task<IResult> RequestQuote(QuoteRequest body, ClaimsPrincipal user, QuoteService quotes, TimeProvider clock, IStringLocalizer<OrdersStrings> l, CancellationToken ct) =>
        ToResult(await quotes.RequestAsync(user.RequiredMemberId(), body, ct), clock, l);

    internal static async Task<IResult> OfferQuote(QuoteOffer body, ClaimsPrincipal user, QuoteService quotes, TimeProvider clock, IStringLocalizer<OrdersStrings> l, CancellationToken ct) =>
        ToResult(await quotes.OfferAsync(user.RequiredMemberId(), body, ct), clock, l);

    internal static async Task<IResult> AnswerQuote(Guid id, QuoteAnswer body, ClaimsPrincipal user, QuoteService quotes, TimeProvider clock, IStringLocalizer<OrdersStrings> l, CancellationToken ct) =>
        ToResult(await quotes.AnswerAsync(id, user.RequiredMemberId(), body, ct), clock, l);

    internal static async Task<IResult> DeclineQuote(Guid id, ClaimsPrincipal user, QuoteService quotes, TimeProvider clock, IStringLocalizer<OrdersStrings> l, CancellationToken ct) =>
        ToResult(await quotes.DeclineAsync(id, user.RequiredMemberId(), ct), clock, l);

    private static IResult ToResult(QuoteOutcome outcome, TimeProvider clock, IStringLocalizer<OrdersStrings> l) => outcome.Kind switch
    {
        OutcomeKind.Created => TypedResults.Created($"/api/v1/quotes/{outcome.Quote!.Id}", QuoteDto.From(outcome.Quote, clock.GetUtcNow())),
        OutcomeKind.Ok => TypedResults.Ok(QuoteDto.From(outcome.Quote!, clock.GetUtcNow())),
        OutcomeKind.Invalid => ToResult(OrderOutcome.Invalid(outcome.Field!, outcome.Code!), l),
        OutcomeKind.NotFound => NotFound(l),
        OutcomeKind.Forbidden => ToResult(OrderOutcome.Forbidden(outcome.Code!), l),
        _ => ToResult(OrderOutcome.Refused(outcome.Code!), l),
    };

    /// <summary>One mapping from command outcome to HTTP: 400 field errors, 403, 404, 409 with a reason code.</summary>
    public static IResult ToResult(OrderOutcome outcome, IStringLocalizer<OrdersStrings> l) => outcome.Kind switch
    {
        OutcomeKind.Ok => TypedResults.Ok(OrderDto.From(outcome.Order!)),
        OutcomeKind.Created => TypedResults.Created($"/api/v1/orders/{outcome.Order!.Id}", OrderDto.From(outcome.Order)),
        OutcomeKind.Invalid => TypedResults.ValidationProblem(
            new Dictionary<string, string[]> { [outcome.Field!] = [l[$"Error.{outcome.Code}"].Value] },
            title: l["Error.Invalid"].Value,
            extensions: new Dictionary<string, object?> { ["code"] = outcome.Code }),
        OutcomeKind.NotFound => NotFound(l),
        OutcomeKind.Forbidden => TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: l[$"Error.{outcome.Code}"].Value, extensions: new Dictionary<string, object?> { ["code"] = outcome.Code }),
        _ => TypedResults.Problem(
            statusCode: StatusCodes.Status409Conflict,
            title: l[$"Error.{outcome.Code}"].Value,
            detail: outcome.Order is { } o ? string.Format(System.Globalization.CultureInfo.CurrentCulture, l["Error.CurrentState"].Value, l[$"State.{o.State}"].Value) : null,
            extensions: new Dictionary<string, object?> { ["code"] = outcome.Code, ["state"] = outcome.Order?.State.ToString(), ["orderId"] = outcome.Order?.Id }),
    };

    private static ProblemHttpResult NotFound(IStringLocalizer<OrdersStrings> l) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: l["Error.not-found"].Value, extensions: new Dictionary<string, object?> { ["code"] = "not-found" });
}
