using System.Security.Cryptography;
using Microsoft.Extensions.Hosting;

namespace TechMarket.Kernel.Files;

public sealed class LocalFileStore : IFileStore
{
    private readonly string root;

    public LocalFileStore(FileStorageOptions options, IHostEnvironment environment)
    {
        root = Path.GetFullPath(Path.IsPathRooted(options.Root) ? options.Root : Path.Combine(environment.ContentRootPath, options.Root));
        Directory.CreateDirectory(root);
    }

    public async Task<UploadResult> SaveAsync(Stream content, IReadOnlySet<FileKind> allowed, long maxBytes, CancellationToken cancellationToken = default)
    {
        var head = new byte[FileSignature.BytesNeeded];
        var headLength = await content.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, cancellationToken);
        if (headLength == 0)
        {
            return new UploadResult(null, UploadRejection.Empty);
        }

        var kind = FileSignature.Detect(head.AsSpan(0, headLength));
        if (!allowed.Contains(kind))
        {
            return new UploadResult(null, UploadRejection.UnsupportedType);
        }

        var key = $"{DateTime.UtcNow:yyyy/MM}/{Guid.NewGuid():N}{kind.Extension()}";
        var path = PathFor(key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long length = headLength;
        var completed = false;
        try
        {
            await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true))
            {
                hash.AppendData(head, 0, headLength);
                await file.WriteAsync(head.AsMemory(0, headLength), cancellationToken);
                var buffer = new byte[81920];
                int read;
                while ((read = await content.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    length += read;
                    if (length > maxBytes)
                    {
                        return new UploadResult(null, UploadRejection.TooLarge);
                    }

                    hash.AppendData(buffer, 0, read);
                    await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                }
            }

            completed = true;
            return new UploadResult(new StoredBlob(key, length, Convert.ToHexStringLower(hash.GetHashAndReset()), kind), UploadRejection.None);
        }
        finally
        {
            if (!completed)
            {
                File.Delete(path);
            }
        }
    }

    public Stream OpenRead(string key) =>
        new FileStream(PathFor(key), FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true);

    public Task DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        File.Delete(PathFor(key));
        return Task.CompletedTask;
    }

    private string PathFor(string key)
    {
        var path = Path.GetFullPath(Path.Combine(root, key));
        // Keys are ours, but a corrupted row must never let a read escape the storage root.
        if (!path.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new InvalidOperationException("Storage key points outside the storage root.");
        }

        return path;
    }
}
