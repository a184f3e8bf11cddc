using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Localization;
using TechMarket.Identity;
using TechMarket.Kernel.Http;
using TechMarket.Kernel.Security;
using TechMarket.Payments.Features.Callbacks;
using TechMarket.Payments.Features.Escrow;
using TechMarket.Payments.Features.Reconciliation;
using TechMarket.Payments.Features.Withdrawals;
using TechMarket.Payments.Gateways;
using TechMarket.Payments.Gateways.Alipay;

namespace TechMarket.Payments;

public sealed record CreatePaymentRequest(string? Reference, Guid PayeeId, decimal Amount, string? Subject, string? Gateway);

public sealed record AmountRequest(decimal Amount);

public sealed record RefundRequest(decimal Amount, string? Reason);

public sealed record DecisionRequest(string? Note);

public sealed record ListResult<T>(IReadOnlyList<T> Items);

public static class PaymentsApi
{
    public static IEndpointRouteBuilder MapPaymentsApi(this IEndpointRouteBuilder app)
    {
        var payments = app.MapGroup("/api/v1/payments").WithTags("Payments").RequireAuthorization(IdentityApi.ApiPolicy).DisableAntiforgery();
        payments.MapPost("/", Create).RequireAuthorization(Policies.Verified);
        payments.MapGet("/", ListMine);
        payments.MapGet("/balance", GetBalance);
        payments.MapGet("/transactions", GetTransactions);
        payments.MapGet("/withdrawals", ListMyWithdrawals);
        payments.MapPost("/withdrawals", RequestWithdrawal).RequireAuthorization(Policies.Verified);
        payments.MapGet("/{reference}", Get);
        payments.MapPost("/{reference}/release", Release).RequireAuthorization(Policies.Verified);
        payments.MapPost("/{reference}/refunds", RefundPayment).RequireAuthorization(Policies.Verified);
        payments.MapGet("/{reference}/refunds", ListRefunds);

        var ops = app.MapGroup("/api/v1/operator/payments").WithTags("Operator").RequireAuthorization(IdentityApi.ApiPolicy, Policies.Operator).DisableAntiforgery();
        ops.MapGet("/", ListAll);
        ops.MapGet("/refunds", ListAllRefunds);
        ops.MapGet("/withdrawals", ListAllWithdrawals);
        ops.MapPost("/withdrawals/{id:guid}/confirm", (Guid id, DecisionRequest? body, ClaimsPrincipal user, Balances balances, IStringLocalizer<PaymentsStrings> l, CancellationToken ct) =>
            Decide(id, true, body, user, balances, l, ct));
        ops.MapPost("/withdrawals/{id:guid}/reject", (Guid id, DecisionRequest? body, ClaimsPrincipal user, Balances balances, IStringLocalizer<PaymentsStrings> l, CancellationToken ct) =>
            Decide(id, false, body, user, balances, l, ct));
        ops.MapGet("/reconciliation", ListReconciliation);
        ops.MapPost("/reconciliation/{day}", RunReconciliation);
        ops.MapGet("/security-events", ListSecurityEvents);
        return app;
    }

    /// <summary>The provider's side door: anonymous, trusted only through the RSA2 signature; answers exactly "success".</summary>
    public static IEndpointRouteBuilder MapPaymentCallbacks(this IEndpointRouteBuilder app)
    {
        app.MapPost("/payments/notify/{gateway}", Notify).AllowAnonymous().DisableAntiforgery().ExcludeFromDescription();
        app.MapGet("/payments/return/{gateway}", Return).AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    internal static async Task<IResult> Notify(string gateway, HttpContext context, GatewayRegistry gateways, NotificationProcessor processor, CancellationToken cancellationToken)
    {
        var remote = context.Connection.RemoteIpAddress?.ToString();
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync(cancellationToken);
        GatewayNotification notification;
        if (gateways.Find(gateway) is not { } provider)
        {
            notification = new GatewayNotification(NotificationProblem.Malformed, null, null, null, TradeState.Unknown, $"no gateway '{gateway}'");
            await processor.ApplyAsync(notification, "notify", remote, cancellationToken);
            return TypedResults.NotFound();
        }

        try
        {
            notification = provider.ParseNotification(AlipaySignature.ParseForm(body));
        }
        catch (FormatException e)
        {
            notification = new GatewayNotification(NotificationProblem.Malformed, null, null, null, TradeState.Unknown, e.Message);
        }

        var outcome = await processor.ApplyAsync(notification, "notify", remote, cancellationToken);
        return outcome == NotificationOutcome.Rejected
            ? TypedResults.Text("failure", "text/plain", statusCode: StatusCodes.Status400BadRequest)
            : TypedResults.Text(provider.AcknowledgeText, "text/plain");
    }

    /// <summary>The payer's browser coming back: only verified and redirected; money state changes come from notify or query.</summary>
    internal static IResult Return(string gateway, HttpContext context, GatewayRegistry gateways)
    {
        var parameters = context.Request.Query.ToDictionary(q => q.Key, q => q.Value.ToString(), StringComparer.Ordinal);
        if (gateways.Find(gateway) is not { } provider)
        {
            return TypedResults.NotFound();
        }

        var parsed = provider.ParseNotification(parameters);
        return parsed.IsValid && parsed.Reference is { } reference
            ? TypedResults.Redirect($"/payments/{Uri.EscapeDataString(reference)}")
            : TypedResults.Redirect("/payments");
    }

    internal static async Task<Results<Created<PaymentView>, ValidationProblem>> Create(CreatePaymentRequest request, ClaimsPrincipal user, IPayments payments, IStringLocalizer<PaymentsStrings> l, CancellationToken cancellationToken)
    {
        var result = await payments.CreatePaymentAsync(new CreatePayment(request.Reference ?? "", user.RequiredMemberId(), request.PayeeId, request.Amount, request.Subject ?? "", request.Gateway), cancellationToken);
        return result.Succeeded
            ? TypedResults.Created($"/api/v1/payments/{result.Value!.Reference}", result.Value)
            : Problem(result, l);
    }

    internal static async Task<Results<Ok<PaymentView>, NotFound>> Get(string reference, ClaimsPrincipal user, IPayments payments, CancellationToken cancellationToken)
    {
        var payment = await payments.GetAsync(reference, cancellationToken);
        return payment is not null && CanSee(user, payment) ? TypedResults.Ok(payment) : TypedResults.NotFound();
    }

    internal static async Task<Ok<ListResult<PaymentView>>> ListMine(ClaimsPrincipal user, PaymentQueries queries, string? status, CancellationToken cancellationToken) =>
        TypedResults.Ok(new ListResult<PaymentView>(await queries.ListAsync(user.RequiredMemberId(), status, 100, cancellationToken)));

    internal static async Task<Results<Ok<PaymentView>, NotFound, ValidationProblem>> Release(string reference, AmountRequest request, ClaimsPrincipal user, IPayments payments, IStringLocalizer<PaymentsStrings> l, CancellationToken cancellationToken)
    {
        // Only the buyer (accepting delivery) releases; Orders will call IPayments directly.
        var payment = await payments.GetAsync(reference, cancellationToken);
        if (payment is null || payment.PayerId != user.RequiredMemberId())
        {
            return TypedResults.NotFound();
        }

        var result = await payments.ReleaseAsync(reference, request.Amount, user.RequiredMemberId(), cancellationToken);
        return result.Succeeded ? TypedResults.Ok(result.Value!) : result.NotFound ? TypedResults.NotFound() : Problem(result, l);
    }

    internal static async Task<Results<Ok<RefundView>, NotFound, ValidationProblem>> RefundPayment(string reference, RefundRequest request, ClaimsPrincipal user, IPayments payments, IStringLocalizer<PaymentsStrings> l, CancellationToken cancellationToken)
    {
        // The seller (payee) or an operator gives money back; a buyer cannot refund himself.
        var payment = await payments.GetAsync(reference, cancellationToken);
        if (payment is null || (payment.PayeeId != user.RequiredMemberId() && !user.IsStaff()))
        {
            return TypedResults.NotFound();
        }

        var result = await payments.RefundAsync(reference, request.Amount, request.Reason ?? "", user.RequiredMemberId(), cancellationToken);
        return result.Succeeded ? TypedResults.Ok(result.Value!) : result.NotFound ? TypedResults.NotFound() : Problem(result, l);
    }

    internal static async Task<Results<Ok<ListResult<RefundView>>, NotFound>> ListRefunds(string reference, ClaimsPrincipal user, IPayments payments, PaymentQueries queries, CancellationToken cancellationToken)
    {
        var payment = await payments.GetAsync(reference, cancellationToken);
        return payment is not null && CanSee(user, payment)
            ? TypedResults.Ok(new ListResult<RefundView>(await queries.RefundsAsync(reference, cancellationToken)))
            : TypedResults.NotFound();
    }

    internal static async Task<Ok<Balance>> GetBalance(ClaimsPrincipal user, Balances balances, CancellationToken cancellationToken) =>
        TypedResults.Ok(await balances.GetAsync(user.RequiredMemberId(), cancellationToken));

    internal static async Task<Ok<ListResult<LedgerLine>>> GetTransactions(ClaimsPrincipal user, Balances balances, CancellationToken cancellationToken) =>
        TypedResults.Ok(new ListResult<LedgerLine>(await balances.TransactionsAsync(user.RequiredMemberId(), cancellationToken)));

    internal static async Task<Ok<ListResult<WithdrawalView>>> ListMyWithdrawals(ClaimsPrincipal user, PaymentQueries queries, CancellationToken cancellationToken) =>
        TypedResults.Ok(new ListResult<WithdrawalView>(await queries.WithdrawalsAsync(user.RequiredMemberId(), null, cancellationToken)));

    internal static async Task<Results<Created<WithdrawalView>, ValidationProblem>> RequestWithdrawal(WithdrawalRequest request, ClaimsPrincipal user, Balances balances, IStringLocalizer<PaymentsStrings> l, CancellationToken cancellationToken)
    {
        var result = await balances.RequestAsync(user.RequiredMemberId(), request, cancellationToken);
        return result.Succeeded ? TypedResults.Created($"/api/v1/payments/withdrawals/{result.Value!.Id}", result.Value) : Problem(result, l);
    }

    internal static async Task<Ok<ListResult<PaymentView>>> ListAll(PaymentQueries queries, string? status, CancellationToken cancellationToken) =>
        TypedResults.Ok(new ListResult<PaymentView>(await queries.ListAsync(null, status, 200, cancellationToken)));

    internal static async Task<Ok<ListResult<RefundView>>> ListAllRefunds(PaymentQueries queries, CancellationToken cancellationToken) =>
        TypedResults.Ok(new ListResult<RefundView>(await queries.RefundsAsync(null, cancellationToken)));

    internal static async Task<Ok<ListResult<WithdrawalView>>> ListAllWithdrawals(PaymentQueries queries, string? status, CancellationToken cancellationToken) =>
        TypedResults.Ok(new ListResult<WithdrawalView>(await queries.WithdrawalsAsync(null, status, cancellationToken)));

    internal static async Task<Results<Ok<WithdrawalView>, NotFound, ValidationProblem>> Decide(Guid id, bool confirm, DecisionRequest? body, ClaimsPrincipal user, Balances balances, IStringLocalizer<PaymentsStrings> l, CancellationToken cancellationToken)
    {
        var result = await balances.DecideAsync(id, confirm, user.RequiredMemberId(), body?.Note, cancellationToken);
        return result.Succeeded ? TypedResults.Ok(result.Value!) : result.NotFound ? TypedResults.NotFound() : Problem(result, l);
    }

    internal static async Task<Ok<ListResult<DifferenceView>>> ListReconciliation(PaymentQueries queries, string? day, CancellationToken cancellationToken) =>
        TypedResults.Ok(new ListResult<DifferenceView>(await queries.DifferencesAsync(day, cancellationToken)));

    internal static async Task<Results<Ok<RunView>, Conflict, ValidationProblem>> RunReconciliation(string day, ReconciliationJob job, IStringLocalizer<PaymentsStrings> l, CancellationToken cancellationToken)
    {
        if (!DateOnly.TryParseExact(day, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return TypedResults.ValidationProblem(new FieldErrors().Add("day", l["Error.Day"]).ToDictionary());
        }

        var run = await job.RunAsync(date, cancellationToken);
        return run is null ? TypedResults.Conflict() : TypedResults.Ok(new RunView(run.Day, run.Node, run.StartedAt, run.FinishedAt, run.Differences));
    }

    internal static async Task<Ok<ListResult<SecurityEventView>>> ListSecurityEvents(PaymentQueries queries, CancellationToken cancellationToken) =>
        TypedResults.Ok(new ListResult<SecurityEventView>(await queries.SecurityEventsAsync(cancellationToken)));

    private static bool CanSee(ClaimsPrincipal user, PaymentView payment) =>
        user.IsStaff() || user.MemberId() is { } id && (id == payment.PayerId || id == payment.PayeeId);

    private static ValidationProblem Problem<T>(PaymentResult<T> result, IStringLocalizer<PaymentsStrings> l) =>
        TypedResults.ValidationProblem(new FieldErrors().Add(result.Field ?? "request", l[$"Error.{result.Error}"]).ToDictionary(), detail: result.Error);
}
