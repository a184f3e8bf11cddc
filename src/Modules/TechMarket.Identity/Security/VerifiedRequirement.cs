using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;
using TechMarket.Identity.Domain;
using TechMarket.Identity.Persistence;
using TechMarket.Kernel.Security;

namespace TechMarket.Identity.Security;

/// <summary>Met by a member whose identity has been verified. Read from the database so an approval takes effect at once.</summary>
public sealed class VerifiedRequirement : IAuthorizationRequirement;

internal sealed class VerifiedRequirementHandler(AccountsDbContext db) : AuthorizationHandler<VerifiedRequirement>
{
    protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, VerifiedRequirement requirement)
    {
        if (context.User.MemberId() is not { } id)
        {
            return;
        }

        if (await db.Users.AnyAsync(u => u.Id == id && u.VerificationLevel != VerificationLevel.None))
        {
            context.Succeed(requirement);
        }
    }
}
