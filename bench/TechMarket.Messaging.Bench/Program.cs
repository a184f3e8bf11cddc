// Real-time messaging benchmark (docs/benchmarks.md, "Real-time messaging").
// N SignalR clients on one node in pairs; one of each pair sends at a fixed total rate; the other measures
// end-to-end latency (send → stored → pushed → received). Baseline in the same process: a bare echo hub.
//   dotnet run -c Release --project bench/TechMarket.Messaging.Bench -- [clients] [messages/s] [seconds]
using System.Diagnostics;
using System.Globalization;
using System.Security.Claims;
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
Console.WriteLine($"clients={clients} pairs={clients / 2} target={rate} msg/s duration={seconds}s cores={Environment.ProcessorCount}");

var echo = await EchoBaseline.RunAsync(clients, rate, seconds);
Report("Bare echo hub (baseline)", echo);
var real = await TechMarketRun.RunAsync(clients, rate, seconds);
Report("TechMarket MessagingHub (stored in PostgreSQL, notification, push)", real);

static void Report(string name, Result r)
{
    var sorted = r.LatenciesMs.Order().ToArray();
    double P(double q) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))];
    Console.WriteLine($"## {name}");
    Console.WriteLine($"connected={r.Connected} connect_time={r.ConnectSeconds:F1}s sent={r.Sent} delivered={sorted.Length} errors={r.Errors}");
    Console.WriteLine($"delivered/s={sorted.Length / r.Seconds:F0} p50={P(0.50):F1}ms p95={P(0.95):F1}ms p99={P(0.99):F1}ms max={(sorted.Length == 0 ? double.NaN : sorted[^1]):F1}ms");
    Console.WriteLine($"memory per connection (client+server, same process): working set {r.WorkingSetPerConnection / 1024.0:F1} KiB, managed heap {r.HeapPerConnection / 1024.0:F1} KiB");
}

internal sealed record Result(int Connected, double ConnectSeconds, long Sent, long Errors, double Seconds, List<double> LatenciesMs, double WorkingSetPerConnection, double HeapPerConnection);

internal static class Load
{
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
}

internal sealed class EchoHub : Hub
{
    public Task Send(string to, long timestamp, string body) => Clients.User(to).SendAsync("message", timestamp, body);
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
        var url = app.Urls.First();
        var before = Load.Memory();
        var latencies = new List<double>();
        var connections = new HubConnection[clients];
        var connect = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, clients), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, ct) =>
        {
            var c = new HubConnectionBuilder().WithUrl($"{url}/echo?uid={i}", o => { o.Transports = HttpTransportType.WebSockets; o.SkipNegotiation = true; }).Build();
            c.On<long, string>("message", (ts, _) => { var ms = Load.Ms(ts); lock (latencies) { latencies.Add(ms); } });
            await c.StartAsync(ct);
            connections[i] = c;
        });
        var connectSeconds = connect.Elapsed.TotalSeconds;
        var after = Load.Memory();
        var body = new string('x', 64);
        var (sent, errors) = await Load.DriveAsync(clients / 2, rate, seconds, i => connections[2 * i].InvokeAsync("Send", (2 * i + 1).ToString(CultureInfo.InvariantCulture), Stopwatch.GetTimestamp(), body));
        await Task.Delay(2000);
        foreach (var c in connections)
        {
            await c.DisposeAsync();
        }

        lock (latencies)
        {
            return new Result(clients, connectSeconds, sent, errors, seconds, [.. latencies], (after.WorkingSet - before.WorkingSet) / (double)clients, (after.Heap - before.Heap) / (double)clients);
        }
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
        var baseUrl = app.ClientOptions.BaseAddress;
        using (var probe = app.CreateClient())
        {
            baseUrl = probe.BaseAddress!;
        }

        // Members, tokens and conversations are made directly (not through the sign-up API): the subject is the hub.
        var ids = new Guid[clients];
        var tokens = new string[clients];
        var conversations = new Guid[clients / 2];
        using (var scope = app.Services.CreateScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<Member>>();
            var signIn = scope.ServiceProvider.GetRequiredService<SignInManager<Member>>();
            var protector = scope.ServiceProvider.GetRequiredService<IOptionsMonitor<BearerTokenOptions>>().Get(IdentityConstants.BearerScheme).BearerTokenProtector;
            for (var i = 0; i < clients; i++)
            {
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
            }

            var chat = scope.ServiceProvider.GetRequiredService<ChatService>();
            for (var p = 0; p < clients / 2; p++)
            {
                var started = await chat.StartAsync(ids[2 * p], ids[(2 * p) + 1], new TechMarket.Messaging.Domain.ConversationContext("listing", $"B-{p}", "压测成果"));
                conversations[p] = started.Conversation!.Id;
            }
        }

        var before = Load.Memory();
        var latencies = new List<double>();
        var connections = new HubConnection[clients];
        var connect = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, clients), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, ct) =>
        {
            var me = ids[i];
            var c = new HubConnectionBuilder().WithUrl(new Uri(baseUrl, $"/hubs/messaging?access_token={Uri.EscapeDataString(tokens[i])}"), o => { o.Transports = HttpTransportType.WebSockets; o.SkipNegotiation = true; }).Build();
            c.On<ChatMessageDto>("message", m =>
            {
                if (m.SenderId != me && long.TryParse(m.Body.AsSpan(0, m.Body.IndexOf('|', StringComparison.Ordinal)), CultureInfo.InvariantCulture, out var ts))
                {
                    var ms = Load.Ms(ts);
                    lock (latencies)
                    {
                        latencies.Add(ms);
                    }
                }
            });
            await c.StartAsync(ct);
            connections[i] = c;
        });
        var connectSeconds = connect.Elapsed.TotalSeconds;
        var after = Load.Memory();
        var (sent, errors) = await Load.DriveAsync(clients / 2, rate, seconds, i =>
            connections[2 * i].InvokeAsync<ChatMessageDto>("Send", conversations[i], $"{Stopwatch.GetTimestamp()}|这个专利的许可费用可以再谈谈吗？"));
        await Task.Delay(3000);
        foreach (var c in connections)
        {
            await c.DisposeAsync();
        }

        lock (latencies)
        {
            return new Result(clients, connectSeconds, sent, errors, seconds, [.. latencies], (after.WorkingSet - before.WorkingSet) / (double)clients, (after.Heap - before.Heap) / (double)clients);
        }
    }
}
