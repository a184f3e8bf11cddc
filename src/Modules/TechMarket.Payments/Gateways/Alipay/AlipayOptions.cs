namespace TechMarket.Payments.Gateways.Alipay;

public sealed class AlipayOptions
{
    public const string Section = "Payments:Alipay";

    public string AppId { get; set; } = "";

    /// <summary>The merchant's RSA private key (PEM or Base64 PKCS#8/PKCS#1). Never logged.</summary>
    public string PrivateKey { get; set; } = "";

    /// <summary>The platform's RSA public key (PEM or Base64) used to verify notifications and responses.</summary>
    public string PlatformPublicKey { get; set; } = "";

    /// <summary>e.g. https://openapi.alipay.com/gateway.do, or the sandbox bank's /gateway.do.</summary>
    public string GatewayUrl { get; set; } = "";
}
