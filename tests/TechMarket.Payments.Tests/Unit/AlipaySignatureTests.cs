using System.Security.Cryptography;
using TechMarket.Payments.Gateways.Alipay;

namespace TechMarket.Payments.Tests.Unit;

public sealed class AlipaySignatureTests
{
    private static readonly RSA Key = RSA.Create(2048);

    [Fact]
    public void Canonical_string_sorts_by_name_and_leaves_out_sign_and_empty_values()
    {
        var parameters = new Dictionary<string, string>
        {
            ["timestamp"] = "2026-11-23 14:00:00",
            ["app_id"] = "2021000000000000",
            ["sign"] = "abc",
            ["sign_type"] = "RSA2",
            ["biz_content"] = "{\"out_trade_no\":\"A1\"}",
            ["notify_url"] = "",
            ["method"] = "alipay.trade.page.pay",
        };

        var request = AlipaySignature.Canonical(parameters, AlipaySignature.RequestExclusions);
        var notification = AlipaySignature.Canonical(parameters, AlipaySignature.NotificationExclusions);

        Assert.Equal("app_id=2021000000000000&biz_content={\"out_trade_no\":\"A1\"}&method=alipay.trade.page.pay&sign_type=RSA2&timestamp=2026-11-23 14:00:00", request);
        Assert.Equal("app_id=2021000000000000&biz_content={\"out_trade_no\":\"A1\"}&method=alipay.trade.page.pay&timestamp=2026-11-23 14:00:00", notification);
    }

    [Fact]
    public void Canonical_order_is_ordinal_so_uppercase_sorts_before_lowercase()
    {
        var text = AlipaySignature.Canonical(new Dictionary<string, string> { ["b"] = "2", ["B"] = "1", ["a_b"] = "3", ["a"] = "0" }, []);

        Assert.Equal("B=1&a=0&a_b=3&b=2", text);
    }

    [Fact]
    public void Signature_round_trips_with_a_locally_generated_key_pair()
    {
        using var publicOnly = AlipaySignature.LoadPublicKey(Key.ExportSubjectPublicKeyInfoPem());
        var parameters = new Dictionary<string, string> { ["out_trade_no"] = "T-1", ["total_amount"] = "88.88", ["subject"] = "技术转让 定金" };
        parameters["sign"] = AlipaySignature.SignParameters(parameters, Key);

        Assert.True(AlipaySignature.VerifyParameters(parameters, publicOnly, AlipaySignature.RequestExclusions));
    }

    [Theory]
    [InlineData("total_amount", "88.87")]
    [InlineData("out_trade_no", "T-2")]
    [InlineData("subject", "技术转让 尾款")]
    public void Tampered_parameter_fails_verification(string name, string value)
    {
        var parameters = new Dictionary<string, string> { ["out_trade_no"] = "T-1", ["total_amount"] = "88.88", ["subject"] = "技术转让 定金" };
        parameters["sign"] = AlipaySignature.SignParameters(parameters, Key);
        parameters[name] = value;

        Assert.False(AlipaySignature.VerifyParameters(parameters, Key, AlipaySignature.RequestExclusions));
    }

    [Fact]
    public void Signature_from_another_key_or_garbage_fails()
    {
        using var other = RSA.Create(2048);
        var parameters = new Dictionary<string, string> { ["out_trade_no"] = "T-1" };
        parameters["sign"] = AlipaySignature.SignParameters(parameters, other);

        Assert.False(AlipaySignature.VerifyParameters(parameters, Key, AlipaySignature.RequestExclusions));
        Assert.False(AlipaySignature.Verify("out_trade_no=T-1", "not base64!", Key));
        Assert.False(AlipaySignature.Verify("out_trade_no=T-1", null, Key));
    }

    [Fact]
    public void Keys_load_from_PEM_or_bare_Base64_PKCS8_PKCS1_and_X509()
    {
        var pkcs8 = Convert.ToBase64String(Key.ExportPkcs8PrivateKey());
        var pkcs1 = Convert.ToBase64String(Key.ExportRSAPrivateKey());
        var x509 = Convert.ToBase64String(Key.ExportSubjectPublicKeyInfo());
        var signature = AlipaySignature.Sign("a=1", AlipaySignature.LoadPrivateKey(pkcs8));

        Assert.Equal(signature, AlipaySignature.Sign("a=1", AlipaySignature.LoadPrivateKey(pkcs1)));
        Assert.Equal(signature, AlipaySignature.Sign("a=1", AlipaySignature.LoadPrivateKey(Key.ExportRSAPrivateKeyPem())));
        Assert.True(AlipaySignature.Verify("a=1", signature, AlipaySignature.LoadPublicKey(x509)));
        Assert.True(AlipaySignature.Verify("a=1", signature, AlipaySignature.LoadPublicKey(Key.ExportRSAPublicKeyPem())));
    }

    [Fact]
    public void Notification_body_is_url_decoded_before_verification()
    {
        var values = new Dictionary<string, string>
        {
            ["out_trade_no"] = "T-9",
            ["subject"] = "技术 转让+许可",
            ["gmt_payment"] = "2026-11-23 14:00:00",
            ["total_amount"] = "0.01",
        };
        var sign = AlipaySignature.Sign(AlipaySignature.Canonical(values, AlipaySignature.NotificationExclusions), Key);
        var body = AlipaySignature.FormEncode(values.Append(new("sign", sign)).Append(new("sign_type", "RSA2")))
            .Replace("%20", "+", StringComparison.Ordinal);

        var parsed = AlipaySignature.ParseForm(body);

        Assert.Equal("技术 转让+许可", parsed["subject"]);
        Assert.Equal("2026-11-23 14:00:00", parsed["gmt_payment"]);
        Assert.True(AlipaySignature.VerifyParameters(parsed, Key, AlipaySignature.NotificationExclusions));
    }

    [Fact]
    public void Repeated_parameter_in_a_notification_is_malformed()
    {
        Assert.Throws<FormatException>(() => AlipaySignature.ParseForm("total_amount=1.00&total_amount=100.00"));
    }

    [Theory]
    [InlineData("0.01", true, 0.01)]
    [InlineData("88.8", true, 88.8)]
    [InlineData("100", true, 100)]
    [InlineData("1.001", false, 0)]
    [InlineData("-1.00", false, 0)]
    [InlineData("1e3", false, 0)]
    [InlineData(".5", false, 0)]
    [InlineData("1.", false, 0)]
    [InlineData("", false, 0)]
    public void Yuan_amounts_are_parsed_strictly(string text, bool ok, double expected)
    {
        Assert.Equal(ok, AlipaySignature.TryParseYuan(text, out var amount));
        Assert.Equal((decimal)expected, amount);
    }

    [Fact]
    public void Yuan_is_written_with_two_decimals_in_any_culture()
    {
        var previous = System.Globalization.CultureInfo.CurrentCulture;
        System.Globalization.CultureInfo.CurrentCulture = new System.Globalization.CultureInfo("de-DE");
        try
        {
            Assert.Equal("1234.50", AlipaySignature.Yuan(1234.5m));
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentCulture = previous;
        }
    }
}
