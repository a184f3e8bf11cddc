namespace TechMarket.Insights.Classification;

/// <summary>How far a technology has come (技术成熟度), as the publisher states it on the listing form.</summary>
public enum TechMaturity
{
    Research,
    Prototype,
    SmallScaleTrial,
    PilotTrial,
    MassProduction,
}

/// <summary>How a technology changes hands (交易方式).</summary>
public enum TransactionMode
{
    Transfer,
    ExclusiveLicense,
    SoleLicense,
    OrdinaryLicense,
    Equity,
    CoDevelopment,
}

/// <summary>
/// Price bands in CNY, lower bound inclusive: [0, 10万), [10万, 50万), [50万, 200万), [200万, 1000万), [1000万, ∞);
/// no price means 面议 (negotiable).
/// </summary>
public enum PriceBracket
{
    Negotiable,
    Below100K,
    From100KTo500K,
    From500KTo2M,
    From2MTo10M,
    From10MUp,
}

/// <summary>The attribute tags P1 stores with a listing or demand next to its field.</summary>
public sealed record AttributeTags(IReadOnlyList<string> Keywords, string? Maturity, IReadOnlyList<string> TransactionModes, string PriceBand);
