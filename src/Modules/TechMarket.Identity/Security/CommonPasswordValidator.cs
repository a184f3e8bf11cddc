using System.Reflection;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Localization;
using TechMarket.Identity.Domain;

namespace TechMarket.Identity.Security;

/// <summary>
/// ASVS 2.1.7: refuse passwords found in breach lists instead of imposing composition rules.
/// The list (Resources/common-passwords.txt) holds the most used passwords worldwide and in China.
/// </summary>
internal sealed class CommonPasswordValidator(IStringLocalizer<IdentityStrings> text) : IPasswordValidator<Member>
{
    private static readonly Lazy<HashSet<string>> Common = new(Load);

    public Task<IdentityResult> ValidateAsync(UserManager<Member> manager, Member user, string? password)
    {
        if (password is null)
        {
            return Task.FromResult(IdentityResult.Success);
        }

        var lower = password.ToLowerInvariant();
        if (Common.Value.Contains(lower) || IsTrivial(lower) || lower == user.UserName?.ToLowerInvariant())
        {
            return Task.FromResult(IdentityResult.Failed(new IdentityError { Code = "PasswordTooCommon", Description = text["Validation.Password.Common"] }));
        }

        return Task.FromResult(IdentityResult.Success);
    }

    public static bool IsCommon(string password) => Common.Value.Contains(password.ToLowerInvariant());

    // One repeated character or a straight ascending/descending run (e.g. 12345678, abcdefgh) is as weak as a listed one.
    private static bool IsTrivial(string password)
    {
        if (password.Distinct().Count() == 1)
        {
            return true;
        }

        var ascending = true;
        var descending = true;
        for (var i = 1; i < password.Length; i++)
        {
            ascending &= password[i] == password[i - 1] + 1;
            descending &= password[i] == password[i - 1] - 1;
        }

        return ascending || descending;
    }

    private static HashSet<string> Load()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("TechMarket.Identity.Resources.common-passwords.txt")
            ?? throw new InvalidOperationException("The common password list is missing from the assembly.");
        using var reader = new StreamReader(stream);
        var set = new HashSet<string>(StringComparer.Ordinal);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length > 0 && !line.StartsWith('#'))
            {
                set.Add(line.Trim().ToLowerInvariant());
            }
        }

        return set;
    }
}
