namespace TechMarket.Identity.Domain;

public enum VerificationKind
{
    Personal,
    Enterprise,
}

public enum VerificationStatus
{
    Pending,
    Approved,
    Rejected,
}

/// <summary>
/// One submission of identity documents. A rejected request stays as history; resubmitting creates a new one.
/// Transitions are explicit and only leave <see cref="VerificationStatus.Pending"/>.
/// </summary>
public sealed class VerificationRequest
{
    public Guid Id { get; private set; }
    public Guid MemberId { get; private set; }
    public VerificationKind Kind { get; private set; }
    public VerificationStatus Status { get; private set; }
    public DateTimeOffset SubmittedAt { get; private set; }
    public DateTimeOffset? ReviewedAt { get; private set; }
    public Guid? ReviewerId { get; private set; }
    public string? RejectionReason { get; private set; }

    /// <summary>Real name for a person, registered company name for an enterprise.</summary>
    public string Name { get; private set; } = "";

    /// <summary>Resident ID number encrypted with a Data Protection key kept outside the database.</summary>
    public string? IdNumberProtected { get; private set; }

    /// <summary>Keyed hash of the normalized ID number: finds duplicates without decrypting.</summary>
    public string? IdNumberHash { get; private set; }

    public string? IdNumberMasked { get; private set; }

    public string? CreditCode { get; private set; }

    public string? LegalRepresentative { get; private set; }

    public Guid DocumentId { get; private set; }

    private VerificationRequest()
    {
    }

    public static VerificationRequest Personal(Guid memberId, string realName, ProtectedIdNumber idNumber, Guid documentId, DateTimeOffset at) => new()
    {
        Id = Guid.CreateVersion7(at),
        MemberId = memberId,
        Kind = VerificationKind.Personal,
        Status = VerificationStatus.Pending,
        SubmittedAt = at,
        Name = realName,
        IdNumberProtected = idNumber.Cipher,
        IdNumberHash = idNumber.Hash,
        IdNumberMasked = idNumber.Masked,
        DocumentId = documentId,
    };

    public static VerificationRequest Enterprise(Guid memberId, string companyName, string creditCode, string legalRepresentative, Guid documentId, DateTimeOffset at) => new()
    {
        Id = Guid.CreateVersion7(at),
        MemberId = memberId,
        Kind = VerificationKind.Enterprise,
        Status = VerificationStatus.Pending,
        SubmittedAt = at,
        Name = companyName,
        CreditCode = creditCode,
        LegalRepresentative = legalRepresentative,
        DocumentId = documentId,
    };

    public void Approve(Guid? reviewerId, DateTimeOffset at)
    {
        EnsurePending();
        Status = VerificationStatus.Approved;
        ReviewerId = reviewerId;
        ReviewedAt = at;
    }

    public void Reject(Guid? reviewerId, string reason, DateTimeOffset at)
    {
        EnsurePending();
        if (string.IsNullOrWhiteSpace(reason))
        {
            throw new ArgumentException("A rejection needs a reason the member can act on.", nameof(reason));
        }

        Status = VerificationStatus.Rejected;
        ReviewerId = reviewerId;
        ReviewedAt = at;
        RejectionReason = reason.Trim();
    }

    private void EnsurePending()
    {
        if (Status != VerificationStatus.Pending)
        {
            throw new InvalidOperationException($"Verification request {Id} is {Status}, not pending.");
        }
    }
}

public sealed record ProtectedIdNumber(string Cipher, string Hash, string Masked);
