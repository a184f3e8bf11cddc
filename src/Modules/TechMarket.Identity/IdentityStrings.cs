namespace TechMarket.Identity;

/// <summary>Marker for the module's UI text in Resources/IdentityStrings.resx (zh-CN) and .en.resx.</summary>
public sealed class IdentityStrings;
