using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;
using TechMarket.Identity.Domain;
using TechMarket.Identity.Features.Documents;
using TechMarket.Identity.Features.PasswordReset;
using TechMarket.Identity.Features.Register;
using TechMarket.Identity.Features.Review;
using TechMarket.Identity.Features.TwoFactor;
using TechMarket.Identity.Features.Verify;
using TechMarket.Kernel.Files;
using TechMarket.Kernel.Http;
using TechMarket.Kernel.Security;

namespace TechMarket.Identity;

public sealed record TokenRequest(string Account, string Password, string? TwoFactorCode, string? RecoveryCode);

public sealed record RefreshRequest(string RefreshToken);

public sealed record ForgotPasswordRequest(string Account);

public sealed record MemberProfile(Guid Id, string Account, string DisplayName, string? Email, string? Phone, VerificationLevel VerificationLevel, string? VerifiedName, bool TwoFactorEnabled, IReadOnlyList<string> Roles);

public sealed record EnableTwoFactorRequest(string Code);

public sealed record RecoveryCodes(IReadOnlyList<string> Codes);

public sealed record RejectRequest(string Reason);

public sealed record TradingEligibility(bool CanTrade, VerificationLevel Level);

public static class IdentityApi
{
    public const string AuthRateLimit = "auth";

    public static IEndpointRouteBuilder MapIdentityApi(this IEndpointRouteBuilder app)
    {
        var auth = app.MapGroup("/api/v1/auth").WithTags("Auth").DisableAntiforgery();
        auth.MapPost("/register", Register).RequireRateLimiting(AuthRateLimit).AllowAnonymous();
        auth.MapPost("/token", Token).RequireRateLimiting(AuthRateLimit).AllowAnonymous();
        auth.MapPost("/refresh", Refresh).AllowAnonymous();
        auth.MapPost("/forgot-password", ForgotPassword).RequireRateLimiting(AuthRateLimit).AllowAnonymous();
        auth.MapPost("/reset-password", ResetPassword).RequireRateLimiting(AuthRateLimit).AllowAnonymous();

        var me = app.MapGroup("/api/v1/me").WithTags("Me").RequireAuthorization(ApiPolicy).DisableAntiforgery();
        me.MapGet("/", GetProfile);
        me.MapGet("/two-factor", GetTwoFactor);
        me.MapPost("/two-factor/enable", EnableTwoFactor);
        me.MapPost("/two-factor/disable", DisableTwoFactor);
        me.MapGet("/trading-eligibility", GetTradingEligibility).RequireAuthorization(Policies.Verified);

        var verification = app.MapGroup("/api/v1/verification").WithTags("Verification").RequireAuthorization(ApiPolicy).DisableAntiforgery();
        verification.MapGet("/", GetVerificationStatus);
        verification.MapPost("/personal", SubmitPersonal).WithMetadata(UploadLimit);
        verification.MapPost("/enterprise", SubmitEnterprise).WithMetadata(UploadLimit);
        verification.MapGet("/documents/{id:guid}", GetDocument);

        var review = app.MapGroup("/api/v1/operator/verifications").WithTags("Operator").RequireAuthorization(ApiPolicy, Policies.Operator).DisableAntiforgery();
        review.MapGet("/", ListReviewQueue);
        review.MapGet("/{id:guid}", GetReviewDetail);
        review.MapPost("/{id:guid}/approve", Approve);
        review.MapPost("/{id:guid}/reject", Reject);
        return app;
    }

    /// <summary>The API is for apps and partners: bearer tokens only, so cookies (and with them CSRF) never apply.</summary>
    public const string ApiPolicy = "ApiBearer";

    // Kestrel stops reading past this; the store enforces the exact configured limit below it.
    private static readonly RequestSizeLimitAttribute UploadLimit = new(64L * 1024 * 1024);

    public static async Task<Results<Created<MemberProfile>, ValidationProblem>> Register(RegisterRequest request, RegisterMember handler, UserManager<Member> users)
    {
        var outcome = await handler.HandleAsync(request);
        if (outcome.Member is not { } member)
        {
            return TypedResults.ValidationProblem(outcome.Errors.ToDictionary());
        }

        return TypedResults.Created("/api/v1/me", await ProfileOf(member, users));
    }

    public static async Task<Results<EmptyHttpResult, ProblemHttpResult>> Token(TokenRequest request, SignInManager<Member> signIn, IStringLocalizer<IdentityStrings> text)
    {
        signIn.AuthenticationScheme = IdentityConstants.BearerScheme;
        if (!AccountName.TryParse(request.Account, out var name))
        {
            return Unauthorized(text["Login.Failed"], "invalid_credentials");
        }

        var result = await signIn.PasswordSignInAsync(name.Value, request.Password ?? "", isPersistent: false, lockoutOnFailure: true);
        if (result.RequiresTwoFactor)
        {
            if (!string.IsNullOrEmpty(request.TwoFactorCode))
            {
                result = await signIn.TwoFactorAuthenticatorSignInAsync(request.TwoFactorCode, isPersistent: false, rememberClient: false);
            }
            else if (!string.IsNullOrEmpty(request.RecoveryCode))
            {
                result = await signIn.TwoFactorRecoveryCodeSignInAsync(request.RecoveryCode);
            }
            else
            {
                return Unauthorized(text["Login.TwoFactorRequired"], "two_factor_required");
            }
        }

        if (result.IsLockedOut)
        {
            return Unauthorized(text["Login.LockedOut"], "locked_out");
        }

        // On success the bearer handler has already written the token response.
        return result.Succeeded ? TypedResults.Empty : Unauthorized(text["Login.Failed"], "invalid_credentials");
    }

    public static async Task<Results<SignInHttpResult, ChallengeHttpResult>> Refresh(
        RefreshRequest request, IOptionsMonitor<BearerTokenOptions> bearerOptions, TimeProvider clock, SignInManager<Member> signIn)
    {
        var protector = bearerOptions.Get(IdentityConstants.BearerScheme).RefreshTokenProtector;
        var ticket = protector.Unprotect(request.RefreshToken);
        if (ticket?.Properties.ExpiresUtc is not { } expires || clock.GetUtcNow() >= expires
            || await signIn.ValidateSecurityStampAsync(ticket.Principal) is not { } member)
        {
            return TypedResults.Challenge();
        }

        var principal = await signIn.CreateUserPrincipalAsync(member);
        return TypedResults.SignIn(principal, authenticationScheme: IdentityConstants.BearerScheme);
    }

    public static async Task<Accepted> ForgotPassword(ForgotPasswordRequest request, PasswordReset reset, HttpContext context)
    {
        var origin = $"{context.Request.Scheme}://{context.Request.Host}{context.Request.PathBase}";
        await reset.RequestAsync(request.Account, (account, code) =>
            $"{origin}/account/reset-password?account={Uri.EscapeDataString(account)}&code={code}", context.RequestAborted);
        return TypedResults.Accepted((string?)null);
    }

    public static async Task<Results<NoContent, ValidationProblem>> ResetPassword(ResetPasswordRequest request, PasswordReset reset)
    {
        var errors = await reset.ResetAsync(request);
        return errors.IsEmpty ? TypedResults.NoContent() : TypedResults.ValidationProblem(errors.ToDictionary());
    }

    public static async Task<Results<Ok<MemberProfile>, NotFound>> GetProfile(ClaimsPrincipal user, UserManager<Member> users) =>
        await users.GetUserAsync(user) is { } member ? TypedResults.Ok(await ProfileOf(member, users)) : TypedResults.NotFound();

    public static async Task<Results<Ok<AuthenticatorSetup>, NotFound>> GetTwoFactor(ClaimsPrincipal user, UserManager<Member> users, TwoFactorSetup setup) =>
        await users.GetUserAsync(user) is { } member ? TypedResults.Ok(await setup.GetAsync(member)) : TypedResults.NotFound();

    public static async Task<Results<Ok<RecoveryCodes>, ValidationProblem, NotFound>> EnableTwoFactor(
        EnableTwoFactorRequest request, ClaimsPrincipal user, UserManager<Member> users, TwoFactorSetup setup, IStringLocalizer<IdentityStrings> text)
    {
        if (await users.GetUserAsync(user) is not { } member)
        {
            return TypedResults.NotFound();
        }

        var codes = await setup.EnableAsync(member, request.Code);
        return codes is null
            ? TypedResults.ValidationProblem(new FieldErrors().Add(nameof(request.Code), text["TwoFactor.InvalidCode"]).ToDictionary())
            : TypedResults.Ok(new RecoveryCodes(codes));
    }

    public static async Task<Results<NoContent, NotFound>> DisableTwoFactor(ClaimsPrincipal user, UserManager<Member> users, TwoFactorSetup setup)
    {
        if (await users.GetUserAsync(user) is not { } member)
        {
            return TypedResults.NotFound();
        }

        await setup.DisableAsync(member);
        return TypedResults.NoContent();
    }

    public static async Task<Ok<TradingEligibility>> GetTradingEligibility(ClaimsPrincipal user, VerificationStatusQuery query)
    {
        var status = await query.ForMemberAsync(user.RequiredMemberId());
        return TypedResults.Ok(new TradingEligibility(status?.IsVerified == true, status?.Level ?? VerificationLevel.None));
    }

    public static async Task<Results<Ok<MemberVerificationStatus>, NotFound>> GetVerificationStatus(ClaimsPrincipal user, VerificationStatusQuery query) =>
        await query.ForMemberAsync(user.RequiredMemberId()) is { } status ? TypedResults.Ok(status) : TypedResults.NotFound();

    public static async Task<IResult> SubmitPersonal(HttpRequest request, ClaimsPrincipal user, SubmitVerification submit, IStringLocalizer<IdentityStrings> text)
    {
        var form = await ReadFormAsync(request, text);
        if (form.Problem is not null)
        {
            return form.Problem;
        }

        await using var document = form.File?.OpenReadStream();
        var outcome = await submit.PersonalAsync(user.RequiredMemberId(),
            new PersonalVerificationInput(form.Form!["realName"], form.Form["idNumber"]), document, request.HttpContext.RequestAborted);
        return ToResult(outcome, text);
    }

    public static async Task<IResult> SubmitEnterprise(HttpRequest request, ClaimsPrincipal user, SubmitVerification submit, IStringLocalizer<IdentityStrings> text)
    {
        var form = await ReadFormAsync(request, text);
        if (form.Problem is not null)
        {
            return form.Problem;
        }

        await using var document = form.File?.OpenReadStream();
        var outcome = await submit.EnterpriseAsync(user.RequiredMemberId(),
            new EnterpriseVerificationInput(form.Form!["companyName"], form.Form["creditCode"], form.Form["legalRepresentative"]), document, request.HttpContext.RequestAborted);
        return ToResult(outcome, text);
    }

    public static async Task<Results<FileStreamHttpResult, NotFound>> GetDocument(Guid id, ClaimsPrincipal user, DocumentAccess documents)
    {
        var document = await documents.OpenAsync(id, user);
        return document is null
            ? TypedResults.NotFound()
            : TypedResults.File(document.Content, document.ContentType, document.DownloadName);
    }

    public static async Task<Ok<Paged<ReviewQueueItem>>> ListReviewQueue(
        ReviewVerification review, VerificationStatus? status, VerificationKind? kind, string? search, int? page, int? pageSize) =>
        TypedResults.Ok(await review.ListAsync(new ReviewQueueQuery(status, kind, search, page ?? 1, pageSize ?? 20)));

    public static async Task<Results<Ok<ReviewDetail>, NotFound>> GetReviewDetail(Guid id, ClaimsPrincipal user, ReviewVerification review) =>
        await review.GetAsync(id, user.RequiredMemberId()) is { } detail ? TypedResults.Ok(detail) : TypedResults.NotFound();

    public static async Task<IResult> Approve(Guid id, ClaimsPrincipal user, ReviewVerification review, IStringLocalizer<IdentityStrings> text) =>
        ToResult(await review.ApproveAsync(id, user.RequiredMemberId()), text);

    public static async Task<IResult> Reject(Guid id, RejectRequest request, ClaimsPrincipal user, ReviewVerification review, IStringLocalizer<IdentityStrings> text) =>
        ToResult(await review.RejectAsync(id, user.RequiredMemberId(), request.Reason ?? ""), text);

    private static IResult ToResult(ReviewFailure failure, IStringLocalizer<IdentityStrings> text) => failure switch
    {
        ReviewFailure.None => TypedResults.NoContent(),
        ReviewFailure.NotFound => TypedResults.NotFound(),
        ReviewFailure.NotPending => TypedResults.Problem(text["Review.NotPending"], statusCode: StatusCodes.Status409Conflict, title: text["Problem.Conflict"]),
        _ => TypedResults.ValidationProblem(new FieldErrors().Add("Reason", text["Review.ReasonRequired"]).ToDictionary()),
    };

    private static IResult ToResult(SubmitOutcome outcome, IStringLocalizer<IdentityStrings> text)
    {
        var detail = string.Join(" ", outcome.Errors.ToDictionary().SelectMany(e => e.Value));
        return outcome.Failure switch
        {
            SubmitFailure.None => TypedResults.Created($"/api/v1/verification", new { outcome.Request!.Id, outcome.Request.Status }),
            SubmitFailure.FileTooLarge => TypedResults.Problem(detail, statusCode: StatusCodes.Status413PayloadTooLarge, title: text["Problem.TooLarge"]),
            SubmitFailure.FileType => TypedResults.Problem(detail, statusCode: StatusCodes.Status415UnsupportedMediaType, title: text["Problem.UnsupportedType"]),
            SubmitFailure.AlreadyPending or SubmitFailure.AlreadyVerified => TypedResults.Problem(detail, statusCode: StatusCodes.Status409Conflict, title: text["Problem.Conflict"]),
            _ => TypedResults.ValidationProblem(outcome.Errors.ToDictionary()),
        };
    }

    private sealed record FormRead(IFormCollection? Form, IFormFile? File, IResult? Problem);

    private static async Task<FormRead> ReadFormAsync(HttpRequest request, IStringLocalizer<IdentityStrings> text)
    {
        if (!request.HasFormContentType)
        {
            return new FormRead(null, null, TypedResults.Problem(text["Problem.MultipartRequired"], statusCode: StatusCodes.Status415UnsupportedMediaType, title: text["Problem.UnsupportedType"]));
        }

        try
        {
            var form = await request.ReadFormAsync(request.HttpContext.RequestAborted);
            return new FormRead(form, form.Files.GetFile("document"), null);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            var limit = request.HttpContext.RequestServices.GetService(typeof(FileStorageOptions)) is FileStorageOptions o ? o.MaxUploadBytes / 1024 / 1024 : 10;
            return new FormRead(null, null, TypedResults.Problem(text["Validation.Document.TooLarge", limit], statusCode: StatusCodes.Status413PayloadTooLarge, title: text["Problem.TooLarge"]));
        }
        catch (InvalidDataException)
        {
            return new FormRead(null, null, TypedResults.Problem(text["Problem.MultipartRequired"], statusCode: StatusCodes.Status400BadRequest, title: text["Problem.BadRequest"]));
        }
    }

    private static ProblemHttpResult Unauthorized(string detail, string code) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status401Unauthorized, title: detail, extensions: new Dictionary<string, object?> { ["code"] = code });

    private static async Task<MemberProfile> ProfileOf(Member member, UserManager<Member> users) => new(
        member.Id, member.UserName ?? "", member.DisplayName, member.Email, member.PhoneNumber,
        member.VerificationLevel, member.VerifiedName, member.TwoFactorEnabled, (await users.GetRolesAsync(member)).ToList());
}
