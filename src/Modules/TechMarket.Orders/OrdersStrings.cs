namespace TechMarket.Orders;

/// <summary>Marker for the module's UI text in Resources/OrdersStrings.resx (zh-CN) and .en.resx.</summary>
public sealed class OrdersStrings;
