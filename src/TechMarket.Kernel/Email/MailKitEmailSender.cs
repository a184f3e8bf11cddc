using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MimeKit;

namespace TechMarket.Kernel.Email;

public sealed class MailKitEmailSender(EmailOptions options, IHostEnvironment environment, ILogger<MailKitEmailSender> logger) : IEmailSender
{
    public bool WritesToFolder => string.IsNullOrWhiteSpace(options.SmtpHost);

    public string PickupFolder => Path.GetFullPath(Path.IsPathRooted(options.PickupFolder)
        ? options.PickupFolder
        : Path.Combine(environment.ContentRootPath, options.PickupFolder));

    public async Task SendAsync(EmailMessage message, CancellationToken cancellationToken = default)
    {
        var mime = new MimeMessage();
        mime.From.Add(MailboxAddress.Parse(options.From));
        mime.To.Add(MailboxAddress.Parse(message.To));
        mime.Subject = message.Subject;
        var body = new BodyBuilder { TextBody = message.TextBody, HtmlBody = message.HtmlBody };
        mime.Body = body.ToMessageBody();

        if (WritesToFolder)
        {
            Directory.CreateDirectory(PickupFolder);
            var file = Path.Combine(PickupFolder, $"{DateTime.UtcNow:yyyyMMddHHmmssfff}-{Guid.NewGuid():N}.eml");
            await mime.WriteToAsync(file, cancellationToken);
            logger.LogInformation("E-mail {Subject} written to {File} (no SMTP server configured)", message.Subject, file);
            return;
        }

        using var client = new SmtpClient();
        var security = options.Security switch
        {
            "None" => SecureSocketOptions.None,
            "SslOnConnect" => SecureSocketOptions.SslOnConnect,
            "StartTls" => SecureSocketOptions.StartTls,
            _ => SecureSocketOptions.Auto,
        };
        await client.ConnectAsync(options.SmtpHost!, options.SmtpPort, security, cancellationToken);
        if (!string.IsNullOrEmpty(options.SmtpUserName))
        {
            await client.AuthenticateAsync(options.SmtpUserName, options.SmtpPassword ?? "", cancellationToken);
        }

        await client.SendAsync(mime, cancellationToken);
        await client.DisconnectAsync(quit: true, cancellationToken);
        logger.LogInformation("E-mail {Subject} sent through {Host}:{Port}", message.Subject, options.SmtpHost, options.SmtpPort);
    }
}
