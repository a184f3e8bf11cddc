using System.Buffers;
using System.Security.Cryptography;
using Microsoft.Extensions.Hosting;

namespace TechMarket.Kernel.Files;

/// <summary>
/// Blobs under {Storage:Root}/blobs/ab/cd/abcd…: written to a temp file while hashed, then moved into place.
/// Only an 80 KB buffer is ever in memory, whatever the file size.
/// </summary>
public sealed class LocalBlobStore(FileStorageOptions options, IHostEnvironment environment) : IBlobStore
{
    private const int BufferSize = 81_920;

    private string Root => Path.Combine(
        Path.GetFullPath(Path.IsPathRooted(options.Root) ? options.Root : Path.Combine(environment.ContentRootPath, options.Root)),
        "blobs");

    public async Task<ContentBlob> PutAsync(Stream content, long maxLength, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(Root);
        var temp = Path.Combine(Root, $"upload-{Guid.NewGuid():N}.tmp");
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            long length = 0;
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous))
            {
                int read;
                while ((read = await content.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken)) > 0)
                {
                    length += read;
                    if (length > maxLength)
                    {
                        throw new BlobTooLargeException(maxLength);
                    }

                    hash.AppendData(buffer, 0, read);
                    await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                }
            }

            var sha = Convert.ToHexStringLower(hash.GetHashAndReset());
            var target = PathOf(sha);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            if (File.Exists(target))
            {
                File.Delete(temp);
            }
            else
            {
                File.Move(temp, target, overwrite: true);
            }

            return new ContentBlob(sha, length);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    public Stream? OpenRead(string sha256)
    {
        if (sha256.Length != 64 || !sha256.All(Uri.IsHexDigit))
        {
            return null;
        }

        var path = PathOf(sha256.ToLowerInvariant());
        return File.Exists(path)
            ? new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, FileOptions.Asynchronous | FileOptions.SequentialScan)
            : null;
    }

    private string PathOf(string sha) => Path.Combine(Root, sha[..2], sha[2..4], sha);
}
