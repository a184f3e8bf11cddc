using Microsoft.AspNetCore.Identity;

namespace TechMarket.Identity.Domain;

public enum VerificationLevel
{
    None,
    Individual,
    Enterprise,
}

/// <summary>A registered account. The login name is the normalized e-mail address or mainland mobile number.</summary>
public sealed class Member : IdentityUser<Guid>
{
    public string DisplayName { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }

    public VerificationLevel VerificationLevel { get; set; }

    /// <summary>The verified real name or company name, shown beside the verified badge.</summary>
    public string? VerifiedName { get; set; }

    public string? PreferredCulture { get; set; }

    public bool IsVerified => VerificationLevel != VerificationLevel.None;

    public static Member Register(AccountName account, string displayName, DateTimeOffset at) => new()
    {
        Id = Guid.CreateVersion7(at),
        UserName = account.Value,
        Email = account.Kind == AccountNameKind.Email ? account.Value : null,
        PhoneNumber = account.Kind == AccountNameKind.Phone ? account.Value : null,
        DisplayName = displayName,
        CreatedAt = at,
    };
}
