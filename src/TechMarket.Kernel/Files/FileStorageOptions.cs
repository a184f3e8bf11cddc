namespace TechMarket.Kernel.Files;

public sealed class FileStorageOptions
{
    public const string Section = "Storage";

    /// <summary>Outside wwwroot so nothing uploaded is ever served as a static file.</summary>
    public string Root { get; set; } = "data/uploads";

    public long MaxUploadBytes { get; set; } = 10 * 1024 * 1024;
}
