using System.Net.Mail;
using System.Text.RegularExpressions;

namespace TechMarket.Identity.Domain;

public enum AccountNameKind
{
    Email,
    Phone,
}

/// <summary>A login: an e-mail address or a mainland China mobile number (11 digits starting 13–19).</summary>
public readonly partial record struct AccountName(string Value, AccountNameKind Kind)
{
    public static bool TryParse(string? input, out AccountName name)
    {
        name = default;
        if (string.IsNullOrWhiteSpace(input) || input.Length > 254)
        {
            return false;
        }

        var trimmed = input.Trim();
        if (trimmed.Contains('@', StringComparison.Ordinal))
        {
            if (MailAddress.TryCreate(trimmed, out var address) && address.Address == trimmed && address.Host.Contains('.', StringComparison.Ordinal))
            {
                name = new AccountName(trimmed.ToLowerInvariant(), AccountNameKind.Email);
                return true;
            }

            return false;
        }

        var digits = PhoneSeparators().Replace(trimmed, "");
        if (digits.StartsWith("+86", StringComparison.Ordinal))
        {
            digits = digits[3..];
        }

        if (MainlandMobile().IsMatch(digits))
        {
            name = new AccountName(digits, AccountNameKind.Phone);
            return true;
        }

        return false;
    }

    /// <summary>For display: 138****5678 or a***@example.com.</summary>
    public static string Mask(string value)
    {
        if (value.Contains('@', StringComparison.Ordinal))
        {
            var at = value.IndexOf('@', StringComparison.Ordinal);
            return at <= 1 ? "*" + value[at..] : value[0] + "***" + value[at..];
        }

        return value.Length == 11 ? value[..3] + "****" + value[7..] : value;
    }

    [GeneratedRegex(@"[\s\-()]")]
    private static partial Regex PhoneSeparators();

    [GeneratedRegex(@"^1[3-9]\d{9}$")]
    private static partial Regex MainlandMobile();
}
