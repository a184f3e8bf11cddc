using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using TechMarket.Identity.Domain;
using TechMarket.Identity.Features.Review;
using TechMarket.Identity.Features.Verify;
using TechMarket.Kernel.Security;

namespace TechMarket.Identity;

/// <summary>
/// Roles always; the first administrator from configuration (Admin:Account / Admin:Password, also as command-line
/// options); demo members only when Seed:DemoData is on (Development and the embedded default, never Production).
/// </summary>
public sealed class IdentitySeeder(
    UserManager<Member> users,
    RoleManager<IdentityRole<Guid>> roles,
    SubmitVerification submit,
    ReviewVerification review,
    IConfiguration configuration,
    TimeProvider clock,
    ILogger<IdentitySeeder> logger)
{
    public const string DemoPassword = "Demo-Pass-2026";

    public static readonly (string Account, string Name, string[] Roles)[] DemoAccounts =
    [
        ("admin@techmarket.demo", "平台管理员", [Roles.Administrator, Roles.Operator]),
        ("operator@techmarket.demo", "审核专员", [Roles.Operator]),
        ("13800000001", "张工（已实名）", []),
        ("enterprise@techmarket.demo", "星河新材料", []),
        ("newcomer@techmarket.demo", "新会员", []),
    ];

    public async Task SeedAsync(CancellationToken cancellationToken = default)
    {
        foreach (var role in Roles.All)
        {
            if (!await roles.RoleExistsAsync(role))
            {
                await roles.CreateAsync(new IdentityRole<Guid>(role) { Id = Guid.CreateVersion7(clock.GetUtcNow()) });
            }
        }

        if (configuration["Admin:Account"] is { Length: > 0 } adminAccount && configuration["Admin:Password"] is { Length: > 0 } adminPassword)
        {
            await EnsureMemberAsync(adminAccount, "Administrator", adminPassword, [Roles.Administrator, Roles.Operator]);
        }

        if (configuration.GetValue<bool>("Seed:DemoData"))
        {
            await SeedDemoAsync(cancellationToken);
        }
    }

    private async Task SeedDemoAsync(CancellationToken cancellationToken)
    {
        foreach (var (account, name, memberRoles) in DemoAccounts)
        {
            await EnsureMemberAsync(account, name, DemoPassword, memberRoles);
        }

        var person = await users.FindByNameAsync("13800000001");
        if (person is { VerificationLevel: VerificationLevel.None })
        {
            // The GB 11643-1999 sample number: valid check character X, Beijing Chaoyang region.
            using var photo = new MemoryStream(DemoImages.IdPhotoPng);
            var outcome = await submit.PersonalAsync(person.Id, new PersonalVerificationInput("张三", "11010519491231002X"), photo, cancellationToken);
            if (outcome.Request is { } request)
            {
                await review.ApproveAsync(request.Id, null, cancellationToken);
            }
        }

        var company = await users.FindByNameAsync("enterprise@techmarket.demo");
        if (company is { VerificationLevel: VerificationLevel.None })
        {
            using var licence = new MemoryStream(DemoImages.IdPhotoPng);
            var outcome = await submit.EnterpriseAsync(company.Id, new EnterpriseVerificationInput("福州星河新材料科技有限公司", "91350100M000100Y43", "李四"), licence, cancellationToken);
            if (outcome.Request is { } request)
            {
                await review.ApproveAsync(request.Id, null, cancellationToken);
            }
        }

        logger.LogInformation("Demo members are ready (password {Hint})", "see README");
    }

    private async Task EnsureMemberAsync(string account, string displayName, string password, string[] memberRoles)
    {
        if (!AccountName.TryParse(account, out var name))
        {
            throw new InvalidOperationException($"'{account}' is not an e-mail address or a mainland mobile number.");
        }

        var member = await users.FindByNameAsync(name.Value);
        if (member is null)
        {
            member = Member.Register(name, displayName, clock.GetUtcNow());
            var created = await users.CreateAsync(member, password);
            if (!created.Succeeded)
            {
                throw new InvalidOperationException($"Could not create {name.Value}: {string.Join("; ", created.Errors.Select(e => e.Description))}");
            }

            await users.AddToRoleAsync(member, Roles.Member);
            logger.LogInformation("Created member {Account}", AccountName.Mask(name.Value));
        }

        foreach (var role in memberRoles)
        {
            if (!await users.IsInRoleAsync(member, role))
            {
                await users.AddToRoleAsync(member, role);
            }
        }
    }
}

internal static class DemoImages
{
    // A 1×1 PNG: the demo needs a stored document, not a real identity card.
    public static readonly byte[] IdPhotoPng = Convert.FromBase64String(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==");
}
