using System.Globalization;
using System.Net.Http;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace TechMarket.Payments.Gateways.Alipay;

/// <summary>
/// The Alipay open-platform protocol for web payments: <c>alipay.trade.page.pay</c> (redirect), asynchronous
/// notifications, <c>alipay.trade.query</c>, <c>alipay.trade.refund</c> and the bill download URL query.
/// Talks to the real platform or to the sandbox bank, which speaks the same protocol.
/// </summary>
internal sealed class AlipayGateway : IPaymentGateway, IDisposable
{
    public const string HttpClientName = "alipay";

    private readonly AlipayOptions options;
    private readonly RSA privateKey;
    private readonly RSA platformKey;
    private readonly IHttpClientFactory http;
    private readonly TimeProvider clock;
    private readonly ILogger<AlipayGateway> logger;

    public AlipayGateway(AlipayOptions options, IHttpClientFactory http, TimeProvider clock, ILogger<AlipayGateway> logger)
    {
        this.options = options;
        this.http = http;
        this.clock = clock;
        this.logger = logger;
        privateKey = AlipaySignature.LoadPrivateKey(options.PrivateKey);
        platformKey = AlipaySignature.LoadPublicKey(options.PlatformPublicKey);
    }

    public string Name => "alipay";

    public string AcknowledgeText => "success";

    public GatewayRedirect CreatePayment(GatewayPaymentRequest request)
    {
        var biz = JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["out_trade_no"] = request.Reference,
            ["product_code"] = "FAST_INSTANT_TRADE_PAY",
            ["total_amount"] = AlipaySignature.Yuan(request.Amount),
            ["subject"] = request.Subject,
        }, JsonOptions);
        var parameters = Common("alipay.trade.page.pay", biz);
        parameters["notify_url"] = request.NotifyUrl;
        parameters["return_url"] = request.ReturnUrl;
        parameters["sign"] = AlipaySignature.SignParameters(parameters, privateKey);
        return new GatewayRedirect($"{options.GatewayUrl}?{AlipaySignature.FormEncode(parameters)}");
    }

    public GatewayNotification ParseNotification(IReadOnlyDictionary<string, string> parameters)
    {
        if (!AlipaySignature.VerifyParameters(parameters, platformKey, AlipaySignature.NotificationExclusions))
        {
            return Rejected(NotificationProblem.BadSignature, parameters, "signature does not verify with the platform public key");
        }

        if (!string.Equals(parameters.GetValueOrDefault("app_id"), options.AppId, StringComparison.Ordinal))
        {
            return Rejected(NotificationProblem.WrongApp, parameters, $"app_id '{parameters.GetValueOrDefault("app_id")}' is not ours");
        }

        var reference = parameters.GetValueOrDefault("out_trade_no");
        var tradeNo = parameters.GetValueOrDefault("trade_no");
        // The synchronous return carries no trade_status: it only says the payer came back, never that money moved.
        var state = parameters.TryGetValue("trade_status", out var status) ? ToState(status) : TradeState.Unknown;
        if (string.IsNullOrEmpty(reference) || (state == TradeState.Paid && string.IsNullOrEmpty(tradeNo))
            || !AlipaySignature.TryParseYuan(parameters.GetValueOrDefault("total_amount"), out var amount))
        {
            return Rejected(NotificationProblem.Malformed, parameters, "out_trade_no, trade_no or total_amount missing or malformed");
        }

        return new GatewayNotification(NotificationProblem.None, reference, string.IsNullOrEmpty(tradeNo) ? null : tradeNo, amount, state, null);
    }

    public async Task<GatewayTradeStatus> QueryAsync(string reference, CancellationToken cancellationToken = default)
    {
        var response = await CallAsync("alipay.trade.query", new Dictionary<string, string> { ["out_trade_no"] = reference }, cancellationToken);
        if (response is null || Text(response.Value, "code") != "10000")
        {
            return new GatewayTradeStatus(reference, TradeState.Unknown, null, null);
        }

        var node = response.Value;
        return new GatewayTradeStatus(reference, ToState(Text(node, "trade_status")), Text(node, "trade_no"),
            AlipaySignature.TryParseYuan(Text(node, "total_amount"), out var amount) ? amount : null);
    }

    public async Task<GatewayRefundResult> RefundAsync(string reference, decimal amount, string refundRequestNo, string reason, CancellationToken cancellationToken = default)
    {
        var response = await CallAsync("alipay.trade.refund", new Dictionary<string, string>
        {
            ["out_trade_no"] = reference,
            ["refund_amount"] = AlipaySignature.Yuan(amount),
            ["out_request_no"] = refundRequestNo,
            ["refund_reason"] = reason,
        }, cancellationToken);
        if (response is null)
        {
            return new GatewayRefundResult(false, 0, "no valid response from the provider");
        }

        var node = response.Value;
        if (Text(node, "code") != "10000")
        {
            return new GatewayRefundResult(false, 0, $"{Text(node, "sub_code")} {Text(node, "sub_msg")}".Trim());
        }

        return AlipaySignature.TryParseYuan(Text(node, "refund_fee"), out var total)
            ? new GatewayRefundResult(true, total, null)
            : new GatewayRefundResult(false, 0, "refund_fee missing in the provider's answer");
    }

    public async Task<IReadOnlyList<StatementLine>> GetStatementAsync(DateOnly day, CancellationToken cancellationToken = default)
    {
        var response = await CallAsync("alipay.data.dataservice.bill.downloadurl.query", new Dictionary<string, string>
        {
            ["bill_type"] = "trade",
            ["bill_date"] = day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        }, cancellationToken);
        var url = response is { } node && Text(node, "code") == "10000" ? Text(node, "bill_download_url") : null;
        if (url is null)
        {
            throw new InvalidOperationException($"The provider gave no statement for {day:yyyy-MM-dd}.");
        }

        using var client = http.CreateClient(HttpClientName);
        var csv = await client.GetStringAsync(new Uri(url), cancellationToken);
        return StatementCsv.Parse(csv);
    }

    public void Dispose()
    {
        privateKey.Dispose();
        platformKey.Dispose();
    }

    private static readonly JsonSerializerOptions JsonOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private Dictionary<string, string> Common(string method, string bizContent) => new(StringComparer.Ordinal)
    {
        ["app_id"] = options.AppId,
        ["method"] = method,
        ["format"] = "JSON",
        ["charset"] = "utf-8",
        ["sign_type"] = "RSA2",
        ["timestamp"] = TimeZoneInfo.ConvertTime(clock.GetUtcNow(), ChinaTime).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
        ["version"] = "1.0",
        ["biz_content"] = bizContent,
    };

    /// <summary>Posts a signed API request and returns the <c>…_response</c> node once its signature verifies.</summary>
    private async Task<JsonElement?> CallAsync(string method, Dictionary<string, string> biz, CancellationToken cancellationToken)
    {
        var parameters = Common(method, JsonSerializer.Serialize(biz, JsonOptions));
        parameters["sign"] = AlipaySignature.SignParameters(parameters, privateKey);
        using var client = http.CreateClient(HttpClientName);
        using var content = new StringContent(AlipaySignature.FormEncode(parameters), Encoding.UTF8, "application/x-www-form-urlencoded");
        using var response = await client.PostAsync(new Uri($"{options.GatewayUrl}?charset=utf-8"), content, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        try
        {
            using var document = JsonDocument.Parse(body);
            var name = method.Replace('.', '_') + "_response";
            if (!document.RootElement.TryGetProperty(name, out var node))
            {
                logger.LogWarning("Provider answered {Method} without {Node}", method, name);
                return null;
            }

            // Alipay signs the raw JSON text of the response node, exactly as sent.
            var signature = document.RootElement.TryGetProperty("sign", out var s) ? s.GetString() : null;
            if (!AlipaySignature.Verify(node.GetRawText(), signature, platformKey))
            {
                logger.LogWarning("Provider response to {Method} has a bad signature; ignored", method);
                return null;
            }

            return node.Clone();
        }
        catch (JsonException)
        {
            logger.LogWarning("Provider answered {Method} with {Status} and a body that is not JSON", method, (int)response.StatusCode);
            return null;
        }
    }

    private static string? Text(JsonElement node, string name) =>
        node.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static TradeState ToState(string? status) => status switch
    {
        "TRADE_SUCCESS" or "TRADE_FINISHED" => TradeState.Paid,
        "WAIT_BUYER_PAY" => TradeState.WaitingForPayer,
        "TRADE_CLOSED" => TradeState.Closed,
        _ => TradeState.Unknown,
    };

    private static GatewayNotification Rejected(NotificationProblem problem, IReadOnlyDictionary<string, string> parameters, string detail) =>
        new(problem, parameters.GetValueOrDefault("out_trade_no"), parameters.GetValueOrDefault("trade_no"), null, TradeState.Unknown, detail);

    private static readonly TimeZoneInfo ChinaTime = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");
}
