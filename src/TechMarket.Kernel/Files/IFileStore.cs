namespace TechMarket.Kernel.Files;

public sealed record StoredBlob(string Key, long Length, string Sha256, FileKind Kind);

public enum UploadRejection
{
    None,
    Empty,
    TooLarge,
    UnsupportedType,
}

public sealed record UploadResult(StoredBlob? Blob, UploadRejection Rejection)
{
    public bool Succeeded => Blob is not null;
}

/// <summary>
/// Keeps uploaded bytes behind an interface so an object store can replace the local disk.
/// Keys are generated here; client file names never reach the file system.
/// </summary>
public interface IFileStore
{
    Task<UploadResult> SaveAsync(Stream content, IReadOnlySet<FileKind> allowed, long maxBytes, CancellationToken cancellationToken = default);

    Stream OpenRead(string key);

    Task DeleteAsync(string key, CancellationToken cancellationToken = default);
}
