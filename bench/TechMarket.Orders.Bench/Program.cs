using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;

// Orders benchmark over HTTP against a running TechMarket (PostgreSQL, embedded sandbox bank):
//   1. oversell check: many buyers race for sell-once listings (transfer) → exactly one order each;
//   2. throughput: place → pay (create payment) → confirm at the sandbox bank → signed callback → order paid,
//      at the given concurrency; p50/p99 of "place" and of "place + pay + bank confirm"; then every order must
//      reach "paid" (zero lost).
// Usage: TechMarket.Orders.Bench <baseUrl> [concurrency=32] [orders=2000] [exclusiveListings=20]
var baseUrl = new Uri(args.Length > 0 ? args[0] : "http://127.0.0.1:5090");
var concurrency = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 32;
var total = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 2000;
var exclusive = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 20;
const string Password = "Demo-Pass-2026";

var handler = new SocketsHttpHandler { MaxConnectionsPerServer = concurrency * 2, AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(10) };
var http = new HttpClient(handler) { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(60) };

async Task<AuthenticationHeaderValue> LoginAsync(string account)
{
    var r = await http.PostAsJsonAsync("/api/v1/auth/token", new { account, password = Password });
    r.EnsureSuccessStatusCode();
    var token = (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString();
    return new AuthenticationHeaderValue("Bearer", token);
}

async Task<HttpResponseMessage> SendAsync(HttpMethod method, string url, AuthenticationHeaderValue auth, object? body = null, string? key = null)
{
    using var request = new HttpRequestMessage(method, url);
    request.Headers.Authorization = auth;
    if (body is not null)
    {
        request.Content = JsonContent.Create(body);
    }

    if (key is not null)
    {
        request.Headers.Add("Idempotency-Key", key);
    }

    return await http.SendAsync(request);
}

var buyer = await LoginAsync("13800000001");
var seller = await LoginAsync("enterprise@techmarket.demo");
var reviewer = await LoginAsync("operator@techmarket.demo");

async Task<Guid> PublishAsync(string mode, int n)
{
    var listing = new
    {
        title = $"基准测试技术成果 {mode} {n} {Guid.NewGuid():N}"[..30],
        type = "Patent",
        modes = new[] { mode },
        pricing = "Fixed",
        price = 1000m + n,
        maturity = "Pilot",
        trl = 6,
        field = "NewEnergy",
        province = "35",
        city = "福州",
        patentNumber = "CN202310123456.7",
        patentStatus = "Granted",
        @abstract = "用于基准测试的技术成果，验证订单生成、库存控制与支付回调的吞吐量和正确性。",
        description = "<p>benchmark</p>",
        tags = "基准,测试",
    };
    var r = await SendAsync(HttpMethod.Post, "/api/v1/listings?submit=true", seller, listing);
    if (!r.IsSuccessStatusCode)
    {
        throw new InvalidOperationException($"publish: {(int)r.StatusCode} {await r.Content.ReadAsStringAsync()}");
    }

    var id = (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    (await SendAsync(HttpMethod.Post, $"/api/v1/operator/listings/{id}/approve", reviewer)).EnsureSuccessStatusCode();
    return id;
}

object Purchase(Guid listingId, string mode) => new { listingId, mode, quantity = 1, contactName = "基准", contactPhone = "13800000001" };

// 1. Oversell: every sell-once listing is raced by `concurrency` buyers pressing buy at once.
var transfers = new List<Guid>();
for (var i = 0; i < exclusive; i++)
{
    transfers.Add(await PublishAsync("Transfer", i));
}

var wins = new ConcurrentDictionary<Guid, int>();
foreach (var listing in transfers)
{
    await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
    {
        var r = await SendAsync(HttpMethod.Post, "/api/v1/orders", buyer, Purchase(listing, "Transfer"), Guid.NewGuid().ToString());
        if (r.StatusCode == HttpStatusCode.Created)
        {
            wins.AddOrUpdate(listing, 1, (_, v) => v + 1);
        }
    }));
}

var oversold = transfers.Count(l => wins.GetValueOrDefault(l) > 1);
var unsold = transfers.Count(l => wins.GetValueOrDefault(l) == 0);
Console.WriteLine($"oversell: {transfers.Count} transfer listings x {concurrency} racing buyers -> oversold {oversold}, unsold {unsold}");

// 2. Throughput: place + pay + confirm at the bank, on one ordinary-licence listing (no stock limit).
var ordinary = await PublishAsync("OrdinaryLicense", 0);
var placeLatencies = new ConcurrentBag<double>();
var flowLatencies = new ConcurrentBag<double>();
var payLatencies = new ConcurrentBag<double>();
var bankPageLatencies = new ConcurrentBag<double>();
var bankConfirmLatencies = new ConcurrentBag<double>();
var placed = new ConcurrentBag<Guid>();
var failures = new ConcurrentBag<string>();
var confirmAction = new Regex("action=\"([^\"]*/confirm)\"", RegexOptions.Compiled);
var next = 0;
var clock = Stopwatch.StartNew();
await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
{
    while (Interlocked.Increment(ref next) <= total)
    {
        var start = Stopwatch.GetTimestamp();
        var r = await SendAsync(HttpMethod.Post, "/api/v1/orders", buyer, Purchase(ordinary, "OrdinaryLicense"), Guid.NewGuid().ToString());
        placeLatencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        if (r.StatusCode != HttpStatusCode.Created)
        {
            failures.Add($"place {(int)r.StatusCode}");
            continue;
        }

        var id = (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        placed.Add(id);
        var phase = Stopwatch.GetTimestamp();
        var pay = await SendAsync(HttpMethod.Post, $"/api/v1/orders/{id}/pay", buyer);
        payLatencies.Add(Stopwatch.GetElapsedTime(phase).TotalMilliseconds);
        if (!pay.IsSuccessStatusCode)
        {
            failures.Add($"pay {(int)pay.StatusCode} {await pay.Content.ReadAsStringAsync()}");
            continue;
        }

        var payUrl = (await pay.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("payUrl").GetString()!;
        phase = Stopwatch.GetTimestamp();
        var page = await http.GetStringAsync(new Uri(payUrl));
        bankPageLatencies.Add(Stopwatch.GetElapsedTime(phase).TotalMilliseconds);
        var action = confirmAction.Match(page).Groups[1].Value;
        phase = Stopwatch.GetTimestamp();
        var confirmed = await http.PostAsync(new Uri(new Uri(payUrl), action), null);
        bankConfirmLatencies.Add(Stopwatch.GetElapsedTime(phase).TotalMilliseconds);
        if ((int)confirmed.StatusCode >= 400)
        {
            failures.Add($"bank {(int)confirmed.StatusCode}");
            continue;
        }

        flowLatencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
    }
}));
var elapsed = clock.Elapsed.TotalSeconds;

// Every placed order must become paid once the bank's callbacks have arrived.
var deadline = DateTime.UtcNow.AddSeconds(120);
int paid;
do
{
    var r = await SendAsync(HttpMethod.Get, "/api/v1/orders?state=Paid&pageSize=1", buyer);
    paid = (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("total").GetInt32() - 0;
    if (paid >= placed.Count)
    {
        break;
    }

    await Task.Delay(500);
}
while (DateTime.UtcNow < deadline);
var callbacksDone = clock.Elapsed.TotalSeconds;

static double P(IEnumerable<double> values, double q)
{
    var sorted = values.OrderBy(v => v).ToArray();
    return sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
}

Console.WriteLine($"placed {placed.Count}/{total}, failures {failures.Count}{(failures.IsEmpty ? "" : " e.g. " + failures.First())}");
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"place+pay+bank-confirm: {flowLatencies.Count / elapsed:0.0}/s over {elapsed:0.0}s at concurrency {concurrency}"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"place latency ms: p50 {P(placeLatencies, 0.5):0.0} p99 {P(placeLatencies, 0.99):0.0}; full flow ms: p50 {P(flowLatencies, 0.5):0.0} p99 {P(flowLatencies, 0.99):0.0}"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"phases p50/p99 ms: place {P(placeLatencies, 0.5):0.0}/{P(placeLatencies, 0.99):0.0}, pay (payment intent, signed bank URL) {P(payLatencies, 0.5):0.0}/{P(payLatencies, 0.99):0.0}, bank page {P(bankPageLatencies, 0.5):0.0}/{P(bankPageLatencies, 0.99):0.0}, bank confirm {P(bankConfirmLatencies, 0.5):0.0}/{P(bankConfirmLatencies, 0.99):0.0}"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"paid (callbacks applied) {paid}/{placed.Count} after {callbacksDone:0.0}s -> lost {Math.Max(0, placed.Count - paid)}; orders paid per second end to end {paid / callbacksDone:0.0}"));

// 3. One order end to end through the real payment path: price change, pay the new amount at the bank, deliver,
//    accept, escrow released.
var e2eOk = false;
try
{
    var o = await SendAsync(HttpMethod.Post, "/api/v1/orders", buyer, Purchase(ordinary, "OrdinaryLicense"), Guid.NewGuid().ToString());
    var orderId = (await o.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    (await SendAsync(HttpMethod.Post, $"/api/v1/orders/{orderId}/price", seller, new { amount = 888.88m, reason = "benchmark price change" })).EnsureSuccessStatusCode();
    var pay = await (await SendAsync(HttpMethod.Post, $"/api/v1/orders/{orderId}/pay", buyer)).Content.ReadFromJsonAsync<JsonElement>();
    var payUrl = pay.GetProperty("payUrl").GetString()!;
    var page = await http.GetStringAsync(new Uri(payUrl));
    await http.PostAsync(new Uri(new Uri(payUrl), confirmAction.Match(page).Groups[1].Value), null);
    string State(JsonElement d) => d.GetProperty("order").GetProperty("state").GetString()!;
    async Task<JsonElement> DetailAsync() => await (await SendAsync(HttpMethod.Get, $"/api/v1/orders/{orderId}", buyer)).Content.ReadFromJsonAsync<JsonElement>();
    for (var i = 0; i < 100 && State(await DetailAsync()) != "Paid"; i++)
    {
        await Task.Delay(200);
    }

    using var form = new MultipartFormDataContent { { new StringContent("benchmark delivery"), "note" }, { new ByteArrayContent("%PDF-1.7 bench"u8.ToArray()), "files", "bench.pdf" } };
    using var deliver = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/orders/{orderId}/deliver") { Content = form };
    deliver.Headers.Authorization = seller;
    (await http.SendAsync(deliver)).EnsureSuccessStatusCode();
    (await SendAsync(HttpMethod.Post, $"/api/v1/orders/{orderId}/accept", buyer)).EnsureSuccessStatusCode();
    var final = await DetailAsync();
    var order = final.GetProperty("order");
    e2eOk = State(final) == "Completed" && order.GetProperty("escrowReleased").GetBoolean() && order.GetProperty("paidAmount").GetDecimal() == 888.88m;
    Console.WriteLine($"end to end (price change -> bank payment -> callback -> deliver -> accept -> escrow released): state {State(final)}, paid {order.GetProperty("paidAmount")}, escrow released {order.GetProperty("escrowReleased")} -> {(e2eOk ? "OK" : "FAILED")}");
}
catch (Exception e) when (e is HttpRequestException or InvalidOperationException or KeyNotFoundException or JsonException)
{
    Console.WriteLine($"end to end check failed: {e.Message}");
}

return oversold == 0 && paid >= placed.Count && e2eOk ? 0 : 1;
