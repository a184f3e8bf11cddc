namespace TechMarket.Identity.Verification;

/// <summary>
/// Administrative division codes (GB/T 2260) as they appear inside resident ID numbers and credit codes.
/// </summary>
/// <remarks>
/// Only the province-level prefix is checked. The full GB/T 2260 table changes every year
/// (counties merge, districts are renamed) while numbers issued under old codes stay valid for life,
/// so a complete table would reject real people and organisations.
/// </remarks>
public static class AdministrativeRegions
{
    /// <summary>
    /// The code of the People's Republic of China as a whole. Central registration authorities
    /// (e.g. 中央编办 registering ministries and national institutions) put it in credit codes,
    /// e.g. 11100000000019713D; it never appears in resident ID numbers.
    /// </summary>
    public const string National = "100000";

    /// <summary>
    /// Whether <paramref name="code"/> is a GB/T 2260 province-level code (the first two digits of a region code):
    /// 11–15, 21–23, 31–37, 41–46, 50–54, 61–65, 71 (台湾), 81 (香港), 82 (澳门).
    /// </summary>
    public static bool IsProvinceCode(int code) =>
        code is (>= 11 and <= 15)
            or (>= 21 and <= 23)
            or (>= 31 and <= 37)
            or (>= 41 and <= 46)
            or (>= 50 and <= 54)
            or (>= 61 and <= 65)
            or 71 or 81 or 82;

    /// <summary>
    /// Whether <paramref name="code"/> is six ASCII digits starting with a province-level code.
    /// Prefecture and county digits are not checked, so a province-level code such as 110000 is accepted:
    /// provincial authorities register organisations under it.
    /// </summary>
    public static bool IsValidRegionCode(ReadOnlySpan<char> code) =>
        code.Length == 6
        && !code.ContainsAnyExceptInRange('0', '9')
        && IsProvinceCode(((code[0] - '0') * 10) + (code[1] - '0'));

    /// <summary>Whether <paramref name="code"/> is exactly <see cref="National"/>.</summary>
    public static bool IsNational(ReadOnlySpan<char> code) => code.SequenceEqual(National);
}
