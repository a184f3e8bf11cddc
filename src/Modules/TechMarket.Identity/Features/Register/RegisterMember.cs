using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Logging;
using TechMarket.Identity.Domain;
using TechMarket.Kernel.Http;
using TechMarket.Kernel.Security;

namespace TechMarket.Identity.Features.Register;

public sealed record RegisterRequest(string Account, string Password, string? DisplayName);

public sealed record RegisterOutcome(Member? Member, FieldErrors Errors);

/// <summary>Registration by e-mail or mainland mobile number; shared by the page and the API.</summary>
public sealed class RegisterMember(
    UserManager<Member> users,
    TimeProvider clock,
    IStringLocalizer<IdentityStrings> text,
    ILogger<RegisterMember> logger)
{
    public const int MaxPasswordLength = 128;

    public async Task<RegisterOutcome> HandleAsync(RegisterRequest request, CancellationToken cancellationToken = default)
    {
        var errors = new FieldErrors();
        if (!AccountName.TryParse(request.Account, out var account))
        {
            errors.Add(nameof(RegisterRequest.Account), text["Validation.Account.Invalid"]);
        }

        if (string.IsNullOrEmpty(request.Password) || request.Password.Length < 8)
        {
            errors.Add(nameof(RegisterRequest.Password), text["Validation.Password.TooShort"]);
        }
        else if (request.Password.Length > MaxPasswordLength)
        {
            errors.Add(nameof(RegisterRequest.Password), text["Validation.Password.TooLong"]);
        }

        var displayName = request.DisplayName?.Trim();
        if (displayName is { Length: > 32 })
        {
            errors.Add(nameof(RegisterRequest.DisplayName), text["Validation.DisplayName.TooLong"]);
        }

        if (!errors.IsEmpty)
        {
            return new RegisterOutcome(null, errors);
        }

        if (await users.FindByNameAsync(account.Value) is not null)
        {
            errors.Add(nameof(RegisterRequest.Account), text["Validation.Account.Taken"]);
            return new RegisterOutcome(null, errors);
        }

        var member = Member.Register(account, string.IsNullOrEmpty(displayName) ? AccountName.Mask(account.Value) : displayName, clock.GetUtcNow());

        var created = await users.CreateAsync(member, request.Password);
        if (!created.Succeeded)
        {
            foreach (var error in created.Errors)
            {
                var field = error.Code.StartsWith("Password", StringComparison.Ordinal) ? nameof(RegisterRequest.Password) : nameof(RegisterRequest.Account);
                var message = error.Code is "DuplicateUserName" or "DuplicateEmail" ? text["Validation.Account.Taken"] : error.Description;
                errors.Add(field, message);
            }

            return new RegisterOutcome(null, errors);
        }

        await users.AddToRoleAsync(member, Roles.Member);
        logger.LogInformation("Member {MemberId} registered by {Kind}", member.Id, account.Kind);
        return new RegisterOutcome(member, errors);
    }
}
