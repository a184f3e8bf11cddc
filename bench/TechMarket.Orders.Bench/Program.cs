using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Web;
using TechMarket.Payments.Gateways.Alipay;

// Orders benchmark over HTTP against a running TechMarket (PostgreSQL, embedded sandbox bank):
//   1. oversell check: many buyers race for sell-once listings (transfer) → exactly one order each;
//   2. throughput: place with payment intent → the bench, acting as the bank, posts the RSA2-signed callback and its
//      duplicate → order paid, at the given concurrency; then every order must be paid (zero lost); 2b. a smaller
//      run of the whole path through the sandbox bank's pages;
//   3. one order end to end (price change, bank pages, delivery, acceptance, escrow release).
// Usage: TechMarket.Orders.Bench <baseUrl> <bankPrivateKey.pem> [concurrency=32] [orders=2000] [exclusiveListings=20] [bankPageFlows=200] [warmupFlows=min(orders,500)]
var baseUrl = new Uri(args.Length > 0 ? args[0] : "http://127.0.0.1:5090");
var bankKeyFile = args.Length > 1 ? args[1] : throw new ArgumentException("the sandbox bank's private key (PEM) is required");
var concurrency = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 32;
var total = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 2000;
var exclusive = args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 20;
var bankFlows = args.Length > 5 ? int.Parse(args[5], CultureInfo.InvariantCulture) : 200;
var warmup = args.Length > 6 ? int.Parse(args[6], CultureInfo.InvariantCulture) : Math.Min(total, 500);
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

// 2. Throughput of what the goal names, placement plus payment callback, on one ordinary-licence listing (no stock
//    limit): POST /api/v1/orders?pay=true (order + payment intent in one request), then the bench acts as the bank —
//    the edge of the world we fake — and posts the RSA2-signed asynchronous notification to /payments/notify/alipay
//    with the sandbox bank's own private key, and posts it a second time (a provider's duplicate delivery, which
//    must change nothing). The callback is applied inside the notification request, so a flow is done when the
//    second "success" arrives; afterwards every placed order must be paid (zero lost).
var ordinary = await PublishAsync("OrdinaryLicense", 0);
using var bankKey = RSA.Create();
bankKey.ImportFromPem(await File.ReadAllTextAsync(bankKeyFile));
var tradePrefix = DateTime.UtcNow.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);
var tradeSeq = 0L;
var chinaTime = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

string Notification(string reference, decimal amount, string appId, string subject)
{
    var now = TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, chinaTime).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
    var amountText = AlipaySignature.Yuan(amount);
    var form = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["notify_time"] = now,
        ["notify_type"] = "trade_status_sync",
        ["notify_id"] = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)),
        ["app_id"] = appId,
        ["charset"] = "utf-8",
        ["version"] = "1.0",
        ["trade_no"] = $"{tradePrefix}22{Interlocked.Increment(ref tradeSeq):D12}",
        ["out_trade_no"] = reference,
        ["trade_status"] = "TRADE_SUCCESS",
        ["total_amount"] = amountText,
        ["receipt_amount"] = amountText,
        ["subject"] = subject,
        ["gmt_payment"] = now,
    };
    form["sign"] = AlipaySignature.Sign(AlipaySignature.Canonical(form, AlipaySignature.NotificationExclusions), bankKey);
    form["sign_type"] = "RSA2";
    return AlipaySignature.FormEncode(form);
}

async Task<(bool Ok, string Answer)> NotifyAsync(string body)
{
    using var content = new StringContent(body, Encoding.UTF8, "application/x-www-form-urlencoded");
    using var r = await http.PostAsync("/payments/notify/alipay", content);
    var answer = await r.Content.ReadAsStringAsync();
    return (r.IsSuccessStatusCode && answer == "success", $"{(int)r.StatusCode} {answer}");
}

async Task<int> PaidCountAsync()
{
    var r = await SendAsync(HttpMethod.Get, "/api/v1/orders?state=Paid&pageSize=1", buyer);
    return (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("total").GetInt32();
}

static double P(IEnumerable<double> values, double q)
{
    var sorted = values.OrderBy(v => v).ToArray();
    return sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
}

static string Ms(ConcurrentBag<double> values) => string.Create(CultureInfo.InvariantCulture, $"{P(values, 0.5):0.0}/{P(values, 0.99):0.0}");

var placeLatencies = new ConcurrentBag<double>();
var notifyLatencies = new ConcurrentBag<double>();
var duplicateLatencies = new ConcurrentBag<double>();
var flowLatencies = new ConcurrentBag<double>();
var placed = new ConcurrentBag<Guid>();
var failures = new ConcurrentBag<string>();
async Task FlowsAsync(int count)
{
    var next = 0;
    await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
    {
        while (Interlocked.Increment(ref next) <= count)
        {
            var start = Stopwatch.GetTimestamp();
            var r = await SendAsync(HttpMethod.Post, "/api/v1/orders?pay=true", buyer, Purchase(ordinary, "OrdinaryLicense"), Guid.NewGuid().ToString());
            placeLatencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            if (r.StatusCode != HttpStatusCode.Created)
            {
                failures.Add($"place {(int)r.StatusCode}");
                continue;
            }

            var body = await r.Content.ReadFromJsonAsync<JsonElement>();
            var order = body.GetProperty("order");
            placed.Add(order.GetProperty("id").GetGuid());
            if (body.GetProperty("payment").ValueKind != JsonValueKind.Object)
            {
                failures.Add($"no payment: {body.GetProperty("paymentError")}");
                continue;
            }

            var payment = body.GetProperty("payment");
            var payUrl = new Uri(payment.GetProperty("payUrl").GetString()!);
            var appId = HttpUtility.ParseQueryString(payUrl.Query)["app_id"]!;
            var notification = Notification(payment.GetProperty("reference").GetString()!, payment.GetProperty("amount").GetDecimal(), appId, "benchmark");
            var phase = Stopwatch.GetTimestamp();
            var first = await NotifyAsync(notification);
            notifyLatencies.Add(Stopwatch.GetElapsedTime(phase).TotalMilliseconds);
            phase = Stopwatch.GetTimestamp();
            var duplicate = await NotifyAsync(notification);
            duplicateLatencies.Add(Stopwatch.GetElapsedTime(phase).TotalMilliseconds);
            if (!first.Ok || !duplicate.Ok)
            {
                failures.Add($"notify {first.Answer} / duplicate {duplicate.Answer}");
                continue;
            }

            flowLatencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
    }));
}

// Warm-up (not measured): a freshly started app is still tiering its JIT code (quick → instrumented → optimised);
// a profile of a cold run showed 13 % of the app's CPU on the tiering thread and much more in instrumented code.
// Orders placed during the warm-up count for "lost" like every other.
await FlowsAsync(warmup);
foreach (var bag in new[] { placeLatencies, notifyLatencies, duplicateLatencies, flowLatencies })
{
    bag.Clear();
}

var clock = Stopwatch.StartNew();
await FlowsAsync(total);
var elapsed = clock.Elapsed.TotalSeconds;
var paid = await PaidCountAsync();
var lost = Math.Max(0, placed.Count - paid);

Console.WriteLine($"placed {placed.Count}/{warmup + total} ({warmup} of them in the unmeasured warm-up), failures {failures.Count}{(failures.IsEmpty ? "" : " e.g. " + failures.First())}");
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"place+pay-intent + signed callback + duplicate: {flowLatencies.Count / elapsed:0.0} orders placed and paid/s over {elapsed:0.0}s at concurrency {concurrency}"));
Console.WriteLine($"p50/p99 ms: place+pay-intent {Ms(placeLatencies)}, callback {Ms(notifyLatencies)}, duplicate callback {Ms(duplicateLatencies)}, whole flow {Ms(flowLatencies)}");
Console.WriteLine($"paid (callback applied) {paid}/{placed.Count} right after the last flow -> lost {lost}");

// 2b. The same flow the old way, through the embedded sandbox bank's pages (a smaller run, so nothing is hidden):
//     place → pay → bank pay page → confirm at the bank; the bank then sends the signed callback and its duplicate
//     itself (two HTTP calls out of the app process). Paid is awaited by polling.
var bankPlaced = new ConcurrentBag<Guid>();
var bankFlowLatencies = new ConcurrentBag<double>();
var bankPhase = new[] { new ConcurrentBag<double>(), new ConcurrentBag<double>(), new ConcurrentBag<double>(), new ConcurrentBag<double>() };
var confirmAction = new Regex("action=\"([^\"]*/confirm)\"", RegexOptions.Compiled);
var bankNext = 0;
var bankClock = Stopwatch.StartNew();
await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
{
    while (Interlocked.Increment(ref bankNext) <= bankFlows)
    {
        var start = Stopwatch.GetTimestamp();
        var r = await SendAsync(HttpMethod.Post, "/api/v1/orders", buyer, Purchase(ordinary, "OrdinaryLicense"), Guid.NewGuid().ToString());
        bankPhase[0].Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        if (r.StatusCode != HttpStatusCode.Created)
        {
            failures.Add($"bank flow place {(int)r.StatusCode}");
            continue;
        }

        var id = (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        bankPlaced.Add(id);
        var phase = Stopwatch.GetTimestamp();
        var pay = await SendAsync(HttpMethod.Post, $"/api/v1/orders/{id}/pay", buyer);
        bankPhase[1].Add(Stopwatch.GetElapsedTime(phase).TotalMilliseconds);
        if (!pay.IsSuccessStatusCode)
        {
            failures.Add($"bank flow pay {(int)pay.StatusCode}");
            continue;
        }

        var payUrl = (await pay.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("payUrl").GetString()!;
        phase = Stopwatch.GetTimestamp();
        var page = await http.GetStringAsync(new Uri(payUrl));
        bankPhase[2].Add(Stopwatch.GetElapsedTime(phase).TotalMilliseconds);
        phase = Stopwatch.GetTimestamp();
        var confirmed = await http.PostAsync(new Uri(new Uri(payUrl), confirmAction.Match(page).Groups[1].Value), null);
        bankPhase[3].Add(Stopwatch.GetElapsedTime(phase).TotalMilliseconds);
        if ((int)confirmed.StatusCode >= 400)
        {
            failures.Add($"bank flow confirm {(int)confirmed.StatusCode}");
            continue;
        }

        bankFlowLatencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
    }
}));
var bankElapsed = bankClock.Elapsed.TotalSeconds;
var deadline = DateTime.UtcNow.AddSeconds(120);
int bankPaid;
while ((bankPaid = await PaidCountAsync() - paid) < bankPlaced.Count && DateTime.UtcNow < deadline)
{
    await Task.Delay(200);
}

var bankDone = bankClock.Elapsed.TotalSeconds;
var bankLost = Math.Max(0, bankPlaced.Count - bankPaid);
if (bankFlows > 0)
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"through the bank's pages ({bankPlaced.Count} orders): place+pay+bank page+bank confirm {bankFlowLatencies.Count / bankElapsed:0.0}/s; paid {bankPaid}/{bankPlaced.Count} after {bankDone:0.0}s -> lost {bankLost}, {bankPaid / bankDone:0.0} paid/s end to end"));
    Console.WriteLine($"  p50/p99 ms: place {Ms(bankPhase[0])}, pay {Ms(bankPhase[1])}, bank page {Ms(bankPhase[2])}, bank confirm {Ms(bankPhase[3])}, flow {Ms(bankFlowLatencies)}");
}

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

return oversold == 0 && lost == 0 && bankLost == 0 && e2eOk ? 0 : 1;
