namespace TechMarket.Web;

/// <summary>Marker for the shell's UI text in Resources/SharedStrings.resx (zh-CN) and .en.resx.</summary>
public sealed class SharedStrings;
