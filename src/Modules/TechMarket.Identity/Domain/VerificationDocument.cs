namespace TechMarket.Identity.Domain;

public enum DocumentPurpose
{
    IdPhoto,
    BusinessLicence,
}

/// <summary>Metadata of an uploaded identity document; the bytes live in the file store under <see cref="StorageKey"/>.</summary>
public sealed class VerificationDocument
{
    public Guid Id { get; set; }
    public Guid OwnerId { get; set; }
    public DocumentPurpose Purpose { get; set; }
    public string StorageKey { get; set; } = "";
    public string ContentType { get; set; } = "";
    public long Length { get; set; }
    public string Sha256 { get; set; } = "";
    public DateTimeOffset UploadedAt { get; set; }
}
