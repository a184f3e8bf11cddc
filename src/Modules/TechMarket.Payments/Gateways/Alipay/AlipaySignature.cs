using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace TechMarket.Payments.Gateways.Alipay;

/// <summary>
/// Alipay open-platform RSA2: SHA256withRSA (PKCS#1 v1.5) over the parameters sorted by name as <c>k=v&amp;k=v</c>,
/// values raw (not URL-encoded), empty values and <c>sign</c> left out; notifications also leave out <c>sign_type</c>.
/// Compiled into both the Payments module and the sandbox bank (linked file) so both sides speak exactly one protocol.
/// </summary>
internal static class AlipaySignature
{
    /// <summary>Parameters left out when signing a request (the merchant side) or a response.</summary>
    public static readonly string[] RequestExclusions = ["sign"];

    /// <summary>Parameters left out when verifying an asynchronous notification or a synchronous return.</summary>
    public static readonly string[] NotificationExclusions = ["sign", "sign_type"];

    public static string Canonical(IEnumerable<KeyValuePair<string, string>> parameters, IReadOnlyCollection<string> exclusions) =>
        string.Join('&', parameters
            .Where(p => !string.IsNullOrEmpty(p.Value) && !exclusions.Contains(p.Key, StringComparer.Ordinal))
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => $"{p.Key}={p.Value}"));

    public static string Sign(string content, RSA privateKey) =>
        Convert.ToBase64String(privateKey.SignData(Encoding.UTF8.GetBytes(content), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));

    public static bool Verify(string content, string? signature, RSA publicKey)
    {
        if (string.IsNullOrEmpty(signature))
        {
            return false;
        }

        var bytes = new byte[signature.Length];
        if (!Convert.TryFromBase64String(signature, bytes, out var length))
        {
            return false;
        }

        return publicKey.VerifyData(Encoding.UTF8.GetBytes(content), bytes.AsSpan(0, length), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
    }

    public static string SignParameters(IEnumerable<KeyValuePair<string, string>> parameters, RSA privateKey) =>
        Sign(Canonical(parameters, RequestExclusions), privateKey);

    public static bool VerifyParameters(IReadOnlyDictionary<string, string> parameters, RSA publicKey, IReadOnlyCollection<string> exclusions) =>
        Verify(Canonical(parameters, exclusions), parameters.GetValueOrDefault("sign"), publicKey);

    /// <summary>
    /// Parses an <c>application/x-www-form-urlencoded</c> body: '+' is a space and %XX are UTF-8 bytes, decoded before
    /// signing (Alipay signs the decoded values). A repeated name is a malformed notification.
    /// </summary>
    public static Dictionary<string, string> ParseForm(string body)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in body.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var at = pair.IndexOf('=', StringComparison.Ordinal);
            var name = Decode(at < 0 ? pair : pair[..at]);
            var value = at < 0 ? "" : Decode(pair[(at + 1)..]);
            if (!result.TryAdd(name, value))
            {
                throw new FormatException($"Parameter '{name}' appears more than once.");
            }
        }

        return result;
    }

    public static string FormEncode(IEnumerable<KeyValuePair<string, string>> parameters) =>
        string.Join('&', parameters.Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}"));

    /// <summary>Yuan with exactly two decimals, invariant culture: "0.01", "1234.50".</summary>
    public static string Yuan(decimal amount) => amount.ToString("0.00", CultureInfo.InvariantCulture);

    /// <summary>Strict yuan parsing: digits, optional point and at most two decimals; anything else is not an amount.</summary>
    public static bool TryParseYuan(string? text, out decimal amount)
    {
        amount = 0;
        if (string.IsNullOrEmpty(text) || text.Length > 16)
        {
            return false;
        }

        var point = text.IndexOf('.', StringComparison.Ordinal);
        if (point == 0 || (point > 0 && text.Length - point - 1 is < 1 or > 2) || !text.All(c => char.IsAsciiDigit(c) || c == '.'))
        {
            return false;
        }

        return decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out amount);
    }

    /// <summary>Loads an RSA key given as PEM or as the bare Base64 Alipay's console shows (PKCS#8 / PKCS#1 private, X.509 public).</summary>
    public static RSA LoadPrivateKey(string text)
    {
        var rsa = RSA.Create();
        if (text.Contains("-----BEGIN", StringComparison.Ordinal))
        {
            rsa.ImportFromPem(text);
            return rsa;
        }

        var der = Convert.FromBase64String(text.Trim());
        try
        {
            rsa.ImportPkcs8PrivateKey(der, out _);
        }
        catch (CryptographicException)
        {
            rsa.ImportRSAPrivateKey(der, out _);
        }

        return rsa;
    }

    public static RSA LoadPublicKey(string text)
    {
        var rsa = RSA.Create();
        if (text.Contains("-----BEGIN", StringComparison.Ordinal))
        {
            rsa.ImportFromPem(text);
            return rsa;
        }

        var der = Convert.FromBase64String(text.Trim());
        try
        {
            rsa.ImportSubjectPublicKeyInfo(der, out _);
        }
        catch (CryptographicException)
        {
            rsa.ImportRSAPublicKey(der, out _);
        }

        return rsa;
    }

    private static string Decode(string text) => Uri.UnescapeDataString(text.Replace('+', ' '));
}
