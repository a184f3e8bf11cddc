using System.Globalization;

namespace TechMarket.Testing;

/// <summary>Fresh, valid identifiers so tests never collide on duplicate detection.</summary>
public static class TestIdentities
{
    private static readonly int[] IdWeights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    private const string IdChecks = "10X98765432";

    /// <summary>A GB 11643-1999 number from Beijing Chaoyang with a random birth date and sequence.</summary>
    public static string NewResidentId()
    {
        var birth = new DateOnly(1960, 1, 1).AddDays(Random.Shared.Next(0, 365 * 40));
        var body = $"110105{birth:yyyyMMdd}{Random.Shared.Next(0, 1000):D3}";
        var sum = 0;
        for (var i = 0; i < 17; i++)
        {
            sum += (body[i] - '0') * IdWeights[i];
        }

        return body + IdChecks[sum % 11];
    }

    /// <summary>A GB 32100-2015 code for a company (9 1) in Beijing with a random organisation code.</summary>
    public static string NewCreditCode()
    {
        const string orgAlphabet = "0123456789";
        var org = string.Concat(Enumerable.Range(0, 8).Select(_ => orgAlphabet[Random.Shared.Next(orgAlphabet.Length)]));
        int[] orgWeights = [3, 7, 9, 10, 5, 8, 4, 2];
        var orgSum = org.Select((c, i) => (c - '0') * orgWeights[i]).Sum();
        var orgCheck = 11 - (orgSum % 11);
        var orgCheckChar = orgCheck switch { 10 => 'X', 11 => '0', _ => (char)('0' + orgCheck) };
        var body = $"91110105{org}{orgCheckChar}";
        const string alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
        int[] weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
        var sum = body.Select((c, i) => alphabet.IndexOf(c, StringComparison.Ordinal) * weights[i]).Sum();
        var check = 31 - (sum % 31);
        return body + alphabet[check == 31 ? 0 : check];
    }

    public static string NewEmail() => $"m{Guid.NewGuid():N}@example.com";

    public static string NewPhone() => "139" + Random.Shared.Next(0, 100_000_000).ToString("D8", CultureInfo.InvariantCulture);

    /// <summary>A real 1×1 PNG (magic bytes and all): what an ID photo upload needs to pass the type check.</summary>
    public static readonly byte[] Png = Convert.FromBase64String(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==");

    public static readonly byte[] Pdf = "%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"u8.ToArray();
}
