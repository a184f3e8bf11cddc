namespace TechMarket.Kernel.Members;

/// <summary>Where a member can be reached outside the site. Null e-mail: the member gave only a phone number.</summary>
public sealed record MemberContact(Guid Id, string? Email, string? PreferredCulture);

/// <summary>
/// Contact details for notifying a member by e-mail, and finding verified members by name to write to.
/// Implemented next to the member accounts.
/// </summary>
public interface IMemberContacts
{
    Task<MemberContact?> GetAsync(Guid memberId, CancellationToken cancellationToken = default);

    /// <summary>The contacts of those members that exist, in one look-up (batched notifications).</summary>
    Task<IReadOnlyDictionary<Guid, MemberContact>> GetManyAsync(IReadOnlyCollection<Guid> memberIds, CancellationToken cancellationToken = default);

    /// <summary>Verified members whose display or verified name contains the term (at most <paramref name="take"/>).</summary>
    Task<IReadOnlyList<MemberCard>> FindVerifiedByNameAsync(string term, int take, CancellationToken cancellationToken = default);
}
