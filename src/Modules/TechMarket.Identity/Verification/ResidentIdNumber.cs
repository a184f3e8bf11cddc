namespace TechMarket.Identity.Verification;

/// <summary>Why a resident ID number was rejected; the first failing rule wins, in declaration order.</summary>
public enum ResidentIdError
{
    None,
    Empty,
    Length,
    Characters,
    Region,
    BirthDate,
    CheckCharacter,
}

/// <summary>
/// 公民身份号码 (resident identity card number) as defined by GB 11643-1999.
/// Only the 18-character form is accepted: 15-digit numbers from first-generation cards stopped being valid in 2013.
/// </summary>
public static class ResidentIdNumber
{
    private const int Length = 18;

    private const int BodyLength = 17;

    // GB 11643-1999 limits the date only by GB/T 7408; 1900-01-01 is our floor so that typos in the
    // century (e.g. 1099) are caught. Nobody born before 1900 will sign up for a marketplace account.
    private static readonly DateOnly EarliestBirthDate = new(1900, 1, 1);

    // GB 11643-1999 校验码 clause: weight of the i-th character counted from the right (check character = 1)
    // is 2^(i-1) mod 11 (ISO 7064 MOD 11-2); listed here left to right for the 17 body digits.
    private static ReadOnlySpan<byte> Weights => [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

    // Check character indexed by (weighted sum mod 11): (12 - sum mod 11) mod 11, with 10 written as 'X'.
    private const string CheckCharacters = "10X98765432";

    /// <summary>Trims, removes inner white space and upper-cases a trailing 'x'. Returns the same instance when already clean.</summary>
    public static string Normalize(string value) => IdentifierText.Compact(value, IdentifierText.Casing.TrailingX);

    /// <summary>
    /// Validates <paramref name="value"/> (normalized first) against GB 11643-1999, with birth dates limited to
    /// 1900-01-01 ≤ birth date ≤ <paramref name="today"/>.
    /// </summary>
    public static ResidentIdError Validate(string? value, DateOnly today)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return ResidentIdError.Empty;
        }

        ReadOnlySpan<char> id = Normalize(value);
        if (id.Length != Length)
        {
            return ResidentIdError.Length;
        }

        // GB 11643-1999 号码的结构: 17 digits of 本体码, then the check character, which is a digit or 'X'.
        var body = id[..BodyLength];
        var check = id[BodyLength];
        if (body.ContainsAnyExceptInRange('0', '9') || !(char.IsAsciiDigit(check) || check == 'X'))
        {
            return ResidentIdError.Characters;
        }

        // 地址码: a GB/T 2260 county code; see AdministrativeRegions for why only the province is checked.
        if (!AdministrativeRegions.IsValidRegionCode(id[..6]))
        {
            return ResidentIdError.Region;
        }

        // 出生日期码: yyyyMMdd per GB/T 7408, no separators.
        if (ParseBirthDate(id) is not { } birthDate || birthDate < EarliestBirthDate || birthDate > today)
        {
            return ResidentIdError.BirthDate;
        }

        return ComputeCheckCharacter(body) == check ? ResidentIdError.None : ResidentIdError.CheckCharacter;
    }

    /// <summary>Computes the GB 11643-1999 (ISO 7064 MOD 11-2) check character, '0'–'9' or 'X'.</summary>
    /// <exception cref="ArgumentException">Not exactly 17 ASCII digits.</exception>
    public static char ComputeCheckCharacter(ReadOnlySpan<char> first17Digits)
    {
        if (first17Digits.Length != BodyLength || first17Digits.ContainsAnyExceptInRange('0', '9'))
        {
            throw new ArgumentException("Expected exactly 17 ASCII digits.", nameof(first17Digits));
        }

        var sum = 0;
        for (var i = 0; i < BodyLength; i++)
        {
            sum += (first17Digits[i] - '0') * Weights[i];
        }

        return CheckCharacters[sum % 11];
    }

    /// <summary>
    /// Masks a normalized 18-character number for display: the region (first 6) and the last 4 stay visible,
    /// the birth date is hidden ("110105********0021"). Any other length keeps only the last 2 characters;
    /// inputs of 2 characters or fewer are masked completely, since showing "the last 2" would show everything.
    /// </summary>
    public static string Mask(string value)
    {
        ArgumentNullException.ThrowIfNull(value);

        if (value.Length == Length)
        {
            return string.Create(Length, value, static (destination, source) =>
            {
                source.AsSpan(0, 6).CopyTo(destination);
                destination[6..14].Fill('*');
                source.AsSpan(14).CopyTo(destination[14..]);
            });
        }

        if (value.Length <= 2)
        {
            return new string('*', value.Length);
        }

        return string.Create(value.Length, value, static (destination, source) =>
        {
            destination[..^2].Fill('*');
            source.AsSpan(source.Length - 2).CopyTo(destination[^2..]);
        });
    }

    /// <summary>
    /// The birth date encoded in a normalized 18-character number, or <see langword="null"/> when the length is wrong
    /// or positions 7–14 are not a real calendar date. No range check: see <see cref="Validate"/> for that.
    /// </summary>
    public static DateOnly? BirthDate(string normalizedValue)
    {
        ArgumentNullException.ThrowIfNull(normalizedValue);
        return normalizedValue.Length == Length ? ParseBirthDate(normalizedValue) : null;
    }

    private static DateOnly? ParseBirthDate(ReadOnlySpan<char> id)
    {
        var digits = id.Slice(6, 8);
        if (digits.ContainsAnyExceptInRange('0', '9'))
        {
            return null;
        }

        var year = Number(digits[..4]);
        var month = Number(digits[4..6]);
        var day = Number(digits[6..]);

        // Checked by hand rather than with DateOnly.TryParseExact: no culture, no exceptions, no allocation.
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month))
        {
            return null;
        }

        return new DateOnly(year, month, day);
    }

    private static int Number(ReadOnlySpan<char> digits)
    {
        var result = 0;
        foreach (var c in digits)
        {
            result = (result * 10) + (c - '0');
        }

        return result;
    }
}
