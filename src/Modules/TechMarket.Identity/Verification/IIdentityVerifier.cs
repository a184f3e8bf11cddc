using TechMarket.Identity.Domain;

namespace TechMarket.Identity.Verification;

/// <summary>What a third-party identity service (e.g. a government ID check) is asked about one submission.</summary>
public sealed record VerificationCheck(VerificationKind Kind, string Name, string? IdNumber, string? CreditCode, string? LegalRepresentative);

public enum VerifierDecision
{
    /// <summary>The service is sure: approve without waiting for an operator.</summary>
    Accept,

    /// <summary>The service is sure the data is wrong: reject with the given reason.</summary>
    Reject,

    /// <summary>Formats are fine but a person has to look at the documents.</summary>
    NeedsHumanReview,
}

public sealed record VerifierVerdict(VerifierDecision Decision, string? Reason = null);

/// <summary>
/// Pluggable check run on every submission before it reaches the operator queue.
/// Implementations must be idempotent and may be slow; they run outside the database transaction.
/// </summary>
public interface IIdentityVerifier
{
    string Name { get; }

    Task<VerifierVerdict> CheckAsync(VerificationCheck check, CancellationToken cancellationToken);
}

/// <summary>Default: the formats were already checked (GB 11643 / GB 32100), so every submission goes to human review.</summary>
public sealed class HumanReviewVerifier : IIdentityVerifier
{
    public string Name => "human-review";

    public Task<VerifierVerdict> CheckAsync(VerificationCheck check, CancellationToken cancellationToken) =>
        Task.FromResult(new VerifierVerdict(VerifierDecision.NeedsHumanReview));
}
