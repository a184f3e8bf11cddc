// Real-time messaging benchmark (docs/benchmarks.md, "Real-time messaging").
// N SignalR clients on one node in pairs; one of each pair sends at a fixed total rate; the other measures
// end-to-end latency (send → stored → pushed → received). Baseline in the same run: a bare echo hub.
// The server runs in this process; the clients run in a child process (the same program, "clients" mode), so
// each process stays under the file-descriptor limit at 10,000 connections and memory is measured per side.
//   dotnet run -c Release --project bench/TechMarket.Messaging.Bench -- [clients] [messages/s] [seconds]
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TechMarket.Identity.Domain;
using TechMarket.Kernel.Persistence;
using TechMarket.Messaging.Features.Chat;
using TechMarket.Testing;

if (args is ["clients", var specFile])
{
    await Clients.RunAsync(JsonSerializer.Deserialize<ClientSpec>(await File.ReadAllTextAsync(specFile))!);
    return;
}

var clients = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1000;
var rate = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 500;
var seconds = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 20;
clients -= clients % 2;
// WebApplicationFactory looks for the web project's folder; outside a test project, tell it where that is.
var root = new DirectoryInfo(AppContext.BaseDirectory);
while (root is not null && !File.Exists(Path.Combine(root.FullName, "TechMarket.slnx")))
{
    root = root.Parent;
}

Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_TECHMARKET_WEB", Path.Combine(root?.FullName ?? ".", "src", "TechMarket.Web"));
Console.WriteLine($"clients={clients} pairs={clients / 2} target={rate} msg/s duration={seconds}s cores={Environment.ProcessorCount} load average: {Load.Average()}");

Report("Bare echo hub (baseline)", await EchoBaseline.RunAsync(clients, rate, seconds));
Report("TechMarket MessagingHub (stored in PostgreSQL, notification, push)", await TechMarketRun.RunAsync(clients, rate, seconds));
Console.WriteLine($"load average at the end: {Load.Average()}");

static void Report(string name, Result r)
{
    var sorted = r.Clients.LatenciesMs.Order().ToArray();
    double P(double q) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))];
    Console.WriteLine($"## {name}");
    Console.WriteLine($"connected={r.Clients.Connected} connect_time={r.Clients.ConnectSeconds:F1}s sent={r.Clients.Sent} delivered={sorted.Length} errors={r.Clients.Errors}");
    Console.WriteLine($"delivered/s={sorted.Length / r.Clients.Seconds:F0} p50={P(0.50):F1}ms p95={P(0.95):F1}ms p99={P(0.99):F1}ms max={(sorted.Length == 0 ? double.NaN : sorted[^1]):F1}ms");
    Console.WriteLine($"server memory per connection: working set {r.ServerWorkingSetPerConnection / 1024.0:F1} KiB, managed heap {r.ServerHeapPerConnection / 1024.0:F1} KiB (server process {r.ServerWorkingSet / 1048576.0:F0} MiB)");
    Console.WriteLine($"client memory per connection (separate process): working set {r.Clients.WorkingSetPerConnection / 1024.0:F1} KiB, managed heap {r.Clients.HeapPerConnection / 1024.0:F1} KiB");
}

internal sealed record ClientSpec(string Url, bool Echo, string[] Tokens, Guid[] Conversations, int Clients, int Rate, int Seconds);

internal sealed record ClientResult(int Connected, double ConnectSeconds, long Sent, long Errors, double Seconds, List<double> LatenciesMs, double WorkingSetPerConnection, double HeapPerConnection);

internal sealed record Result(ClientResult Clients, double ServerWorkingSetPerConnection, double ServerHeapPerConnection, long ServerWorkingSet);

internal static class Load
{
    public static string Average() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    /// <summary>Paces sends so the whole run offers <paramref name="rate"/> messages per second, spread over the senders.</summary>
    public static async Task<(long Sent, long Errors)> DriveAsync(int senders, int rate, int seconds, Func<int, Task> send)
    {
        long sent = 0, errors = 0;
        var interval = TimeSpan.FromSeconds(senders / (double)rate);
        var stop = Stopwatch.StartNew();
        var tasks = Enumerable.Range(0, senders).Select(async i =>
        {
            await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * interval.TotalMilliseconds));
            var next = stop.Elapsed;
            while (stop.Elapsed < TimeSpan.FromSeconds(seconds))
            {
                try
                {
                    await send(i);
                    Interlocked.Increment(ref sent);
                }
                catch (Exception)
                {
                    Interlocked.Increment(ref errors);
                }

                next += interval;
                var wait = next - stop.Elapsed;
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait);
                }
            }
        });
        await Task.WhenAll(tasks);
        return (sent, errors);
    }

    public static (long WorkingSet, long Heap) Memory()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return (Process.GetCurrentProcess().WorkingSet64, GC.GetTotalMemory(forceFullCollection: true));
    }

    public static double Ms(long startTimestamp) => Stopwatch.GetElapsedTime(startTimestamp).TotalMilliseconds;

    /// <summary>Starts the clients in a child process; measures this (server) process once they are all connected.</summary>
    public static async Task<Result> RunClientsAsync(ClientSpec spec)
    {
        var file = Path.GetTempFileName();
        await File.WriteAllTextAsync(file, JsonSerializer.Serialize(spec));
        var before = Memory();
        var start = new ProcessStartInfo(Environment.ProcessPath!, ["clients", file]) { RedirectStandardInput = true, RedirectStandardOutput = true };
        using var child = Process.Start(start)!;
        (long WorkingSet, long Heap) after = default;
        ClientResult? result = null;
        while (await child.StandardOutput.ReadLineAsync() is { } line)
        {
            if (line == "connected")
            {
                after = Memory();
                await child.StandardInput.WriteLineAsync("go");
                await child.StandardInput.FlushAsync();
            }
            else if (line.StartsWith('{'))
            {
                result = JsonSerializer.Deserialize<ClientResult>(line);
            }
            else
            {
                Console.WriteLine(line);
            }
        }

        await child.WaitForExitAsync();
        File.Delete(file);
        return result is null
            ? throw new InvalidOperationException($"The client process ended with {child.ExitCode} and no result.")
            : new Result(result, (after.WorkingSet - before.WorkingSet) / (double)spec.Clients, (after.Heap - before.Heap) / (double)spec.Clients, after.WorkingSet);
    }
}

/// <summary>The client side: connect everyone, say so, wait for "go", drive the load, print the result as one JSON line.</summary>
internal static class Clients
{
    public static async Task RunAsync(ClientSpec spec)
    {
        var before = Load.Memory();
        var latencies = new List<double>(spec.Rate * spec.Seconds);
        var connections = new HubConnection[spec.Clients];
        var connect = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, spec.Clients), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, ct) =>
        {
            var url = spec.Echo ? $"{spec.Url}/echo?uid={i}" : $"{spec.Url}/hubs/messaging?access_token={Uri.EscapeDataString(spec.Tokens[i])}";
            var c = new HubConnectionBuilder().WithUrl(url, o => { o.Transports = HttpTransportType.WebSockets; o.SkipNegotiation = true; }).Build();
            // Only the receiving half measures (the sender also gets its own message back from the real hub).
            if (i % 2 == 1 && spec.Echo)
            {
                c.On<long, string>("message", (ts, _) => Record(latencies, Load.Ms(ts)));
            }
            else if (i % 2 == 1)
            {
                c.On<ChatMessageDto>("message", m => Record(latencies, Load.Ms(long.Parse(m.Body.AsSpan(0, m.Body.IndexOf('|', StringComparison.Ordinal)), CultureInfo.InvariantCulture))));
            }

            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await c.StartAsync(ct);
                    break;
                }
                catch (Exception) when (attempt < 3)
                {
                    await Task.Delay(500, ct);
                }
            }

            connections[i] = c;
        });
        var connectSeconds = connect.Elapsed.TotalSeconds;
        var after = Load.Memory();
        Console.WriteLine("connected");
        await Console.In.ReadLineAsync();

        var body = new string('x', 64);
        Func<int, Task> send = spec.Echo
            ? i => connections[2 * i].InvokeAsync("Send", (2 * i + 1).ToString(CultureInfo.InvariantCulture), Stopwatch.GetTimestamp(), body)
            : i => connections[2 * i].InvokeAsync<ChatMessageDto>("Send", spec.Conversations[i], $"{Stopwatch.GetTimestamp()}|这个专利的许可费用可以再谈谈吗？");

        // Warm-up, not measured: one message per pair, as in a running system where the conversations are in use.
        await Parallel.ForEachAsync(Enumerable.Range(0, spec.Clients / 2), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, _) => await send(i));
        await Task.Delay(2000);
        lock (latencies)
        {
            latencies.Clear();
        }

        var (sent, errors) = await Load.DriveAsync(spec.Clients / 2, spec.Rate, spec.Seconds, send);
        await Task.Delay(3000);
        List<double> measured;
        lock (latencies)
        {
            measured = [.. latencies];
        }

        await Parallel.ForEachAsync(connections, async (c, _) => await c.DisposeAsync());
        Console.WriteLine(JsonSerializer.Serialize(new ClientResult(spec.Clients, connectSeconds, sent, errors, spec.Seconds, measured, (after.WorkingSet - before.WorkingSet) / (double)spec.Clients, (after.Heap - before.Heap) / (double)spec.Clients)));
    }

    private static void Record(List<double> latencies, double ms)
    {
        lock (latencies)
        {
            latencies.Add(ms);
        }
    }
}

internal sealed class EchoHub : Hub
{
    // Like MessagingHub: a group per member, because Clients.User scans every connection of the node.
    public override Task OnConnectedAsync() => Groups.AddToGroupAsync(Context.ConnectionId, Context.UserIdentifier!);

    public Task Send(string to, long timestamp, string body) => Clients.Group(to).SendAsync("message", timestamp, body);
}

internal sealed class QueryUserId : IUserIdProvider
{
    public string? GetUserId(HubConnectionContext connection) => connection.GetHttpContext()?.Request.Query["uid"];
}

internal static class EchoBaseline
{
    public static async Task<Result> RunAsync(int clients, int rate, int seconds)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddSignalR();
        builder.Services.AddSingleton<IUserIdProvider, QueryUserId>();
        await using var app = builder.Build();
        app.MapHub<EchoHub>("/echo");
        await app.StartAsync();
        return await Load.RunClientsAsync(new ClientSpec(app.Urls.First(), Echo: true, [], [], clients, rate, seconds));
    }
}

internal static class TechMarketRun
{
    public static async Task<Result> RunAsync(int clients, int rate, int seconds)
    {
        using var app = new TechMarketApp(Environment.GetEnvironmentVariable("TECHMARKET_TEST_PG") is null ? DatabaseProvider.Sqlite : DatabaseProvider.Postgres);
        app.Settings["Messaging:ChatMessagesPerWindow"] = "100000";
        app.Settings["Serilog:MinimumLevel:Default"] = "Warning";
        app.Settings["Serilog:MinimumLevel:Override:Microsoft.AspNetCore"] = "Warning";
        app.Settings["Serilog:MinimumLevel:Override:TechMarket"] = "Warning";
        app.UseKestrel(0);
        app.StartServer();
        Uri baseUrl;
        using (var probe = app.CreateClient())
        {
            baseUrl = probe.BaseAddress!;
        }

        // Members, tokens and conversations are made directly (not through the sign-up API): the subject is the hub.
        var ids = new Guid[clients];
        var tokens = new string[clients];
        var conversations = new Guid[clients / 2];
        var setup = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, clients), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
        {
            using var scope = app.Services.CreateScope();
            var users = scope.ServiceProvider.GetRequiredService<UserManager<Member>>();
            var signIn = scope.ServiceProvider.GetRequiredService<SignInManager<Member>>();
            var protector = scope.ServiceProvider.GetRequiredService<IOptionsMonitor<BearerTokenOptions>>().Get(IdentityConstants.BearerScheme).BearerTokenProtector;
            var member = new Member { UserName = $"bench{i}-{Guid.NewGuid():N}"[..30], DisplayName = $"压测会员{i}", VerificationLevel = VerificationLevel.Individual, VerifiedName = "压测" };
            var created = await users.CreateAsync(member);
            if (!created.Succeeded)
            {
                throw new InvalidOperationException(string.Join(", ", created.Errors.Select(e => e.Description)));
            }

            ids[i] = member.Id;
            var principal = await signIn.CreateUserPrincipalAsync(member);
            var properties = new AuthenticationProperties { ExpiresUtc = DateTimeOffset.UtcNow.AddHours(1) };
            tokens[i] = protector.Protect(new AuthenticationTicket(principal, properties, IdentityConstants.BearerScheme));
        });
        await Parallel.ForEachAsync(Enumerable.Range(0, clients / 2), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (p, ct) =>
        {
            using var scope = app.Services.CreateScope();
            var chat = scope.ServiceProvider.GetRequiredService<ChatService>();
            var started = await chat.StartAsync(ids[2 * p], ids[(2 * p) + 1], new TechMarket.Messaging.Domain.ConversationContext("listing", $"B-{p}", "压测成果"), ct);
            conversations[p] = started.Conversation!.Id;
        });
        Console.WriteLine($"setup: {clients} members and {clients / 2} conversations in {setup.Elapsed.TotalSeconds:F0}s");
        return await Load.RunClientsAsync(new ClientSpec(baseUrl.ToString().TrimEnd('/'), Echo: false, tokens, conversations, clients, rate, seconds));
    }
}
