using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using TechMarket.Identity.Domain;
using TechMarket.Identity.Features.Documents;
using TechMarket.Kernel.Http;

namespace TechMarket.Identity;

/// <summary>The few cookie-authenticated endpoints the pages need besides the components themselves.</summary>
internal static class IdentityPageEndpoints
{
    public static IEndpointRouteBuilder MapIdentityPageEndpoints(this IEndpointRouteBuilder app)
    {
        // A form post carries the antiforgery token, so a third-party page cannot log a member out.
        app.MapPost("/account/logout", async (SignInManager<Member> signIn, [FromForm] string? returnUrl) =>
        {
            await signIn.SignOutAsync();
            return TypedResults.LocalRedirect(LocalUrl.OrHome(returnUrl));
        });

        app.MapGet("/account/documents/{id:guid}", async (Guid id, ClaimsPrincipal user, DocumentAccess documents) =>
        {
            var document = await documents.OpenAsync(id, user);
            return document is null
                ? Results.NotFound()
                : Results.File(document.Content, document.ContentType, enableRangeProcessing: false);
        }).RequireAuthorization();
        return app;
    }
}
