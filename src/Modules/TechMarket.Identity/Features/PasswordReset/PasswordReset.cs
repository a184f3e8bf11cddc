using System.Text;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Logging;
using TechMarket.Identity.Domain;
using TechMarket.Kernel.Email;
using TechMarket.Kernel.Http;

namespace TechMarket.Identity.Features.PasswordReset;

public sealed record ResetPasswordRequest(string Account, string Code, string NewPassword);

/// <summary>
/// Password reset by e-mail link. The answer never says whether an account exists (no enumeration);
/// the link carries an Identity token that expires and is bound to the security stamp, so it works once.
/// </summary>
public sealed class PasswordReset(UserManager<Member> users, IEmailSender email, IStringLocalizer<IdentityStrings> text, ILogger<PasswordReset> logger)
{
    public bool MailGoesToFolder => email.WritesToFolder;

    public async Task RequestAsync(string? account, Func<string, string, string> linkFor, CancellationToken cancellationToken = default)
    {
        if (!AccountName.TryParse(account, out var name))
        {
            return;
        }

        var member = await users.FindByNameAsync(name.Value);
        if (member?.Email is null)
        {
            logger.LogInformation("Password reset requested for an account without e-mail");
            return;
        }

        var token = await users.GeneratePasswordResetTokenAsync(member);
        var code = WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(token));
        var link = linkFor(name.Value, code);
        await email.SendAsync(new EmailMessage(
            member.Email,
            text["Mail.Reset.Subject"],
            text["Mail.Reset.Text", member.DisplayName, link],
            text["Mail.Reset.Html", System.Net.WebUtility.HtmlEncode(member.DisplayName), System.Net.WebUtility.HtmlEncode(link)]), cancellationToken);
        logger.LogInformation("Password reset link sent to member {MemberId}", member.Id);
    }

    public async Task<FieldErrors> ResetAsync(ResetPasswordRequest request)
    {
        var errors = new FieldErrors();
        if (string.IsNullOrEmpty(request.NewPassword) || request.NewPassword.Length < 8)
        {
            return errors.Add(nameof(request.NewPassword), text["Validation.Password.TooShort"]);
        }

        if (request.NewPassword.Length > Register.RegisterMember.MaxPasswordLength)
        {
            return errors.Add(nameof(request.NewPassword), text["Validation.Password.TooLong"]);
        }

        string token;
        try
        {
            token = Encoding.UTF8.GetString(WebEncoders.Base64UrlDecode(request.Code ?? ""));
        }
        catch (FormatException)
        {
            return errors.Add(nameof(request.Code), text["Validation.Reset.InvalidLink"]);
        }

        if (!AccountName.TryParse(request.Account, out var name) || await users.FindByNameAsync(name.Value) is not { } member)
        {
            return errors.Add(nameof(request.Code), text["Validation.Reset.InvalidLink"]);
        }

        var result = await users.ResetPasswordAsync(member, token, request.NewPassword);
        foreach (var error in result.Errors)
        {
            if (error.Code == "InvalidToken")
            {
                errors.Add(nameof(request.Code), text["Validation.Reset.InvalidLink"]);
            }
            else
            {
                errors.Add(nameof(request.NewPassword), error.Description);
            }
        }

        if (result.Succeeded)
        {
            // A reset also ends a lockout: the owner proved control of the mailbox.
            await users.SetLockoutEndDateAsync(member, null);
            await users.ResetAccessFailedCountAsync(member);
            logger.LogInformation("Member {MemberId} reset the password", member.Id);
        }

        return errors;
    }
}
