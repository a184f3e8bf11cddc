using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TechMarket.Payments.Gateways.Alipay;
using TechMarket.SandboxBank;

namespace TechMarket.Payments.Sandbox;

/// <summary>Two RSA key pairs (merchant and bank) for the embedded sandbox, created once and kept in a folder.</summary>
internal sealed record SandboxKeys(string MerchantPrivate, string MerchantPublic, string BankPrivate, string BankPublic)
{
    public static SandboxKeys LoadOrCreate(string folder)
    {
        Directory.CreateDirectory(folder);
        string Pem(string name, Func<string> create)
        {
            var path = Path.Combine(folder, name);
            if (!File.Exists(path))
            {
                File.WriteAllText(path, create());
            }

            return File.ReadAllText(path);
        }

        using var merchant = RSA.Create(2048);
        using var bank = RSA.Create(2048);
        var merchantPrivate = Pem("merchant-private.pem", merchant.ExportPkcs8PrivateKeyPem);
        var bankPrivate = Pem("bank-private.pem", bank.ExportPkcs8PrivateKeyPem);
        using var m = AlipaySignature.LoadPrivateKey(merchantPrivate);
        using var b = AlipaySignature.LoadPrivateKey(bankPrivate);
        return new SandboxKeys(merchantPrivate, m.ExportSubjectPublicKeyInfoPem(), bankPrivate, b.ExportSubjectPublicKeyInfoPem());
    }
}

/// <summary>Hosts the sandbox bank inside the main process on its own port (embedded / development setup).</summary>
internal sealed class SandboxBankHostedService(SandboxBankHostedService.Settings settings, ILogger<SandboxBankHostedService> logger) : IHostedService, IAsyncDisposable
{
    public const string SandboxAppId = "2021000000000000";

    public sealed record Settings(SandboxBankOptions Options, SandboxKeys Keys, string AppId);

    private WebApplication? bank;

    public static AlipayOptions Configure(AlipayOptions configured, SandboxBankOptions sandbox, SandboxKeys keys) => new()
    {
        AppId = string.IsNullOrEmpty(configured.AppId) ? SandboxAppId : configured.AppId,
        PrivateKey = keys.MerchantPrivate,
        PlatformPublicKey = keys.BankPublic,
        GatewayUrl = sandbox.Url.TrimEnd('/') + "/gateway.do",
    };

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        bank = SandboxBankHost.Build(["--urls", settings.Options.Url], new Dictionary<string, string?>
        {
            ["Bank:AppId"] = settings.AppId,
            ["Bank:PrivateKey"] = settings.Keys.BankPrivate,
            ["Bank:MerchantPublicKey"] = settings.Keys.MerchantPublic,
        });
        await bank.StartAsync(cancellationToken);
        logger.LogInformation("Sandbox bank listening on {Url}", settings.Options.Url);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (bank is not null)
        {
            await bank.StopAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (bank is not null)
        {
            await bank.DisposeAsync();
        }
    }
}
