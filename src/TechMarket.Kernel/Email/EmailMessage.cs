namespace TechMarket.Kernel.Email;

public sealed record EmailMessage(string To, string Subject, string TextBody, string? HtmlBody = null);

public interface IEmailSender
{
    Task SendAsync(EmailMessage message, CancellationToken cancellationToken = default);

    /// <summary>True when mail is written to a folder instead of an SMTP server, so the UI can say where it went.</summary>
    bool WritesToFolder { get; }
}

public sealed class EmailOptions
{
    public const string Section = "Email";

    public string From { get; set; } = "TechMarket <no-reply@techmarket.local>";

    /// <summary>Empty means no SMTP server: messages are written as .eml files to <see cref="PickupFolder"/>.</summary>
    public string? SmtpHost { get; set; }

    public int SmtpPort { get; set; } = 25;

    public string? SmtpUserName { get; set; }

    public string? SmtpPassword { get; set; }

    /// <summary>Auto: STARTTLS when the server offers it; None for a loopback test server.</summary>
    public string Security { get; set; } = "Auto";

    public string PickupFolder { get; set; } = "data/mail";
}
