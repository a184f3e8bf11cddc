using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Npgsql;
using TechMarket.Payments.Gateways.Alipay;

namespace TechMarket.Orders.Floor;

/// <summary>What one worker saw; merged after a phase (no shared collections on the hot path).</summary>
internal sealed class Recorder
{
    public List<double> Place { get; } = [];
    public List<double> Notify { get; } = [];
    public List<double> Duplicate { get; } = [];
    public List<double> Flow { get; } = [];
    public int Created { get; set; }
    public int Failures { get; set; }
    public string? FirstFailure { get; set; }
    public long SignCpuNanoseconds { get; set; }
    public int Signed { get; set; }

    public void Fail(string why)
    {
        Failures++;
        FirstFailure ??= why;
    }

    public static Recorder Merge(IEnumerable<Recorder> all)
    {
        var m = new Recorder();
        foreach (var r in all)
        {
            m.Place.AddRange(r.Place);
            m.Notify.AddRange(r.Notify);
            m.Duplicate.AddRange(r.Duplicate);
            m.Flow.AddRange(r.Flow);
            m.Created += r.Created;
            m.Failures += r.Failures;
            m.FirstFailure ??= r.FirstFailure;
            m.SignCpuNanoseconds += r.SignCpuNanoseconds;
            m.Signed += r.Signed;
        }

        return m;
    }
}

internal static partial class ThreadCpu
{
    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out Timespec value);

    /// <summary>CPU time of the calling thread (CLOCK_THREAD_CPUTIME_ID), in nanoseconds.</summary>
    public static long Nanoseconds() => ClockGetTime(3, out var t) == 0 ? (t.Seconds * 1_000_000_000) + t.Nanoseconds : 0;
}

/// <summary>The bank's side: the RSA2-signed asynchronous notification, the same fields the real bench posts.</summary>
internal sealed class Bank(RSA key)
{
    private readonly string tradePrefix = DateTime.UtcNow.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);
    private long tradeSeq;

    public string Notification(string reference, decimal amount)
    {
        var now = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
        var amountText = AlipaySignature.Yuan(amount);
        var form = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["notify_time"] = now,
            ["notify_type"] = "trade_status_sync",
            ["notify_id"] = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)),
            ["app_id"] = FloorDb.AppId,
            ["charset"] = "utf-8",
            ["version"] = "1.0",
            ["trade_no"] = $"{tradePrefix}22{Interlocked.Increment(ref tradeSeq):D12}",
            ["out_trade_no"] = reference,
            ["trade_status"] = "TRADE_SUCCESS",
            ["total_amount"] = amountText,
            ["receipt_amount"] = amountText,
            ["subject"] = "benchmark",
            ["gmt_payment"] = now,
        };
        form["sign"] = AlipaySignature.Sign(AlipaySignature.Canonical(form, AlipaySignature.NotificationExclusions), key);
        form["sign_type"] = "RSA2";
        return AlipaySignature.FormEncode(form);
    }

    public static string TradeNo(string notification) =>
        Uri.UnescapeDataString(notification.Split('&').First(p => p.StartsWith("trade_no=", StringComparison.Ordinal))["trade_no=".Length..]);
}

internal static class LoadGen
{
    private sealed record Flow(int Buyer, string Key, string Reference, string? Notification);

    /// <summary>
    /// The issue's measure over HTTP/1.1 keep-alive: each flow is POST /orders (buy now), the bank's signed notification,
    /// and its duplicate. presign: all notifications are signed before the timed phases (the bank's CPU, reported apart).
    /// </summary>
    public static async Task<int> HttpAsync(Uri baseUrl, string keyFolder, int concurrency, int warmup, int flows, bool presign,
        int? appPid, int? pgPort, string connectionString)
    {
        using var bankKey = AlipaySignature.LoadPrivateKey(await File.ReadAllTextAsync(Path.Combine(keyFolder, "bank-private.pem")));
        var bank = new Bank(bankKey);
        var tokens = new Tokens(Convert.FromBase64String(await File.ReadAllTextAsync(Path.Combine(keyFolder, "token.key"))));
        var auth = Enumerable.Range(0, FloorDb.Buyers)
            .Select(i => new AuthenticationHeaderValue("Bearer", tokens.Issue(FloorDb.Buyer(i), true, DateTimeOffset.UtcNow.AddHours(2)))).ToArray();
        var body = Encoding.UTF8.GetBytes($$"""{"listingId":"{{FloorDb.Listing}}","mode":"OrdinaryLicense","quantity":1,"contactName":"基准","contactPhone":"13800000001"}""");
        var amount = FloorDb.ListingPrice;

        Flow NewFlow(int i, bool sign)
        {
            var buyer = i % FloorDb.Buyers;
            var key = Guid.NewGuid().ToString();
            var reference = FloorDb.Reference(FloorDb.OrderNumber(FloorDb.Buyer(buyer), key));
            return new Flow(buyer, key, reference, sign ? bank.Notification(reference, amount) : null);
        }

        Flow[]? signed = null;
        if (presign)
        {
            var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            signed = new Flow[warmup + flows];
            Parallel.For(0, signed.Length, i => signed[i] = NewFlow(i, true));
            var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalMilliseconds;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"bank (load generator): pre-signed {signed.Length} notifications before the timed phases in {clock.Elapsed.TotalSeconds:0.0} s wall, {cpu / 1000:0.0} s CPU = {cpu / signed.Length:0.000} ms CPU each"));
        }

        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = concurrency, AllowAutoRedirect = false, UseCookies = false, PooledConnectionLifetime = TimeSpan.FromMinutes(30) };
        using var http = new HttpClient(handler) { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(60) };
        var orders = new Uri(baseUrl, "/orders");
        var notify = new Uri(baseUrl, "/notify");

        async Task<(bool Ok, string Answer)> NotifyAsync(string form)
        {
            using var content = new StringContent(form, Encoding.UTF8, "application/x-www-form-urlencoded");
            using var r = await http.PostAsync(notify, content);
            var answer = await r.Content.ReadAsStringAsync();
            return (r.IsSuccessStatusCode && answer == "success", $"{(int)r.StatusCode} {answer}");
        }

        async Task<Recorder> PhaseAsync(int offset, int count)
        {
            var next = -1;
            var recorders = await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
            {
                var rec = new Recorder();
                int i;
                while ((i = Interlocked.Increment(ref next)) < count)
                {
                    var flow = signed?[offset + i] ?? NewFlow(offset + i, false);
                    var start = Stopwatch.GetTimestamp();
                    using var request = new HttpRequestMessage(HttpMethod.Post, orders) { Content = new ByteArrayContent(body) };
                    request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                    request.Headers.Authorization = auth[flow.Buyer];
                    request.Headers.Add("Idempotency-Key", flow.Key);
                    using var response = await http.SendAsync(request);
                    var json = await response.Content.ReadAsByteArrayAsync();
                    rec.Place.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                    if (response.StatusCode != HttpStatusCode.Created)
                    {
                        rec.Fail($"place {(int)response.StatusCode} {Encoding.UTF8.GetString(json)}");
                        continue;
                    }

                    rec.Created++;
                    string reference;
                    decimal paid;
                    using (var doc = JsonDocument.Parse(json))
                    {
                        var payment = doc.RootElement.GetProperty("payment");
                        reference = payment.GetProperty("reference").GetString()!;
                        paid = payment.GetProperty("amount").GetDecimal();
                    }

                    if (reference != flow.Reference || paid != amount)
                    {
                        rec.Fail($"unexpected payment {reference} {paid}");
                        continue;
                    }

                    var form = flow.Notification;
                    if (form is null)
                    {
                        var cpu0 = ThreadCpu.Nanoseconds();
                        form = bank.Notification(reference, paid);
                        rec.SignCpuNanoseconds += ThreadCpu.Nanoseconds() - cpu0;
                        rec.Signed++;
                    }

                    var phase = Stopwatch.GetTimestamp();
                    var first = await NotifyAsync(form);
                    rec.Notify.Add(Stopwatch.GetElapsedTime(phase).TotalMilliseconds);
                    phase = Stopwatch.GetTimestamp();
                    var duplicate = await NotifyAsync(form);
                    rec.Duplicate.Add(Stopwatch.GetElapsedTime(phase).TotalMilliseconds);
                    if (!first.Ok || !duplicate.Ok)
                    {
                        rec.Fail($"notify {first.Answer} / duplicate {duplicate.Answer}");
                        continue;
                    }

                    rec.Flow.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                }

                return rec;
            }));
            return Recorder.Merge(recorders);
        }

        var warm = await PhaseAsync(0, warmup);
        var window = new Measure.Window(appPid, pgPort);
        await using var db = NpgsqlDataSource.Create(connectionString);
        var x0 = await TransactionsAsync(db);
        window.Start();
        var measured = await PhaseAsync(warmup, flows);
        window.Stop();
        var label = presign ? "HTTP, notifications pre-signed" : "HTTP, bank signs inline";
        return await ReportAsync(db, label, concurrency, warm, measured, window, x0, warmup + flows, inline: !presign);
    }

    /// <summary>The same three database calls per flow straight from <paramref name="concurrency"/> tasks: no HTTP, no JSON, no RSA, no token.</summary>
    public static async Task<int> DirectAsync(string connectionString, int concurrency, int warmup, int flows, int? pgPort)
    {
        await using var db = NpgsqlDataSource.Create(connectionString);
        var request = new FloorDb.PlaceRequest(FloorDb.Listing, "OrdinaryLicense", 1, "基准", "13800000001", null);
        var hash = new string('0', 64);
        long trade = 0;
        var prefix = DateTime.UtcNow.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);

        async Task<Recorder> PhaseAsync(int offset, int count)
        {
            var next = -1;
            var recorders = await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
            {
                var rec = new Recorder();
                int i;
                while ((i = Interlocked.Increment(ref next)) < count)
                {
                    var buyer = FloorDb.Buyer((offset + i) % FloorDb.Buyers);
                    var start = Stopwatch.GetTimestamp();
                    var placed = await FloorDb.PlaceAsync(db, buyer, Guid.NewGuid().ToString(), hash, request);
                    rec.Place.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                    if (placed is not { Created: true } p)
                    {
                        rec.Fail("place");
                        continue;
                    }

                    rec.Created++;
                    var tradeNo = $"{prefix}22{Interlocked.Increment(ref trade):D12}";
                    var phase = Stopwatch.GetTimestamp();
                    var first = await FloorDb.NotifyAsync(db, p.Reference, tradeNo, p.Amount);
                    rec.Notify.Add(Stopwatch.GetElapsedTime(phase).TotalMilliseconds);
                    phase = Stopwatch.GetTimestamp();
                    var duplicate = await FloorDb.NotifyAsync(db, p.Reference, tradeNo, p.Amount);
                    rec.Duplicate.Add(Stopwatch.GetElapsedTime(phase).TotalMilliseconds);
                    if (first != FloorDb.NotifyOutcome.Applied || duplicate != FloorDb.NotifyOutcome.Duplicate)
                    {
                        rec.Fail($"notify {first} / duplicate {duplicate}");
                        continue;
                    }

                    rec.Flow.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                }

                return rec;
            }));
            return Recorder.Merge(recorders);
        }

        var warm = await PhaseAsync(0, warmup);
        var window = new Measure.Window(null, pgPort);
        var x0 = await TransactionsAsync(db);
        window.Start();
        var measured = await PhaseAsync(warmup, flows);
        window.Stop();
        return await ReportAsync(db, "no HTTP: the three database calls from 32 tasks", concurrency, warm, measured, window, x0, warmup + flows, inline: false);
    }

    private static async Task<long> TransactionsAsync(NpgsqlDataSource db)
    {
        await using var cmd = db.CreateCommand("SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = current_database()");
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    private static async Task<int> ReportAsync(NpgsqlDataSource db, string label, int concurrency, Recorder warm, Recorder m, Measure.Window w,
        long x0, int expectedOrders, bool inline)
    {
        await Task.Delay(1500); // let the backends' statistics reach pg_stat_database
        var xacts = await TransactionsAsync(db) - x0;
        await using var cmd = db.CreateCommand("""
            SELECT (SELECT count(*) FROM floor.orders), (SELECT count(*) FROM floor.orders WHERE state = 'Paid'),
                   (SELECT count(*) FROM floor.payments WHERE status = 'Paid'), (SELECT count(*) FROM floor.ledger_entries),
                   (SELECT count(*) FROM floor.order_events), (SELECT count(*) FROM floor.orders_audit_log) + (SELECT count(*) FROM floor.payments_audit_log),
                   (SELECT count(*) FROM floor.notifications), (SELECT count(*) FROM floor.email_outbox)
            """);
        await using var r = await cmd.ExecuteReaderAsync();
        await r.ReadAsync();
        var c = Enumerable.Range(0, 8).Select(r.GetInt64).ToArray();
        var created = warm.Created + m.Created;
        var lost = created - c[1];
        var consistent = c[0] == created && c[2] == c[1] && c[3] == 2 * c[1] && c[4] == c[0] + c[1] && c[5] == 2 * (c[0] + c[1]) && c[6] == c[1] && c[7] == c[1];
        var done = m.Flow.Count;
        var rate = done / w.Seconds;
        string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

        Console.WriteLine($"== {label}: concurrency {concurrency}, {warm.Flow.Count} warm-up + {done} measured flows");
        Console.WriteLine(F($"RESULT flows_per_s={rate:0.0} seconds={w.Seconds:0.00}"));
        Console.WriteLine(F($"placed and paid per second: {rate:0.0} (measured {done} flows in {w.Seconds:0.00} s)"));
        Console.WriteLine($"p50/p99 ms: place {Measure.P50P99(m.Place)}, notification {Measure.P50P99(m.Notify)}, duplicate {Measure.P50P99(m.Duplicate)}, whole flow {Measure.P50P99(m.Flow)}");
        Console.WriteLine($"orders {c[0]} (expected {expectedOrders}), paid {c[1]}, payments paid {c[2]}, ledger rows {c[3]}, order events {c[4]}, audit rows {c[5]}, notifications {c[6]}, e-mails {c[7]} -> lost {lost}, failures {warm.Failures + m.Failures}{(m.FirstFailure ?? warm.FirstFailure) switch { null => "", var f => " e.g. " + f }}, rows {(consistent ? "consistent" : "INCONSISTENT")}");
        Console.WriteLine(F($"CPU in the measured phase (2 cores = {2 * w.Seconds:0.0} core-s): app {w.AppCpuSeconds:0.00} s = {w.AppCpuSeconds * 1000 / done:0.000} ms/flow; load generator {w.SelfCpuSeconds:0.00} s = {w.SelfCpuSeconds * 1000 / done:0.000} ms/flow; PostgreSQL {(w.HasPostgres ? F($"{w.PostgresCpuSeconds:0.00} s = {w.PostgresCpuSeconds * 1000 / done:0.000} ms/flow") : "n/a")}; machine busy {w.MachineBusyCores:0.00} of {Environment.ProcessorCount} cores"));
        if (inline && m.Signed > 0)
        {
            Console.WriteLine(F($"bank signing inline (thread CPU, inside the load generator's figure): {m.SignCpuNanoseconds / 1e9:0.00} s = {m.SignCpuNanoseconds / 1e6 / m.Signed:0.000} ms per notification"));
        }

        Console.WriteLine(F($"PostgreSQL transactions in the measured phase: {xacts} = {(double)xacts / done:0.00} per flow ({xacts / w.Seconds:0} tps)"));
        Console.WriteLine($"load average {w.LoadAtStart} -> {w.LoadAtEnd}");
        return lost == 0 && warm.Failures + m.Failures == 0 && consistent ? 0 : 1;
    }
}
