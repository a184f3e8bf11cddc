namespace TechMarket.Kernel.Security;

public static class Roles
{
    public const string Member = "Member";
    public const string Operator = "Operator";
    public const string Administrator = "Administrator";

    public static readonly string[] All = [Member, Operator, Administrator];
}

public static class Policies
{
    /// <summary>Identity-verified member (实名认证 or 企业认证): required to publish, message, order, sign or pay.</summary>
    public const string Verified = "Verified";

    public const string Operator = "Operator";
    public const string Administrator = "Administrator";

    /// <summary>Cookie for pages or bearer token for the API, whichever the request carries.</summary>
    public const string CookieOrBearer = "CookieOrBearer";
}
