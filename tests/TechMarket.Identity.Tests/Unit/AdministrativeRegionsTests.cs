using TechMarket.Identity.Verification;

namespace TechMarket.Identity.Tests.Unit;

public class AdministrativeRegionsTests
{
    private static readonly int[] Provinces =
    [
        11, 12, 13, 14, 15,
        21, 22, 23,
        31, 32, 33, 34, 35, 36, 37,
        41, 42, 43, 44, 45, 46,
        50, 51, 52, 53, 54,
        61, 62, 63, 64, 65,
        71, 81, 82,
    ];

    public static TheoryData<int> ProvinceCodes => new(Provinces);

    [Theory]
    [MemberData(nameof(ProvinceCodes))]
    public void GB_T_2260_province_codes_are_known(int code) =>
        Assert.True(AdministrativeRegions.IsProvinceCode(code));

    [Fact]
    public void Every_other_two_digit_code_is_unknown()
    {
        var known = Provinces.ToHashSet();

        for (var code = 0; code <= 99; code++)
        {
            Assert.Equal(known.Contains(code), AdministrativeRegions.IsProvinceCode(code));
        }
    }

    [Theory]
    [InlineData("110105")]
    [InlineData("110000")] // province level itself: provincial registration offices use it
    [InlineData("350100")]
    [InlineData("659001")]
    [InlineData("820000")]
    public void Six_digits_with_a_province_prefix_are_a_valid_region_code(string code) =>
        Assert.True(AdministrativeRegions.IsValidRegionCode(code));

    [Theory]
    [InlineData("")]
    [InlineData("11010")]
    [InlineData("1101050")]
    [InlineData("990101")]
    [InlineData("100000")] // national code is not a province
    [InlineData("11A105")]
    [InlineData("11010 ")]
    [InlineData("１10105")]
    public void Other_region_codes_are_invalid(string code) =>
        Assert.False(AdministrativeRegions.IsValidRegionCode(code));

    [Theory]
    [InlineData("100000", true)]
    [InlineData("110000", false)]
    [InlineData("10000", false)]
    public void Only_100000_is_the_national_code(string code, bool expected) =>
        Assert.Equal(expected, AdministrativeRegions.IsNational(code));
}
