namespace TechMarket.Kernel.Files;

public enum FileKind
{
    Unknown,
    Jpeg,
    Png,
    Pdf,
}

/// <summary>Decides what a file is from its first bytes; the name and the declared type are never trusted.</summary>
public static class FileSignature
{
    public const int BytesNeeded = 8;

    private static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
    private static readonly byte[] Jpeg = [0xFF, 0xD8, 0xFF];
    private static readonly byte[] Pdf = "%PDF-"u8.ToArray();

    public static FileKind Detect(ReadOnlySpan<byte> head)
    {
        if (head.StartsWith(Png))
        {
            return FileKind.Png;
        }

        if (head.StartsWith(Jpeg))
        {
            return FileKind.Jpeg;
        }

        return head.StartsWith(Pdf) ? FileKind.Pdf : FileKind.Unknown;
    }

    public static string ContentType(this FileKind kind) => kind switch
    {
        FileKind.Jpeg => "image/jpeg",
        FileKind.Png => "image/png",
        FileKind.Pdf => "application/pdf",
        _ => "application/octet-stream",
    };

    public static string Extension(this FileKind kind) => kind switch
    {
        FileKind.Jpeg => ".jpg",
        FileKind.Png => ".png",
        FileKind.Pdf => ".pdf",
        _ => ".bin",
    };

    public static bool IsImage(this FileKind kind) => kind is FileKind.Jpeg or FileKind.Png;
}
