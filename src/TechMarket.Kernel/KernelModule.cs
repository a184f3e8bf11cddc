using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using TechMarket.Kernel.Email;
using TechMarket.Kernel.Files;

using TechMarket.Kernel.Persistence;

namespace TechMarket.Kernel;

public static class KernelModule
{
    /// <summary>What every module relies on: clock, file storage, e-mail, database registration.</summary>
    public static IHostApplicationBuilder AddKernel(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(builder.Configuration.GetSection(FileStorageOptions.Section).Get<FileStorageOptions>() ?? new FileStorageOptions());
        builder.Services.AddSingleton<IFileStore, LocalFileStore>();
        builder.Services.AddSingleton(builder.Configuration.GetSection(EmailOptions.Section).Get<EmailOptions>() ?? new EmailOptions());
        builder.Services.AddSingleton<IEmailSender, MailKitEmailSender>();
        builder.AddTechMarketDatabase();
        return builder;
    }
}
