using TechMarket.Insights.Classification;

namespace TechMarket.Insights.Tests.Classification;

public sealed class TechFieldNamesTests
{
    [Fact]
    public void Chinese_names_are_the_eight_national_high_tech_fields_in_order()
    {
        string[] official = ["电子信息", "生物与新医药", "航空航天", "新材料", "高技术服务", "新能源与节能", "资源与环境", "先进制造与自动化"];

        Assert.Equal(official, Enum.GetValues<TechField>().Select(TechFieldNames.Chinese));
    }

    [Fact]
    public void Every_field_has_a_distinct_English_name()
    {
        var names = Enum.GetValues<TechField>().Select(TechFieldNames.English).ToList();

        Assert.Equal(names.Count, names.Distinct().Count());
        Assert.All(names, n => Assert.False(string.IsNullOrWhiteSpace(n)));
    }

    [Fact]
    public void Unknown_field_value_is_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => TechFieldNames.Chinese((TechField)42));
    }
}
