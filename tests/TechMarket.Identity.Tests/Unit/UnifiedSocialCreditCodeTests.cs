using TechMarket.Identity.Verification;

namespace TechMarket.Identity.Tests.Unit;

// Published codes were accepted only after both check characters (GB 11714 at position 17, MOD 31 at
// position 18) were recomputed independently of the code under test. Constructed codes that must fail one
// rule carry correct check characters, so they cannot fail for any other reason.
public class UnifiedSocialCreditCodeTests
{
    [Theory]
    [InlineData("91350100M000100Y43")] // GB 32100-2015 calculation example
    [InlineData("914403001922038216")]
    [InlineData("91110108551385082Q")]
    [InlineData("91110000802100433B")]
    [InlineData("91330100799655058B")]
    [InlineData("91330100716105852F")]
    [InlineData("91440300708461136T")]
    [InlineData("911100001000079554")]
    [InlineData("91110000100017643K")]
    [InlineData("91110000710935732K")]
    [InlineData("91110000717828315T")]
    [InlineData("9111000071093123XX")] // both check characters are X
    [InlineData("12100000400000624D")] // 事业单位 registered centrally under 100000
    [InlineData("11100000000019713D")] // 机关 registered centrally under 100000
    public void Published_codes_are_accepted(string value) =>
        Assert.Equal(CreditCodeError.None, UnifiedSocialCreditCode.Validate(value));

    [Theory]
    [InlineData("91350100m000100y43")]
    [InlineData("9111000071093123xx")]
    [InlineData("9111000071093123xX")]
    [InlineData("  91350100M000100Y43  ")]
    [InlineData("9135 0100 M000 100Y 43")]
    [InlineData("\u300091350100m000100y43\t")]
    public void Lower_case_and_white_space_are_normalized_before_validation(string value) =>
        Assert.Equal(CreditCodeError.None, UnifiedSocialCreditCode.Validate(value));

    [Theory]
    [InlineData("91110000000000801Y")] // MOD 31 value 30, the last alphabet character
    [InlineData("911100000000028070")] // 31 - 0 = 31 is written 0
    [InlineData("9111000000004680X0")] // GB 11714 value 10 (X) next to MOD 31 value 31 (0)
    [InlineData("91110000000000000E")] // organisation code 00000000 has GB 11714 value 11, written 0
    public void Check_character_edge_values_are_accepted(string value) =>
        Assert.Equal(CreditCodeError.None, UnifiedSocialCreditCode.Validate(value));

    [Theory]
    [InlineData("11110000MA01BCD709")]
    [InlineData("12110000MA01BCD706")]
    [InlineData("13110000MA01BCD703")]
    [InlineData("19110000MA01BCD70G")]
    [InlineData("21110000MA01BCD708")]
    [InlineData("29110000MA01BCD70F")]
    [InlineData("31110000MA01BCD707")]
    [InlineData("32110000MA01BCD704")]
    [InlineData("33110000MA01BCD701")]
    [InlineData("34110000MA01BCD70X")]
    [InlineData("35110000MA01BCD70T")]
    [InlineData("39110000MA01BCD70E")]
    [InlineData("41110000MA01BCD706")]
    [InlineData("49110000MA01BCD70D")]
    [InlineData("51110000MA01BCD705")]
    [InlineData("52110000MA01BCD702")]
    [InlineData("53110000MA01BCD70Y")]
    [InlineData("59110000MA01BCD70C")]
    [InlineData("61110000MA01BCD704")]
    [InlineData("62110000MA01BCD701")]
    [InlineData("69110000MA01BCD70B")]
    [InlineData("71110000MA01BCD703")]
    [InlineData("72110000MA01BCD700")]
    [InlineData("79110000MA01BCD70A")]
    [InlineData("81110000MA01BCD702")]
    [InlineData("89110000MA01BCD709")]
    [InlineData("91110000MA01BCD701")]
    [InlineData("92110000MA01BCD70X")]
    [InlineData("93110000MA01BCD70T")]
    [InlineData("A1110000MA01BCD700")]
    [InlineData("A9110000MA01BCD707")]
    [InlineData("N1110000MA01BCD70K")]
    [InlineData("N2110000MA01BCD70G")]
    [InlineData("N3110000MA01BCD70D")]
    [InlineData("N9110000MA01BCD70T")]
    [InlineData("Y1110000MA01BCD70B")]
    public void Every_authority_and_organisation_type_in_the_table_is_accepted(string value) =>
        Assert.Equal(CreditCodeError.None, UnifiedSocialCreditCode.Validate(value));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("\u3000\t")]
    public void Missing_code_is_empty(string? value) =>
        Assert.Equal(CreditCodeError.Empty, UnifiedSocialCreditCode.Validate(value));

    [Theory]
    [InlineData("9")]
    [InlineData("91350100M000100Y4")] // 17
    [InlineData("91350100M000100Y430")] // 19
    [InlineData("350100000100123")] // 15-digit business registration number (工商注册号) from before 2015
    [InlineData("M0001004-3")] // organisation code on its own
    public void Wrong_length_is_rejected(string value) =>
        Assert.Equal(CreditCodeError.Length, UnifiedSocialCreditCode.Validate(value));

    [Theory]
    [InlineData("91350100I000100Y43")]
    [InlineData("91350100O000100Y43")]
    [InlineData("91350100Z000100Y43")]
    [InlineData("91350100S000100Y43")]
    [InlineData("91350100V000100Y43")]
    [InlineData("91350100i000100Y43")] // forbidden even after upper-casing
    [InlineData("91350100M000100Y4O")] // forbidden as the check character too
    [InlineData("91350100M000100Y4Z")] // the standard's own "wrong check character" example
    public void Forbidden_letters_I_O_Z_S_V_are_rejected(string value) =>
        Assert.Equal(CreditCodeError.Characters, UnifiedSocialCreditCode.Validate(value));

    [Theory]
    [InlineData("91350100M000100-43")]
    [InlineData("91350100M000100Y4*")]
    [InlineData("９1350100M000100Y43")] // full-width digit nine
    [InlineData("91350100\u041C000100Y43")] // Cyrillic capital Em looks like M
    [InlineData("91350100\u0131000100Y43")] // dotless i must not be upper-cased into I
    public void Symbols_and_non_ASCII_characters_are_rejected(string value) =>
        Assert.Equal(CreditCodeError.Characters, UnifiedSocialCreditCode.Validate(value));

    [Theory]
    [InlineData("01350100M000100Y4C")]
    [InlineData("B1350100M000100Y41")]
    [InlineData("C1350100M000100Y40")]
    [InlineData("D1350100M000100Y4Y")]
    [InlineData("M1350100M000100Y4N")]
    [InlineData("P1350100M000100Y4L")]
    [InlineData("W1350100M000100Y4F")]
    [InlineData("X1350100M000100Y4E")]
    public void Unknown_registration_authority_is_rejected(string value) =>
        Assert.Equal(CreditCodeError.RegistrationAuthority, UnifiedSocialCreditCode.Validate(value));

    [Theory]
    [InlineData("94350100M000100Y4R")]
    [InlineData("99350100M000100Y4A")] // 工商 has no "9 其他" type
    [InlineData("90350100M000100Y46")]
    [InlineData("54350100M000100Y4X")]
    [InlineData("5A350100M000100Y4B")]
    [InlineData("14350100M000100Y42")]
    [InlineData("Y2350100M000100Y4A")] // 其他 uses type 1 only
    [InlineData("Y9350100M000100Y4L")]
    [InlineData("22350100M000100Y47")]
    [InlineData("82350100M000100Y41")]
    [InlineData("A2350100M000100Y4Y")]
    [InlineData("N4350100M000100Y4C")]
    [InlineData("36350100M000100Y4R")]
    [InlineData("63350100M000100Y40")]
    [InlineData("73350100M000100Y4Y")]
    [InlineData("4A350100M000100Y4C")]
    public void Organisation_type_not_listed_for_the_authority_is_rejected(string value) =>
        Assert.Equal(CreditCodeError.OrganisationType, UnifiedSocialCreditCode.Validate(value));

    [Theory]
    [InlineData("91990100M000100Y4U")]
    [InlineData("91000000M000100Y45")]
    [InlineData("91101000M000100Y48")] // starts like the national code but is not 100000
    [InlineData("91160100M000100Y4R")]
    [InlineData("91720000M000100Y4C")]
    [InlineData("91830000M000100Y47")]
    [InlineData("913A0100M000100Y4P")]
    [InlineData("9110000AM000100Y4C")]
    public void Region_without_a_province_prefix_is_rejected(string value) =>
        Assert.Equal(CreditCodeError.Region, UnifiedSocialCreditCode.Validate(value));

    [Theory]
    [InlineData("91350100M000100Y0N")]
    [InlineData("91350100M000100Y1R")]
    [InlineData("91350100M000100Y2W")]
    [InlineData("91350100M000100Y30")]
    [InlineData("91350100M000100YXG")]
    public void Wrong_organisation_code_check_character_is_rejected(string value) =>
        Assert.Equal(CreditCodeError.OrganisationCodeCheck, UnifiedSocialCreditCode.Validate(value));

    [Theory]
    [InlineData("91350100M000100Y40")]
    [InlineData("91350100M000100Y44")]
    [InlineData("91350100M000100Y4Y")]
    [InlineData("9111000071093123X0")]
    [InlineData("914403001922038217")]
    public void Wrong_check_character_is_rejected(string value) =>
        Assert.Equal(CreditCodeError.CheckCharacter, UnifiedSocialCreditCode.Validate(value));

    [Fact]
    public void Every_check_character_but_the_right_one_is_rejected()
    {
        const string first17 = "91350100M000100Y4";

        foreach (var check in "0123456789ABCDEFGHJKLMNPQRTUWXY")
        {
            var expected = check == '3' ? CreditCodeError.None : CreditCodeError.CheckCharacter;
            Assert.Equal(expected, UnifiedSocialCreditCode.Validate(first17 + check));
        }
    }

    [Theory]
    [InlineData("91350100M000100Y4", '3')]
    [InlineData("9111000071093123X", 'X')]
    [InlineData("91110108551385082", 'Q')]
    [InlineData("00000000000000000", '0')] // 31 - 0 = 31 is written 0
    [InlineData("91110000000000801", 'Y')]
    public void Check_character_is_computed_per_GB_32100_MOD_31(string first17, char expected) =>
        Assert.Equal(expected, UnifiedSocialCreditCode.ComputeCheckCharacter(first17));

    [Theory]
    [InlineData("")]
    [InlineData("91350100M000100Y")] // 16
    [InlineData("91350100M000100Y43")] // 18
    [InlineData("91350100M000100I4")] // I is outside the alphabet
    [InlineData("91350100m000100Y4")] // not normalized
    public void Computing_a_check_character_requires_17_alphabet_characters(string first17) =>
        Assert.Throws<ArgumentException>(() => UnifiedSocialCreditCode.ComputeCheckCharacter(first17));

    [Theory]
    [InlineData("M000100Y", '4')]
    [InlineData("19220382", '1')]
    [InlineData("55138508", '2')]
    [InlineData("71093123", 'X')] // 11 - 1 = 10 is written X
    [InlineData("00000000", '0')] // 11 - 0 = 11 is written 0
    [InlineData("MA01BCD7", '0')]
    [InlineData("ZZZZZZZZ", '3')] // GB 11714 values letters up to Z = 35, unlike the credit-code alphabet
    public void Organisation_code_check_character_is_computed_per_GB_11714(string first8, char expected) =>
        Assert.Equal(expected, OrganizationCode.ComputeCheckCharacter(first8));

    [Theory]
    [InlineData("")]
    [InlineData("M000100")]
    [InlineData("M000100Y4")]
    [InlineData("m000100Y")]
    [InlineData("M000-00Y")]
    public void Computing_an_organisation_code_check_requires_8_upper_case_alphanumerics(string first8) =>
        Assert.Throws<ArgumentException>(() => OrganizationCode.ComputeCheckCharacter(first8));

    [Theory]
    [InlineData("91350100M000100Y43", "91350100M000100Y43")]
    [InlineData("91350100m000100y43", "91350100M000100Y43")]
    [InlineData(" 9135 0100 m000 100y 43 ", "91350100M000100Y43")]
    [InlineData("\u300091350100m000100y43\u3000", "91350100M000100Y43")]
    [InlineData("91350100\u0131000100Y43", "91350100\u0131000100Y43")] // only ASCII letters are upper-cased
    [InlineData("", "")]
    public void Normalize_removes_white_space_and_upper_cases_ASCII_letters(string value, string expected) =>
        Assert.Equal(expected, UnifiedSocialCreditCode.Normalize(value));

    [Fact]
    public void Normalize_returns_the_same_instance_when_nothing_changes()
    {
        var value = "91350100M000100Y43";

        Assert.Same(value, UnifiedSocialCreditCode.Normalize(value));
    }
}
