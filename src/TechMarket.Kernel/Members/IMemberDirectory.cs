namespace TechMarket.Kernel.Members;

/// <summary>How other modules show a member: display name and whether (and as what) the identity is verified.</summary>
public sealed record MemberCard(Guid Id, string DisplayName, bool IsVerified, bool IsEnterprise, string? VerifiedName);

/// <summary>The Identity module's public face for other modules.</summary>
public interface IMemberDirectory
{
    Task<IReadOnlyDictionary<Guid, MemberCard>> GetAsync(IReadOnlyCollection<Guid> memberIds, CancellationToken cancellationToken = default);

    Task<bool> IsVerifiedAsync(Guid memberId, CancellationToken cancellationToken = default);
}
