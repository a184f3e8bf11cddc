using System.Globalization;
using System.Security.Cryptography;

namespace TechMarket.Browser.Tests.Infrastructure;

/// <summary>
/// Resident ID numbers (GB 11643-1999) made up for one test: region 110105 (北京市朝阳区), a random birth date
/// and sequence, and the ISO 7064 MOD 11-2 check character computed here rather than by the code under test.
/// </summary>
internal static class ResidentIds
{
    private static readonly int[] Weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

    public static string NewValid()
    {
        var birth = new DateOnly(1960, 1, 1).AddDays(RandomNumberGenerator.GetInt32(365 * 40));
        var sequence = RandomNumberGenerator.GetInt32(1000);
        var body = string.Create(CultureInfo.InvariantCulture, $"110105{birth:yyyyMMdd}{sequence:000}");
        return body + CheckCharacter(body);
    }

    /// <summary>A valid number with its last character replaced by a wrong one.</summary>
    public static string WithWrongCheckCharacter()
    {
        var valid = NewValid();
        var wrong = valid[^1] == '0' ? '1' : '0';
        return valid[..^1] + wrong;
    }

    private static char CheckCharacter(string body)
    {
        var sum = 0;
        for (var i = 0; i < Weights.Length; i++)
        {
            sum += (body[i] - '0') * Weights[i];
        }

        // Value (12 - sum mod 11) mod 11, written as a digit or 'X' for 10.
        var value = (12 - (sum % 11)) % 11;
        return value == 10 ? 'X' : (char)('0' + value);
    }
}
