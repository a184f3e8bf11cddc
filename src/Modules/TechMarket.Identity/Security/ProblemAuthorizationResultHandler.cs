using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;

namespace TechMarket.Identity.Security;

/// <summary>
/// An unverified member who tries to trade is told how to get verified: problem+json on the API,
/// a redirect to the verification page in the UI. Everything else keeps the framework's behaviour.
/// </summary>
internal sealed class ProblemAuthorizationResultHandler(IStringLocalizer<IdentityStrings> text) : IAuthorizationMiddlewareResultHandler
{
    public const string VerificationPage = "/account/verification";
    private readonly AuthorizationMiddlewareResultHandler fallback = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        var needsVerification = authorizeResult.Forbidden
            && authorizeResult.AuthorizationFailure?.FailedRequirements.OfType<VerifiedRequirement>().Any() == true;
        if (!needsVerification)
        {
            await fallback.HandleAsync(next, context, policy, authorizeResult);
            return;
        }

        if (context.Request.Path.StartsWithSegments("/api"))
        {
            var problem = new ProblemDetails
            {
                Status = StatusCodes.Status403Forbidden,
                Type = "https://techmarket.example/problems/verification-required",
                Title = text["Problem.VerificationRequired.Title"],
                Detail = text["Problem.VerificationRequired.Detail"],
                Instance = context.Request.Path,
            };
            problem.Extensions["verifyUrl"] = VerificationPage;
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            await Results.Problem(problem).ExecuteAsync(context);
            return;
        }

        context.Response.Redirect($"{VerificationPage}?required=1");
    }
}
