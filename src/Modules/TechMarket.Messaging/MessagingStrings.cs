namespace TechMarket.Messaging;

/// <summary>Marker for the module's UI and notification text in Resources/MessagingStrings.resx (zh-CN) and .en.resx.</summary>
public sealed class MessagingStrings;
