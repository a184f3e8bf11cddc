namespace TechMarket.Listings.Domain;

public enum ListingType
{
    Patent,
    SoftwareCopyright,
    KnowHow,
    TechnicalService,
    Other,
}

/// <summary>How a technology changes hands; a listing may offer several.</summary>
public enum TransactionMode
{
    Transfer,
    ExclusiveLicense,
    SoleLicense,
    OrdinaryLicense,
    Equity,
    CoDevelopment,
}

public enum PricingKind
{
    Fixed,
    Negotiable,
}

public enum MaturityStage
{
    Lab,
    Pilot,
    SmallBatch,
    MassProduction,
}

public enum PatentStatus
{
    Pending,
    Granted,
    Lapsed,
}

/// <summary>
/// The eight national key high-tech fields. Member names match the Insights classifier's TechField and are
/// stored as text, so the classifier's enum maps by name.
/// </summary>
public enum TechField
{
    ElectronicInformation,
    BioMedicine,
    Aerospace,
    NewMaterials,
    HighTechServices,
    NewEnergy,
    ResourcesEnvironment,
    AdvancedManufacturing,
}

public enum PublicationStatus
{
    Draft,
    Submitted,
    Published,
    Rejected,
    Closed,
}

public enum ContactPreference
{
    Platform,
    Phone,
    Email,
}

public enum InstitutionKind
{
    University,
    ResearchInstitute,
    Enterprise,
}

/// <summary>Price bands used for facets (CNY, lower bound inclusive).</summary>
public enum PriceBand
{
    Negotiable,
    Below100K,
    From100KTo500K,
    From500KTo2M,
    From2MTo10M,
    From10MUp,
}

public static class PriceBands
{
    public static PriceBand Of(decimal? price) => price switch
    {
        null => PriceBand.Negotiable,
        < 100_000m => PriceBand.Below100K,
        < 500_000m => PriceBand.From100KTo500K,
        < 2_000_000m => PriceBand.From500KTo2M,
        < 10_000_000m => PriceBand.From2MTo10M,
        _ => PriceBand.From10MUp,
    };
}

public static class TechFields
{
    public static string Chinese(TechField field) => field switch
    {
        TechField.ElectronicInformation => "电子信息",
        TechField.BioMedicine => "生物与新医药",
        TechField.Aerospace => "航空航天",
        TechField.NewMaterials => "新材料",
        TechField.HighTechServices => "高技术服务",
        TechField.NewEnergy => "新能源与节能",
        TechField.ResourcesEnvironment => "资源与环境",
        _ => "先进制造与自动化",
    };
}
