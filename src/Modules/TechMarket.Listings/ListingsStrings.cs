namespace TechMarket.Listings;

/// <summary>Marker for the module's UI text in Resources/ListingsStrings.resx (zh-CN) and .en.resx.</summary>
public sealed class ListingsStrings;
