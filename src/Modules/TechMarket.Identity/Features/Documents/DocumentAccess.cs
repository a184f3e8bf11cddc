using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using TechMarket.Identity.Domain;
using TechMarket.Identity.Persistence;
using TechMarket.Kernel.Auditing;
using TechMarket.Kernel.Files;
using TechMarket.Kernel.Security;

namespace TechMarket.Identity.Features.Documents;

public sealed record OpenedDocument(Stream Content, string ContentType, long Length, string DownloadName);

/// <summary>
/// Identity documents are served only to their owner and to staff; anyone else gets "not found",
/// so the existence of another member's document is not revealed. Staff access is audited.
/// </summary>
public sealed class DocumentAccess(AccountsDbContext db, IFileStore files, TimeProvider clock)
{
    public async Task<OpenedDocument?> OpenAsync(Guid documentId, ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        if (user.MemberId() is not { } memberId)
        {
            return null;
        }

        var document = await db.VerificationDocuments.AsNoTracking().SingleOrDefaultAsync(d => d.Id == documentId, cancellationToken);
        if (document is null)
        {
            return null;
        }

        var isOwner = document.OwnerId == memberId;
        if (!isOwner && !user.IsStaff())
        {
            return null;
        }

        if (!isOwner)
        {
            db.AuditLog.Add(AuditEntry.Record(clock.GetUtcNow(), memberId, "verification.document-viewed", nameof(VerificationDocument), documentId.ToString()));
            await db.SaveChangesAsync(cancellationToken);
        }

        var extension = document.ContentType switch
        {
            "image/png" => ".png",
            "image/jpeg" => ".jpg",
            _ => ".pdf",
        };
        return new OpenedDocument(files.OpenRead(document.StorageKey), document.ContentType, document.Length, $"{document.Purpose}{extension}");
    }
}
