using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.DataProtection;
using TechMarket.Identity.Domain;
using TechMarket.Identity.Verification;

namespace TechMarket.Identity.Security;

public sealed class PersonalDataOptions
{
    public const string Section = "PersonalData";

    /// <summary>Base64 HMAC key for duplicate detection of ID numbers. Kept outside the database.</summary>
    public string? HashKey { get; set; }

    /// <summary>Where a generated key is kept when <see cref="HashKey"/> is not configured (embedded default).</summary>
    public string KeyFile { get; set; } = "data/keys/pii-hash.key";
}

/// <summary>
/// Resident ID numbers are sensitive personal information under PIPL: stored encrypted with a Data Protection key
/// that lives outside the database, matched by a keyed hash, and shown masked except to reviewers.
/// </summary>
public sealed class PersonalDataProtector
{
    private readonly IDataProtector protector;
    private readonly byte[] hashKey;

    public PersonalDataProtector(IDataProtectionProvider provider, byte[] hashKey)
    {
        protector = provider.CreateProtector("TechMarket.Identity.ResidentIdNumber.v1");
        this.hashKey = hashKey;
    }

    public ProtectedIdNumber Protect(string normalizedIdNumber) =>
        new(protector.Protect(normalizedIdNumber), Hash(normalizedIdNumber), ResidentIdNumber.Mask(normalizedIdNumber));

    public string Unprotect(string cipher) => protector.Unprotect(cipher);

    public string Hash(string normalizedIdNumber) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(hashKey, Encoding.UTF8.GetBytes(normalizedIdNumber)));

    public static byte[] LoadOrCreateKey(PersonalDataOptions options, string contentRoot)
    {
        if (!string.IsNullOrWhiteSpace(options.HashKey))
        {
            return Convert.FromBase64String(options.HashKey);
        }

        var path = Path.IsPathRooted(options.KeyFile) ? options.KeyFile : Path.Combine(contentRoot, options.KeyFile);
        if (File.Exists(path))
        {
            return Convert.FromBase64String(File.ReadAllText(path).Trim());
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var key = RandomNumberGenerator.GetBytes(32);
        File.WriteAllText(path, Convert.ToBase64String(key));
        return key;
    }
}
