using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json;

namespace TechMarket.Payments.Tests.Integration;

/// <summary>
/// The sandbox bank as a real separate process (dotnet TechMarket.SandboxBank.dll), with fresh key pairs for the
/// merchant and the bank and a shortened notification schedule. One per test class; trades are keyed by reference.
/// </summary>
public sealed class SandboxBankProcess : IAsyncLifetime
{
    public const string AppId = "2021000000000042";

    private Process? process;

    public RSA MerchantKey { get; } = RSA.Create(2048);

    public RSA BankKey { get; } = RSA.Create(2048);

    public string Url { get; private set; } = "";

    public HttpClient Client { get; } = new(new HttpClientHandler { AllowAutoRedirect = false });

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async Task InitializeAsync()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "TechMarket.SandboxBank.dll");
        Url = $"http://127.0.0.1:{FreePort()}";
        var start = new ProcessStartInfo("dotnet", [dll, "--urls", Url])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.Environment["Bank__AppId"] = AppId;
        start.Environment["Bank__PrivateKey"] = BankKey.ExportPkcs8PrivateKeyPem();
        start.Environment["Bank__MerchantPublicKey"] = MerchantKey.ExportSubjectPublicKeyInfoPem();
        start.Environment["Bank__DuplicateDeliveries"] = "2";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        string[] schedule = ["00:00:00.2", "00:00:00.5", "00:00:01", "00:00:02"];
        for (var i = 0; i < schedule.Length; i++)
        {
            start.Environment[$"Bank__NotifySchedule__{i}"] = schedule[i];
        }

        process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the sandbox bank.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        Client.BaseAddress = new Uri(Url);
        for (var i = 0; i < 150; i++)
        {
            try
            {
                if ((await Client.GetAsync("/")).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            if (process.HasExited)
            {
                throw new InvalidOperationException($"The sandbox bank exited with {process.ExitCode}.");
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("The sandbox bank did not start.");
    }

    public async Task<JsonElement> TradeAsync(string reference) =>
        JsonDocument.Parse(await Client.GetStringAsync($"/sandbox/trades/{reference}")).RootElement.Clone();

    public async Task HoldNotificationsAsync(bool hold) =>
        (await Client.PostAsync(hold ? "/sandbox/notifications/hold" : "/sandbox/notifications/release", null)).EnsureSuccessStatusCode();

    public Task DisposeAsync()
    {
        if (process is { HasExited: false })
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(5000);
        }

        process?.Dispose();
        Client.Dispose();
        MerchantKey.Dispose();
        BankKey.Dispose();
        return Task.CompletedTask;
    }
}
