namespace TechMarket.Insights.Classification;

/// <summary>
/// The eight national key high-tech fields (国家重点支持的高新技术领域). The member names are the
/// stable codes stored with listings and used as labels in the training data; never rename them.
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

/// <summary>Display names of <see cref="TechField"/> in Chinese and English.</summary>
public static class TechFieldNames
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
        TechField.AdvancedManufacturing => "先进制造与自动化",
        _ => throw new ArgumentOutOfRangeException(nameof(field), field, "Unknown technology field."),
    };

    public static string English(TechField field) => field switch
    {
        TechField.ElectronicInformation => "Electronic information",
        TechField.BioMedicine => "Biotechnology and new medicine",
        TechField.Aerospace => "Aerospace",
        TechField.NewMaterials => "New materials",
        TechField.HighTechServices => "High-tech services",
        TechField.NewEnergy => "New energy and energy saving",
        TechField.ResourcesEnvironment => "Resources and environment",
        TechField.AdvancedManufacturing => "Advanced manufacturing and automation",
        _ => throw new ArgumentOutOfRangeException(nameof(field), field, "Unknown technology field."),
    };
}
