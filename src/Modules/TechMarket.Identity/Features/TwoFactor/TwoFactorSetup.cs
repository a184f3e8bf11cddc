using System.Text;
using Microsoft.AspNetCore.Identity;
using QRCoder;
using TechMarket.Identity.Domain;

namespace TechMarket.Identity.Features.TwoFactor;

public sealed record AuthenticatorSetup(bool Enabled, string SharedKey, string AuthenticatorUri, string QrSvg, int RecoveryCodesLeft);

/// <summary>Optional TOTP (RFC 6238) two-factor with any authenticator app, via Identity's authenticator token provider.</summary>
public sealed class TwoFactorSetup(UserManager<Member> users)
{
    private const string Issuer = "TechMarket";

    public async Task<AuthenticatorSetup> GetAsync(Member member)
    {
        var key = await users.GetAuthenticatorKeyAsync(member);
        if (string.IsNullOrEmpty(key))
        {
            await users.ResetAuthenticatorKeyAsync(member);
            key = await users.GetAuthenticatorKeyAsync(member);
        }

        var uri = $"otpauth://totp/{Uri.EscapeDataString(Issuer)}:{Uri.EscapeDataString(member.UserName ?? "")}?secret={key}&issuer={Uri.EscapeDataString(Issuer)}&digits=6";
        using var data = QRCodeGenerator.GenerateQrCode(uri, QRCodeGenerator.ECCLevel.M);
        var svg = new SvgQRCode(data).GetGraphic(5);
        return new AuthenticatorSetup(member.TwoFactorEnabled, Group(key!), uri, svg, await users.CountRecoveryCodesAsync(member));
    }

    /// <summary>Returns fresh recovery codes, or null when the code from the app is wrong.</summary>
    public async Task<IReadOnlyList<string>?> EnableAsync(Member member, string? code)
    {
        var digits = (code ?? "").Replace(" ", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal);
        var valid = await users.VerifyTwoFactorTokenAsync(member, users.Options.Tokens.AuthenticatorTokenProvider, digits);
        if (!valid)
        {
            return null;
        }

        await users.SetTwoFactorEnabledAsync(member, true);
        return (await users.GenerateNewTwoFactorRecoveryCodesAsync(member, 10))?.ToList() ?? [];
    }

    public async Task DisableAsync(Member member)
    {
        await users.SetTwoFactorEnabledAsync(member, false);
        await users.ResetAuthenticatorKeyAsync(member);
    }

    private static string Group(string key)
    {
        var builder = new StringBuilder();
        for (var i = 0; i < key.Length; i += 4)
        {
            builder.Append(key.AsSpan(i, Math.Min(4, key.Length - i))).Append(' ');
        }

        return builder.ToString().TrimEnd().ToLowerInvariant();
    }
}
