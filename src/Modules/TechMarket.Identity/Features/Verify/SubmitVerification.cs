using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Logging;
using TechMarket.Identity.Domain;
using TechMarket.Identity.Features.Review;
using TechMarket.Identity.Persistence;
using TechMarket.Identity.Security;
using TechMarket.Identity.Verification;
using TechMarket.Kernel.Auditing;
using TechMarket.Kernel.Files;
using TechMarket.Kernel.Http;

namespace TechMarket.Identity.Features.Verify;

public sealed record PersonalVerificationInput(string? RealName, string? IdNumber);

public sealed record EnterpriseVerificationInput(string? CompanyName, string? CreditCode, string? LegalRepresentative);

public enum SubmitFailure
{
    None,
    Invalid,
    FileTooLarge,
    FileType,
    AlreadyPending,
    AlreadyVerified,
    Duplicate,
}

public sealed record SubmitOutcome(VerificationRequest? Request, SubmitFailure Failure, FieldErrors Errors);

/// <summary>
/// Personal (A2) and enterprise (A3) verification. Fields are checked before anything is stored; the document
/// is stored only after that, and removed again if the database refuses the request.
/// </summary>
public sealed class SubmitVerification(
    AccountsDbContext db,
    IFileStore files,
    FileStorageOptions storage,
    PersonalDataProtector personalData,
    IIdentityVerifier verifier,
    ReviewVerification review,
    TimeProvider clock,
    IStringLocalizer<IdentityStrings> text,
    ILogger<SubmitVerification> logger)
{
    public const string DocumentField = "Document";
    private static readonly HashSet<FileKind> IdPhotoKinds = [FileKind.Jpeg, FileKind.Png];
    private static readonly HashSet<FileKind> LicenceKinds = [FileKind.Jpeg, FileKind.Png, FileKind.Pdf];

    public async Task<SubmitOutcome> PersonalAsync(Guid memberId, PersonalVerificationInput input, Stream? document, CancellationToken cancellationToken = default)
    {
        var errors = new FieldErrors();
        var realName = input.RealName?.Trim() ?? "";
        if (realName.Length is < 2 or > 32)
        {
            errors.Add(nameof(input.RealName), text["Validation.RealName.Invalid"]);
        }

        var idNumber = ResidentIdNumber.Normalize(input.IdNumber ?? "");
        var idError = ResidentIdNumber.Validate(idNumber, DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime));
        if (idError != ResidentIdError.None)
        {
            errors.Add(nameof(input.IdNumber), text[$"Validation.IdNumber.{idError}"]);
        }

        if (document is null)
        {
            errors.Add(DocumentField, text["Validation.Document.Required"]);
        }

        if (!errors.IsEmpty)
        {
            return new SubmitOutcome(null, SubmitFailure.Invalid, errors);
        }

        var protectedId = personalData.Protect(idNumber);
        var taken = await db.VerificationRequests.AnyAsync(
            v => v.IdNumberHash == protectedId.Hash && v.MemberId != memberId && v.Status != VerificationStatus.Rejected, cancellationToken);
        if (taken)
        {
            errors.Add(nameof(input.IdNumber), text["Validation.IdNumber.Duplicate"]);
            return new SubmitOutcome(null, SubmitFailure.Duplicate, errors);
        }

        return await StoreAsync(memberId, VerificationKind.Personal, DocumentPurpose.IdPhoto, IdPhotoKinds, document!,
            documentId => VerificationRequest.Personal(memberId, realName, protectedId, documentId, clock.GetUtcNow()),
            new VerificationCheck(VerificationKind.Personal, realName, idNumber, null, null), cancellationToken);
    }

    public async Task<SubmitOutcome> EnterpriseAsync(Guid memberId, EnterpriseVerificationInput input, Stream? document, CancellationToken cancellationToken = default)
    {
        var errors = new FieldErrors();
        var company = input.CompanyName?.Trim() ?? "";
        if (company.Length is < 2 or > 100)
        {
            errors.Add(nameof(input.CompanyName), text["Validation.CompanyName.Invalid"]);
        }

        var code = UnifiedSocialCreditCode.Normalize(input.CreditCode ?? "");
        var codeError = UnifiedSocialCreditCode.Validate(code);
        if (codeError != CreditCodeError.None)
        {
            errors.Add(nameof(input.CreditCode), text[$"Validation.CreditCode.{codeError}"]);
        }

        var legal = input.LegalRepresentative?.Trim() ?? "";
        if (legal.Length is < 2 or > 32)
        {
            errors.Add(nameof(input.LegalRepresentative), text["Validation.LegalRepresentative.Invalid"]);
        }

        if (document is null)
        {
            errors.Add(DocumentField, text["Validation.Document.Required"]);
        }

        if (!errors.IsEmpty)
        {
            return new SubmitOutcome(null, SubmitFailure.Invalid, errors);
        }

        var taken = await db.VerificationRequests.AnyAsync(
            v => v.CreditCode == code && v.MemberId != memberId && v.Status != VerificationStatus.Rejected, cancellationToken);
        if (taken)
        {
            errors.Add(nameof(input.CreditCode), text["Validation.CreditCode.Duplicate"]);
            return new SubmitOutcome(null, SubmitFailure.Duplicate, errors);
        }

        return await StoreAsync(memberId, VerificationKind.Enterprise, DocumentPurpose.BusinessLicence, LicenceKinds, document!,
            documentId => VerificationRequest.Enterprise(memberId, company, code, legal, documentId, clock.GetUtcNow()),
            new VerificationCheck(VerificationKind.Enterprise, company, null, code, legal), cancellationToken);
    }

    private async Task<SubmitOutcome> StoreAsync(
        Guid memberId,
        VerificationKind kind,
        DocumentPurpose purpose,
        IReadOnlySet<FileKind> allowed,
        Stream document,
        Func<Guid, VerificationRequest> create,
        VerificationCheck check,
        CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        var state = await db.VerificationRequests
            .Where(v => v.MemberId == memberId && v.Kind == kind && v.Status != VerificationStatus.Rejected)
            .Select(v => v.Status)
            .ToListAsync(cancellationToken);
        if (state.Contains(VerificationStatus.Pending))
        {
            errors.Add("", text["Validation.Verification.AlreadyPending"]);
            return new SubmitOutcome(null, SubmitFailure.AlreadyPending, errors);
        }

        if (state.Contains(VerificationStatus.Approved))
        {
            errors.Add("", text["Validation.Verification.AlreadyVerified"]);
            return new SubmitOutcome(null, SubmitFailure.AlreadyVerified, errors);
        }

        var upload = await files.SaveAsync(document, allowed, storage.MaxUploadBytes, cancellationToken);
        if (!upload.Succeeded)
        {
            var (failure, message) = upload.Rejection switch
            {
                UploadRejection.TooLarge => (SubmitFailure.FileTooLarge, text["Validation.Document.TooLarge", storage.MaxUploadBytes / 1024 / 1024].Value),
                UploadRejection.Empty => (SubmitFailure.Invalid, text["Validation.Document.Required"].Value),
                _ => (SubmitFailure.FileType, text[purpose == DocumentPurpose.IdPhoto ? "Validation.Document.ImageType" : "Validation.Document.Type"].Value),
            };
            errors.Add(DocumentField, message);
            return new SubmitOutcome(null, failure, errors);
        }

        var blob = upload.Blob!;
        var now = clock.GetUtcNow();
        var doc = new VerificationDocument
        {
            Id = Guid.CreateVersion7(now),
            OwnerId = memberId,
            Purpose = purpose,
            StorageKey = blob.Key,
            ContentType = blob.Kind.ContentType(),
            Length = blob.Length,
            Sha256 = blob.Sha256,
            UploadedAt = now,
        };
        var request = create(doc.Id);
        try
        {
            db.VerificationDocuments.Add(doc);
            db.VerificationRequests.Add(request);
            db.AuditLog.Add(AuditEntry.Record(now, memberId, "verification.submitted", nameof(VerificationRequest), request.Id.ToString(), kind.ToString()));
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            await files.DeleteAsync(blob.Key, CancellationToken.None);
            db.ChangeTracker.Clear();
            errors.Add("", text["Validation.Verification.AlreadyPending"]);
            return new SubmitOutcome(null, SubmitFailure.AlreadyPending, errors);
        }
        catch
        {
            await files.DeleteAsync(blob.Key, CancellationToken.None);
            throw;
        }

        logger.LogInformation("Member {MemberId} submitted {Kind} verification {RequestId}", memberId, kind, request.Id);
        await ApplyVerifierAsync(request, check, cancellationToken);
        return new SubmitOutcome(request, SubmitFailure.None, errors);
    }

    private async Task ApplyVerifierAsync(VerificationRequest request, VerificationCheck check, CancellationToken cancellationToken)
    {
        var verdict = await verifier.CheckAsync(check, cancellationToken);
        switch (verdict.Decision)
        {
            case VerifierDecision.Accept:
                await review.ApproveAsync(request.Id, reviewerId: null, cancellationToken);
                break;
            case VerifierDecision.Reject:
                await review.RejectAsync(request.Id, reviewerId: null, verdict.Reason ?? verifier.Name, cancellationToken);
                break;
        }
    }
}
