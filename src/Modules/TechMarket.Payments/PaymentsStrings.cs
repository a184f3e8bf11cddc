namespace TechMarket.Payments;

/// <summary>Marker for the module's UI text in Resources/PaymentsStrings.resx (zh-CN) and .en.resx.</summary>
public sealed class PaymentsStrings;
