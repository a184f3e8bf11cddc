namespace TechMarket.Kernel.Files;

/// <summary>A stored blob: its SHA-256 (lower-case hex) is also its key, so equal content is kept once.</summary>
public sealed record ContentBlob(string Sha256, long Length);

/// <summary>The upload was larger than the limit; nothing was kept.</summary>
public sealed class BlobTooLargeException(long limit) : Exception($"The file is larger than {limit} bytes.")
{
    public long Limit { get; } = limit;
}

/// <summary>
/// Files of any type (technical material), addressed by content and streamed in both directions, never held
/// whole in memory. Local disk today; an object store can implement the same interface later.
/// </summary>
public interface IBlobStore
{
    /// <summary>Copies the stream to storage while hashing it; throws <see cref="BlobTooLargeException"/> past <paramref name="maxLength"/>.</summary>
    Task<ContentBlob> PutAsync(Stream content, long maxLength, CancellationToken cancellationToken = default);

    /// <summary>A readable, seekable stream of the blob, or null when it is missing.</summary>
    Stream? OpenRead(string sha256);
}
