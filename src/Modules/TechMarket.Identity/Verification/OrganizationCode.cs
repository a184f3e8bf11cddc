using System.Buffers;

namespace TechMarket.Identity.Verification;

/// <summary>
/// 组织机构代码 (GB 11714-1997): an 8-character body plus a check character. It lives on as
/// characters 9–17 (主体标识码) of the unified social credit code.
/// </summary>
public static class OrganizationCode
{
    private const int BodyLength = 8;

    private static readonly SearchValues<char> BodyCharacters = SearchValues.Create("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ");

    // GB 11714-1997 校验码 clause: fixed weights for the 8 body characters.
    private static ReadOnlySpan<byte> Weights => [3, 7, 9, 10, 5, 8, 4, 2];

    /// <summary>
    /// Computes the GB 11714-1997 check character: C9 = 11 − (Σ Ci·Wi mod 11), written 'X' for 10 and '0' for 11.
    /// Body characters are '0'–'9' (0–9) and 'A'–'Z' (10–35).
    /// </summary>
    /// <exception cref="ArgumentException">Not exactly 8 characters from 0-9 and A-Z.</exception>
    public static char ComputeCheckCharacter(ReadOnlySpan<char> first8)
    {
        if (first8.Length != BodyLength || first8.ContainsAnyExcept(BodyCharacters))
        {
            throw new ArgumentException("Expected exactly 8 characters from 0-9 and A-Z.", nameof(first8));
        }

        var sum = 0;
        for (var i = 0; i < BodyLength; i++)
        {
            sum += Value(first8[i]) * Weights[i];
        }

        return (11 - (sum % 11)) switch
        {
            10 => 'X',
            11 => '0',
            var digit => (char)('0' + digit),
        };
    }

    private static int Value(char c) => char.IsAsciiDigit(c) ? c - '0' : c - 'A' + 10;
}
