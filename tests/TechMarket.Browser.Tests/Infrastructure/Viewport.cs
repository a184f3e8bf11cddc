namespace TechMarket.Browser.Tests.Infrastructure;

/// <summary>The two screens every page must work on.</summary>
public enum Viewport
{
    /// <summary>A laptop: 1280×800, mouse.</summary>
    Desktop,

    /// <summary>A small phone: 360×800 CSS pixels, touch, device pixel ratio 2.</summary>
    Phone,
}
