using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using MimeKit;
using TechMarket.Kernel.Persistence;
using TechMarket.Testing;

namespace TechMarket.Web.Tests.Identity;

public sealed partial class PasswordResetTests
{
    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Reset_link_from_the_mail_sets_a_new_password_once(DatabaseProvider provider)
    {
        using var app = new TechMarketApp(provider);
        using var client = app.CreateClient();
        await client.RegisterAsync("forgetful@example.com", "correct horse battery");

        var requested = await client.PostAsJsonAsync("/api/v1/auth/forgot-password", new { account = "forgetful@example.com" });
        var unknown = await client.PostAsJsonAsync("/api/v1/auth/forgot-password", new { account = "nobody@example.com" });
        // Other modules mail too (notifications); the reset mail is the one addressed to this member.
        var mails = await Task.WhenAll(Directory.GetFiles(app.MailFolder, "*.eml").Select(f => MimeMessage.LoadAsync(f)));
        var mail = mails.Single(m => m.To.Mailboxes.Any(b => b.Address == "forgetful@example.com"));
        var link = new Uri(ResetLink().Match(mail.TextBody ?? "").Value);
        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(link.Query);
        var code = query["code"].ToString();

        var tampered = await client.PostAsJsonAsync("/api/v1/auth/reset-password", new { account = "forgetful@example.com", code = code[..^4] + "AAAA", newPassword = "a brand new secret" });
        var reset = await client.PostAsJsonAsync("/api/v1/auth/reset-password", new { account = "forgetful@example.com", code, newPassword = "a brand new secret" });
        var replay = await client.PostAsJsonAsync("/api/v1/auth/reset-password", new { account = "forgetful@example.com", code, newPassword = "yet another secret" });

        Assert.Equal(HttpStatusCode.Accepted, requested.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, unknown.StatusCode);
        Assert.Equal("forgetful@example.com", mail.To.Mailboxes.Single().Address);
        Assert.Equal("/account/reset-password", link.AbsolutePath);
        await AccountTests.AssertFieldError(tampered, "Code");
        Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);
        await AccountTests.AssertFieldError(replay, "Code");
        using var _ = await app.LoginAsync("forgetful@example.com", "a brand new secret");
    }

    [Fact]
    public async Task Reset_mail_reaches_a_real_smtp_server()
    {
        if (TestEnvironment.SmtpHost is not { } host || TestEnvironment.Maildir is not { } maildir)
        {
            throw new InvalidOperationException("TECHMARKET_TEST_SMTP_HOST/MAILDIR are not set: run through ./scripts/test.");
        }

        using var app = new TechMarketApp(DatabaseProvider.Sqlite);
        app.Settings["Email:SmtpHost"] = host;
        app.Settings["Email:SmtpPort"] = TestEnvironment.SmtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        app.Settings["Email:Security"] = "None";
        using var client = app.CreateClient();
        var account = TestIdentities.NewEmail();
        await client.RegisterAsync(account, "correct horse battery");

        await client.PostAsJsonAsync("/api/v1/auth/forgot-password", new { account });

        var delivered = Directory.EnumerateFiles(Path.Combine(maildir, "new"))
            .Select(f => MimeMessage.Load(f))
            .SingleOrDefault(m => m.To.Mailboxes.Any(b => b.Address == account));
        Assert.NotNull(delivered);
        Assert.Contains("/account/reset-password?", delivered.TextBody, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"http\S+/account/reset-password\?\S+")]
    private static partial Regex ResetLink();
}
