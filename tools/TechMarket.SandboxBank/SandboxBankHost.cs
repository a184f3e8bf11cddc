using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using TechMarket.Payments.Gateways.Alipay;

namespace TechMarket.SandboxBank;

public sealed class BankOptions
{
    public const string Section = "Bank";

    /// <summary>The merchant's app id; requests for any other are refused.</summary>
    public string AppId { get; set; } = "";

    /// <summary>The bank's own RSA private key (PEM or Base64) signing notifications and responses.</summary>
    public string PrivateKey { get; set; } = "";

    /// <summary>The merchant's public key, verifying its RSA2 request signatures.</summary>
    public string MerchantPublicKey { get; set; } = "";

    /// <summary>Waits between notification attempts; Alipay publishes 4m,10m,10m,1h,2h,6h,15h. Tests shorten it.</summary>
    public TimeSpan[] NotifySchedule { get; set; } =
        [TimeSpan.FromMinutes(4), TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(10), TimeSpan.FromHours(1), TimeSpan.FromHours(2), TimeSpan.FromHours(6), TimeSpan.FromHours(15)];

    /// <summary>Extra deliveries of a notification already acknowledged, to prove the merchant applies it once.</summary>
    public int DuplicateDeliveries { get; set; } = 1;
}

/// <summary>Builds the bank's web app; used by its own Program and by TechMarket's in-process embedded setup.</summary>
public static class SandboxBankHost
{
    public static WebApplication Build(string[] args, IDictionary<string, string?>? settings = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }

        var options = new BankOptions();
        builder.Configuration.GetSection(BankOptions.Section).Bind(options);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton<Bank>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<Bank>());
        builder.Services.AddHttpClient(Bank.NotifyClient, c => c.Timeout = TimeSpan.FromSeconds(10));

        var app = builder.Build();
        app.MapGet("/", () => Results.Text("TechMarket sandbox bank (Alipay open-platform protocol)"));
        app.MapGet("/gateway.do", (HttpContext context, Bank bank) => bank.HandleGatewayAsync(context));
        app.MapPost("/gateway.do", (HttpContext context, Bank bank) => bank.HandleGatewayAsync(context));
        app.MapPost("/pay/{id}/confirm", (string id, Bank bank) => bank.Confirm(id));
        app.MapPost("/pay/{id}/decline", (string id, Bank bank) => bank.Decline(id));
        app.MapGet("/bills/{day}.csv", (string day, Bank bank) => bank.Statement(day));
        // Test controls: hold notifications (the "callback never arrives" case), let them go, re-send one.
        app.MapPost("/sandbox/notifications/hold", (Bank bank) => bank.Hold(true));
        app.MapPost("/sandbox/notifications/release", (Bank bank) => bank.Hold(false));
        app.MapGet("/sandbox/trades/{outTradeNo}", (string outTradeNo, Bank bank) => bank.Describe(outTradeNo));
        return app;
    }
}

internal sealed class Trade
{
    public required string Id { get; init; }
    public required string OutTradeNo { get; init; }
    public required decimal TotalAmount { get; init; }
    public required string Subject { get; init; }
    public required string NotifyUrl { get; init; }
    public required string ReturnUrl { get; init; }
    public string Status { get; set; } = "WAIT_BUYER_PAY";
    public string? TradeNo { get; set; }
    public DateTimeOffset? PaidAt { get; set; }
    public decimal Refunded { get; set; }
    public Dictionary<string, decimal> Refunds { get; } = new(StringComparer.Ordinal);
    public List<(DateTimeOffset At, string Kind, decimal Amount, string? RequestNo)> Movements { get; } = [];
    public int Deliveries { get; set; }
    public int Acknowledged { get; set; }
}

internal sealed class Bank(BankOptions options, IHttpClientFactory http, ILogger<Bank> logger) : BackgroundService
{
    public const string NotifyClient = "notify";

    private readonly Lock sync = new();
    private readonly Dictionary<string, Trade> byId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Trade> byOutTradeNo = new(StringComparer.Ordinal);
    private readonly RSA privateKey = AlipaySignature.LoadPrivateKey(options.PrivateKey);
    private readonly RSA merchantKey = AlipaySignature.LoadPublicKey(options.MerchantPublicKey);
    private readonly System.Threading.Channels.Channel<Trade> outbox = System.Threading.Channels.Channel.CreateUnbounded<Trade>();
    private volatile bool held;
    private long sequence;

    public async Task<IResult> HandleGatewayAsync(HttpContext context)
    {
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in context.Request.Query)
        {
            parameters[key] = value.ToString();
        }

        if (context.Request.HasFormContentType)
        {
            foreach (var (key, value) in await context.Request.ReadFormAsync())
            {
                parameters[key] = value.ToString();
            }
        }

        var method = parameters.GetValueOrDefault("method") ?? "";
        if (parameters.GetValueOrDefault("app_id") != options.AppId)
        {
            return Error(method, "40002", "isv.invalid-app-id", "无效的AppID参数");
        }

        if (parameters.GetValueOrDefault("sign_type") != "RSA2" || !AlipaySignature.VerifyParameters(parameters, merchantKey, AlipaySignature.RequestExclusions))
        {
            logger.LogWarning("Request {Method} with a bad merchant signature refused", method);
            return Error(method, "40002", "isv.invalid-signature", "验签出错");
        }

        Dictionary<string, JsonElement> biz;
        try
        {
            biz = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(parameters.GetValueOrDefault("biz_content") ?? "{}") ?? [];
        }
        catch (JsonException)
        {
            return Error(method, "40002", "isv.invalid-parameter", "biz_content 不是 JSON");
        }

        string? Biz(string name) => biz.TryGetValue(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        return method switch
        {
            "alipay.trade.page.pay" => PagePay(Biz("out_trade_no"), Biz("total_amount"), Biz("subject"), parameters.GetValueOrDefault("notify_url"), parameters.GetValueOrDefault("return_url")),
            "alipay.trade.query" => Query(Biz("out_trade_no")),
            "alipay.trade.refund" => Refund(Biz("out_trade_no"), Biz("refund_amount"), Biz("out_request_no")),
            "alipay.data.dataservice.bill.downloadurl.query" => BillUrl(context, Biz("bill_date")),
            _ => Error(method, "40004", "isv.invalid-method", "不支持的接口"),
        };
    }

    private IResult PagePay(string? outTradeNo, string? totalAmount, string? subject, string? notifyUrl, string? returnUrl)
    {
        if (string.IsNullOrEmpty(outTradeNo) || !AlipaySignature.TryParseYuan(totalAmount, out var amount) || amount <= 0 || string.IsNullOrEmpty(notifyUrl) || string.IsNullOrEmpty(returnUrl))
        {
            return Results.BadRequest("out_trade_no, total_amount, notify_url and return_url are required");
        }

        Trade trade;
        lock (sync)
        {
            if (byOutTradeNo.TryGetValue(outTradeNo, out var existing))
            {
                if (existing.TotalAmount != amount)
                {
                    return Results.Conflict("ACQ.CONTEXT_INCONSISTENT: same out_trade_no, different amount");
                }

                trade = existing;
            }
            else
            {
                trade = new Trade
                {
                    Id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)),
                    OutTradeNo = outTradeNo,
                    TotalAmount = amount,
                    Subject = subject ?? "",
                    NotifyUrl = notifyUrl,
                    ReturnUrl = returnUrl,
                };
                byId[trade.Id] = trade;
                byOutTradeNo[outTradeNo] = trade;
            }
        }

        var html = $$"""
            <!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>沙箱银行 · 付款</title>
            <style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:2rem auto;padding:0 1rem}button{font-size:1rem;padding:.6rem 1.2rem;margin:.3rem}</style></head>
            <body><h1>沙箱银行 Sandbox bank</h1>
            <p>商户订单号 Order: <strong>{{WebUtility.HtmlEncode(trade.OutTradeNo)}}</strong></p>
            <p>商品 Subject: {{WebUtility.HtmlEncode(trade.Subject)}}</p>
            <p>金额 Amount: <strong>¥{{AlipaySignature.Yuan(trade.TotalAmount)}}</strong></p>
            <p>状态 Status: {{trade.Status}}</p>
            <form method="post" action="/pay/{{trade.Id}}/confirm"><button type="submit" data-action="confirm">确认付款 Pay</button></form>
            <form method="post" action="/pay/{{trade.Id}}/decline"><button type="submit" data-action="decline">拒绝 Decline</button></form>
            </body></html>
            """;
        return Results.Content(html, "text/html; charset=utf-8");
    }

    public IResult Confirm(string id)
    {
        Trade? trade;
        lock (sync)
        {
            if (!byId.TryGetValue(id, out trade))
            {
                return Results.NotFound();
            }

            if (trade.Status == "WAIT_BUYER_PAY")
            {
                trade.Status = "TRADE_SUCCESS";
                trade.TradeNo = DateTimeOffset.UtcNow.ToString("yyyyMMdd", CultureInfo.InvariantCulture) + "2200" + Interlocked.Increment(ref sequence).ToString("D8", CultureInfo.InvariantCulture) + Random.Shared.Next(1000, 9999);
                trade.PaidAt = DateTimeOffset.UtcNow;
                trade.Movements.Add((trade.PaidAt.Value, "payment", trade.TotalAmount, null));
                outbox.Writer.TryWrite(trade);
            }
        }

        if (trade.Status == "TRADE_CLOSED")
        {
            return Results.Conflict("trade closed");
        }

        // The synchronous return: the payer's browser goes back with signed parameters (no trade_status).
        var back = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["method"] = "alipay.trade.page.pay.return",
            ["app_id"] = options.AppId,
            ["charset"] = "utf-8",
            ["version"] = "1.0",
            ["timestamp"] = Now(),
            ["out_trade_no"] = trade.OutTradeNo,
            ["trade_no"] = trade.TradeNo!,
            ["total_amount"] = AlipaySignature.Yuan(trade.TotalAmount),
            ["seller_id"] = "2088000000000001",
        };
        back["sign"] = AlipaySignature.Sign(AlipaySignature.Canonical(back, AlipaySignature.NotificationExclusions), privateKey);
        back["sign_type"] = "RSA2";
        var separator = trade.ReturnUrl.Contains('?', StringComparison.Ordinal) ? "&" : "?";
        return Results.Redirect(trade.ReturnUrl + separator + AlipaySignature.FormEncode(back));
    }

    public IResult Decline(string id)
    {
        Trade? trade;
        lock (sync)
        {
            if (!byId.TryGetValue(id, out trade))
            {
                return Results.NotFound();
            }

            if (trade.Status == "WAIT_BUYER_PAY")
            {
                trade.Status = "TRADE_CLOSED";
                outbox.Writer.TryWrite(trade);
            }
        }

        return Results.Redirect(trade.ReturnUrl);
    }

    private IResult Query(string? outTradeNo)
    {
        Trade? trade;
        lock (sync)
        {
            byOutTradeNo.TryGetValue(outTradeNo ?? "", out trade);
        }

        if (trade is null)
        {
            return Error("alipay.trade.query", "40004", "ACQ.TRADE_NOT_EXIST", "交易不存在");
        }

        return Signed("alipay.trade.query", new Dictionary<string, object?>
        {
            ["code"] = "10000",
            ["msg"] = "Success",
            ["out_trade_no"] = trade.OutTradeNo,
            ["trade_no"] = trade.TradeNo,
            ["trade_status"] = trade.Status,
            ["total_amount"] = AlipaySignature.Yuan(trade.TotalAmount),
        });
    }

    private IResult Refund(string? outTradeNo, string? refundAmount, string? requestNo)
    {
        const string method = "alipay.trade.refund";
        if (!AlipaySignature.TryParseYuan(refundAmount, out var amount) || amount <= 0)
        {
            return Error(method, "40004", "ACQ.INVALID_PARAMETER", "退款金额无效");
        }

        lock (sync)
        {
            if (!byOutTradeNo.TryGetValue(outTradeNo ?? "", out var trade))
            {
                return Error(method, "40004", "ACQ.TRADE_NOT_EXIST", "交易不存在");
            }

            if (trade.Status != "TRADE_SUCCESS")
            {
                return Error(method, "40004", "ACQ.TRADE_STATUS_ERROR", "交易状态不合法");
            }

            var key = string.IsNullOrEmpty(requestNo) ? trade.OutTradeNo : requestNo;
            if (trade.Refunds.TryGetValue(key, out var earlier))
            {
                // Same out_request_no again: idempotent, nothing moves twice.
                if (earlier != amount)
                {
                    return Error(method, "40004", "ACQ.REQUEST_AMOUNT_EXCEED", "同一退款请求号金额不一致");
                }
            }
            else
            {
                if (trade.Refunded + amount > trade.TotalAmount)
                {
                    return Error(method, "40004", "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL", "退款金额超限");
                }

                trade.Refunds[key] = amount;
                trade.Refunded += amount;
                trade.Movements.Add((DateTimeOffset.UtcNow, "refund", amount, key));
            }

            return Signed(method, new Dictionary<string, object?>
            {
                ["code"] = "10000",
                ["msg"] = "Success",
                ["out_trade_no"] = trade.OutTradeNo,
                ["trade_no"] = trade.TradeNo,
                ["fund_change"] = "Y",
                ["refund_fee"] = AlipaySignature.Yuan(trade.Refunded),
            });
        }
    }

    private IResult BillUrl(HttpContext context, string? day)
    {
        if (!DateOnly.TryParseExact(day, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
        {
            return Error("alipay.data.dataservice.bill.downloadurl.query", "40004", "isp.bill_not_exist", "账单不存在");
        }

        return Signed("alipay.data.dataservice.bill.downloadurl.query", new Dictionary<string, object?>
        {
            ["code"] = "10000",
            ["msg"] = "Success",
            ["bill_download_url"] = $"{context.Request.Scheme}://{context.Request.Host}/bills/{day}.csv",
        });
    }

    public IResult Statement(string day)
    {
        if (!DateOnly.TryParseExact(day, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return Results.NotFound();
        }

        var csv = new StringBuilder("kind,out_trade_no,trade_no,amount,out_request_no\n");
        lock (sync)
        {
            foreach (var trade in byOutTradeNo.Values)
            {
                foreach (var (at, kind, amount, requestNo) in trade.Movements.Where(m => DateOnly.FromDateTime(m.At.UtcDateTime) == date))
                {
                    csv.Append(CultureInfo.InvariantCulture, $"{kind},{trade.OutTradeNo},{trade.TradeNo},{AlipaySignature.Yuan(amount)},{requestNo}\n");
                }
            }
        }

        return Results.Text(csv.ToString(), "text/csv; charset=utf-8");
    }

    public IResult Hold(bool hold)
    {
        held = hold;
        if (!hold)
        {
            lock (sync)
            {
                foreach (var trade in byId.Values.Where(t => t.Status != "WAIT_BUYER_PAY" && t.Acknowledged == 0))
                {
                    outbox.Writer.TryWrite(trade);
                }
            }
        }

        return Results.NoContent();
    }

    public IResult Describe(string outTradeNo)
    {
        lock (sync)
        {
            return byOutTradeNo.TryGetValue(outTradeNo, out var t)
                ? Results.Json(new { id = t.Id, t.OutTradeNo, t.Status, t.TradeNo, totalAmount = AlipaySignature.Yuan(t.TotalAmount), t.Deliveries, t.Acknowledged, refunded = AlipaySignature.Yuan(t.Refunded) })
                : Results.NotFound();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var trade in outbox.Reader.ReadAllAsync(stoppingToken))
        {
            if (!held)
            {
                _ = Task.Run(() => DeliverAsync(trade, stoppingToken), stoppingToken);
            }
        }
    }

    /// <summary>Delivers until the merchant answers exactly "success", waiting per the schedule; then sends duplicates on purpose.</summary>
    private async Task DeliverAsync(Trade trade, CancellationToken cancellationToken)
    {
        try
        {
            for (var attempt = 0; attempt <= options.NotifySchedule.Length; attempt++)
            {
                if (held)
                {
                    return;
                }

                if (await NotifyOnceAsync(trade, cancellationToken))
                {
                    for (var i = 0; i < options.DuplicateDeliveries; i++)
                    {
                        await NotifyOnceAsync(trade, cancellationToken);
                    }

                    return;
                }

                if (attempt < options.NotifySchedule.Length)
                {
                    await Task.Delay(options.NotifySchedule[attempt], cancellationToken);
                }
            }

            logger.LogWarning("Gave up notifying {OutTradeNo} after {Attempts} attempts", trade.OutTradeNo, options.NotifySchedule.Length + 1);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task<bool> NotifyOnceAsync(Trade trade, CancellationToken cancellationToken)
    {
        Dictionary<string, string> form;
        lock (sync)
        {
            trade.Deliveries++;
            form = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["notify_time"] = Now(),
                ["notify_type"] = "trade_status_sync",
                ["notify_id"] = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)),
                ["app_id"] = options.AppId,
                ["charset"] = "utf-8",
                ["version"] = "1.0",
                ["trade_no"] = trade.TradeNo ?? "",
                ["out_trade_no"] = trade.OutTradeNo,
                ["trade_status"] = trade.Status,
                ["total_amount"] = AlipaySignature.Yuan(trade.TotalAmount),
                ["subject"] = trade.Subject,
            };
            if (trade.PaidAt is { } paid)
            {
                form["gmt_payment"] = paid.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
                form["receipt_amount"] = AlipaySignature.Yuan(trade.TotalAmount);
            }
        }

        form["sign"] = AlipaySignature.Sign(AlipaySignature.Canonical(form, AlipaySignature.NotificationExclusions), privateKey);
        form["sign_type"] = "RSA2";
        try
        {
            using var client = http.CreateClient(NotifyClient);
            using var content = new StringContent(AlipaySignature.FormEncode(form), Encoding.UTF8, "application/x-www-form-urlencoded");
            using var response = await client.PostAsync(new Uri(trade.NotifyUrl), content, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            var ok = response.IsSuccessStatusCode && body == "success";
            if (ok)
            {
                lock (sync)
                {
                    trade.Acknowledged++;
                }
            }

            logger.LogInformation("Notified {OutTradeNo} ({Status}): merchant answered {Answer}", trade.OutTradeNo, trade.Status, ok ? "success" : "not success");
            return ok;
        }
        catch (HttpRequestException e)
        {
            logger.LogInformation("Notifying {OutTradeNo} failed: {Error}", trade.OutTradeNo, e.Message);
            return false;
        }
    }

    private IResult Signed(string method, Dictionary<string, object?> body)
    {
        var node = JsonSerializer.Serialize(body.Where(p => p.Value is not null).ToDictionary(p => p.Key, p => p.Value), JsonOptions);
        var sign = AlipaySignature.Sign(node, privateKey);
        var json = $"{{\"{method.Replace('.', '_')}_response\":{node},\"sign\":\"{sign}\"}}";
        return Results.Text(json, "application/json; charset=utf-8");
    }

    private IResult Error(string method, string code, string subCode, string subMessage) => Signed(method, new Dictionary<string, object?>
    {
        ["code"] = code,
        ["msg"] = code == "40002" ? "Invalid Arguments" : "Business Failed",
        ["sub_code"] = subCode,
        ["sub_msg"] = subMessage,
    });

    private static string Now() => DateTimeOffset.UtcNow.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    private static readonly JsonSerializerOptions JsonOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public override void Dispose()
    {
        privateKey.Dispose();
        merchantKey.Dispose();
        base.Dispose();
    }
}
