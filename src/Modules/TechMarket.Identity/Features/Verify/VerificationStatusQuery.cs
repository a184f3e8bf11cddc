using Microsoft.EntityFrameworkCore;
using TechMarket.Identity.Domain;
using TechMarket.Identity.Persistence;

namespace TechMarket.Identity.Features.Verify;

public sealed record VerificationSummary(Guid Id, VerificationKind Kind, VerificationStatus Status, string Name, string Identifier, DateTimeOffset SubmittedAt, DateTimeOffset? ReviewedAt, string? RejectionReason, Guid DocumentId);

public sealed record MemberVerificationStatus(VerificationLevel Level, string? VerifiedName, VerificationSummary? Personal, VerificationSummary? Enterprise)
{
    public bool IsVerified => Level != VerificationLevel.None;
}

/// <summary>The member's own view: the latest request of each kind, with the reason when rejected. ID numbers stay masked.</summary>
public sealed class VerificationStatusQuery(AccountsDbContext db)
{
    public async Task<MemberVerificationStatus?> ForMemberAsync(Guid memberId, CancellationToken cancellationToken = default)
    {
        var member = await db.Users.AsNoTracking().Where(m => m.Id == memberId)
            .Select(m => new { m.VerificationLevel, m.VerifiedName })
            .SingleOrDefaultAsync(cancellationToken);
        if (member is null)
        {
            return null;
        }

        var requests = await db.VerificationRequests.AsNoTracking()
            .Where(v => v.MemberId == memberId)
            .ToListAsync(cancellationToken);
        VerificationSummary? Latest(VerificationKind kind) => requests
            .Where(v => v.Kind == kind)
            .OrderByDescending(v => v.SubmittedAt)
            .Select(v => new VerificationSummary(v.Id, v.Kind, v.Status, v.Name,
                v.Kind == VerificationKind.Personal ? v.IdNumberMasked ?? "" : v.CreditCode ?? "",
                v.SubmittedAt, v.ReviewedAt, v.RejectionReason, v.DocumentId))
            .FirstOrDefault();

        return new MemberVerificationStatus(member.VerificationLevel, member.VerifiedName, Latest(VerificationKind.Personal), Latest(VerificationKind.Enterprise));
    }
}
