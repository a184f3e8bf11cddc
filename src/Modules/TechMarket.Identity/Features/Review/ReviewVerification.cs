using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using TechMarket.Identity.Domain;
using TechMarket.Identity.Persistence;
using TechMarket.Identity.Security;
using TechMarket.Kernel.Auditing;
using TechMarket.Kernel.Notifications;

namespace TechMarket.Identity.Features.Review;

public sealed record ReviewQueueQuery(VerificationStatus? Status = VerificationStatus.Pending, VerificationKind? Kind = null, string? Search = null, int Page = 1, int PageSize = 20);

public sealed record ReviewQueueItem(Guid Id, Guid MemberId, string MemberName, string Account, VerificationKind Kind, VerificationStatus Status, string Name, string Identifier, DateTimeOffset SubmittedAt, DateTimeOffset? ReviewedAt);

public sealed record Paged<T>(IReadOnlyList<T> Items, int Page, int PageSize, int Total)
{
    public int Pages => Math.Max(1, (Total + PageSize - 1) / PageSize);
}

/// <summary>What a reviewer sees: the only place the ID number is shown unmasked, and every look is audited.</summary>
public sealed record ReviewDetail(ReviewQueueItem Item, string? IdNumber, string? LegalRepresentative, string? RejectionReason, Guid DocumentId, string DocumentContentType);

public enum ReviewFailure
{
    None,
    NotFound,
    NotPending,
    ReasonRequired,
}

/// <summary>Operator review of verification requests (A4); the member is told the result (I3) in the list and by e-mail per their preferences.</summary>
public sealed class ReviewVerification(
    AccountsDbContext db,
    PersonalDataProtector personalData,
    IEnumerable<INotificationSender> notifications,
    TimeProvider clock,
    ILogger<ReviewVerification> logger)
{
    public async Task<Paged<ReviewQueueItem>> ListAsync(ReviewQueueQuery query, CancellationToken cancellationToken = default)
    {
        var pageSize = Math.Clamp(query.PageSize, 1, 100);
        var page = Math.Max(1, query.Page);
        var requests = db.VerificationRequests.AsNoTracking();
        if (query.Status is { } status)
        {
            requests = requests.Where(v => v.Status == status);
        }

        if (query.Kind is { } kind)
        {
            requests = requests.Where(v => v.Kind == kind);
        }

        if (!string.IsNullOrWhiteSpace(query.Search))
        {
            var term = query.Search.Trim();
            requests = requests.Where(v => v.Name.Contains(term) || (v.CreditCode != null && v.CreditCode.Contains(term)));
        }

        var total = await requests.CountAsync(cancellationToken);
        var rows = await requests
            .OrderBy(v => v.SubmittedAt)
            .Skip((page - 1) * pageSize)
            .Take(pageSize)
            .Join(db.Users, v => v.MemberId, m => m.Id, (v, m) => new { v, m.DisplayName, m.UserName })
            .ToListAsync(cancellationToken);
        var items = rows.Select(r => ToItem(r.v, r.DisplayName, r.UserName ?? "")).ToList();
        return new Paged<ReviewQueueItem>(items, page, pageSize, total);
    }

    public async Task<ReviewDetail?> GetAsync(Guid id, Guid reviewerId, CancellationToken cancellationToken = default)
    {
        var row = await db.VerificationRequests.AsNoTracking()
            .Where(v => v.Id == id)
            .Join(db.Users, v => v.MemberId, m => m.Id, (v, m) => new { v, m.DisplayName, m.UserName })
            .SingleOrDefaultAsync(cancellationToken);
        if (row is null)
        {
            return null;
        }

        var document = await db.VerificationDocuments.AsNoTracking().SingleAsync(d => d.Id == row.v.DocumentId, cancellationToken);
        string? idNumber = null;
        if (row.v.IdNumberProtected is { } cipher)
        {
            idNumber = personalData.Unprotect(cipher);
            db.AuditLog.Add(AuditEntry.Record(clock.GetUtcNow(), reviewerId, "verification.id-number-viewed", nameof(VerificationRequest), id.ToString()));
            await db.SaveChangesAsync(cancellationToken);
            logger.LogInformation("Reviewer {ReviewerId} viewed the ID number of verification {RequestId}", reviewerId, id);
        }

        return new ReviewDetail(ToItem(row.v, row.DisplayName, row.UserName ?? ""), idNumber, row.v.LegalRepresentative, row.v.RejectionReason, document.Id, document.ContentType);
    }

    public Task<ReviewFailure> ApproveAsync(Guid id, Guid? reviewerId, CancellationToken cancellationToken = default) =>
        DecideAsync(id, reviewerId, reason: null, cancellationToken);

    public Task<ReviewFailure> RejectAsync(Guid id, Guid? reviewerId, string reason, CancellationToken cancellationToken = default) =>
        string.IsNullOrWhiteSpace(reason) || reason.Trim().Length > 500
            ? Task.FromResult(ReviewFailure.ReasonRequired)
            : DecideAsync(id, reviewerId, reason, cancellationToken);

    private async Task<ReviewFailure> DecideAsync(Guid id, Guid? reviewerId, string? reason, CancellationToken cancellationToken)
    {
        var request = await db.VerificationRequests.SingleOrDefaultAsync(v => v.Id == id, cancellationToken);
        if (request is null)
        {
            return ReviewFailure.NotFound;
        }

        if (request.Status != VerificationStatus.Pending)
        {
            return ReviewFailure.NotPending;
        }

        var now = clock.GetUtcNow();
        if (reason is null)
        {
            request.Approve(reviewerId, now);
            var member = await db.Users.SingleAsync(m => m.Id == request.MemberId, cancellationToken);
            var level = request.Kind == VerificationKind.Enterprise ? VerificationLevel.Enterprise : VerificationLevel.Individual;
            // An enterprise verification outranks a personal one: the account then trades as the company.
            if (level > member.VerificationLevel)
            {
                member.VerificationLevel = level;
                member.VerifiedName = request.Name;
            }
        }
        else
        {
            request.Reject(reviewerId, reason, now);
        }

        db.AuditLog.Add(AuditEntry.Record(now, reviewerId, reason is null ? "verification.approved" : "verification.rejected", nameof(VerificationRequest), id.ToString(), reason));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return ReviewFailure.NotPending;
        }

        logger.LogInformation("Verification {RequestId} {Decision} by {ReviewerId}", id, request.Status, reviewerId);
        await NotifyMemberAsync(request, reason, cancellationToken);
        return ReviewFailure.None;
    }

    private async Task NotifyMemberAsync(VerificationRequest request, string? reason, CancellationToken cancellationToken)
    {
        var (template, argument) = reason is null
            ? (NotificationTemplates.ReviewApproved, request.Name)
            : (NotificationTemplates.ReviewRejected, reason.Trim());
        foreach (var sender in notifications)
        {
            try
            {
                await sender.NotifyAsync(request.MemberId, NotificationKinds.Review, template, [argument], "/account/verification", cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The decision is stored and shown on the member's verification page; the notification is a courtesy.
                logger.LogWarning(ex, "Member {MemberId} could not be notified of verification {RequestId}", request.MemberId, request.Id);
            }
        }
    }

    private static ReviewQueueItem ToItem(VerificationRequest v, string memberName, string account) => new(
        v.Id, v.MemberId, memberName, AccountName.Mask(account), v.Kind, v.Status, v.Name,
        v.Kind == VerificationKind.Personal ? v.IdNumberMasked ?? "" : v.CreditCode ?? "",
        v.SubmittedAt, v.ReviewedAt);
}
