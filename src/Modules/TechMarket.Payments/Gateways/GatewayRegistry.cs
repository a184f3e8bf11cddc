namespace TechMarket.Payments.Gateways;

/// <summary>The configured gateways by name; the checkout page lists them.</summary>
internal sealed class GatewayRegistry(IEnumerable<IPaymentGateway> gateways)
{
    private readonly Dictionary<string, IPaymentGateway> byName = gateways.ToDictionary(g => g.Name, StringComparer.OrdinalIgnoreCase);

    public IReadOnlyCollection<string> Names => byName.Keys;

    public IPaymentGateway? Find(string name) => byName.GetValueOrDefault(name);
}
