using System.Security.Claims;

namespace TechMarket.Kernel.Security;

public static class ClaimsPrincipalExtensions
{
    public static Guid? MemberId(this ClaimsPrincipal principal) =>
        Guid.TryParse(principal.FindFirstValue(ClaimTypes.NameIdentifier), out var id) ? id : null;

    public static Guid RequiredMemberId(this ClaimsPrincipal principal) =>
        principal.MemberId() ?? throw new InvalidOperationException("The request is not authenticated.");

    public static bool IsStaff(this ClaimsPrincipal principal) =>
        principal.IsInRole(Roles.Operator) || principal.IsInRole(Roles.Administrator);
}
