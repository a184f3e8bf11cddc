using TechMarket.Identity.Verification;

namespace TechMarket.Identity.Tests.Unit;

// Every number used as "valid" (or as failing one rule only) had its check character computed independently
// of the code under test; numbers that fail on region or birth date still carry a correct check character,
// so they can only fail for the reason the test names.
public class ResidentIdNumberTests
{
    private static readonly DateOnly Today = new(2025, 6, 1);

    [Theory]
    [InlineData("11010519491231002X")] // GB 11643-1999 worked example (北京市朝阳区, 1949-12-31)
    [InlineData("110105199003074472")]
    [InlineData("650102198512311239")]
    [InlineData("540102197006154568")]
    [InlineData("710000198001010010")] // 台湾
    [InlineData("810000198001010022")] // 香港
    [InlineData("820000198001010032")] // 澳门
    public void Valid_numbers_are_accepted(string value) =>
        Assert.Equal(ResidentIdError.None, ResidentIdNumber.Validate(value, Today));

    [Theory]
    [InlineData("11010519491231002X")]
    [InlineData("11010519491231002x")]
    public void Check_character_X_is_accepted_in_either_case(string value) =>
        Assert.Equal(ResidentIdError.None, ResidentIdNumber.Validate(value, Today));

    [Theory]
    [InlineData("  11010519491231002X  ")]
    [InlineData("110105 19491231 002X")]
    [InlineData("110105\t19491231\t002x")]
    [InlineData("\u3000110105\u300019491231\u3000002x\u3000")] // ideographic spaces from a Chinese IME
    public void White_space_anywhere_is_ignored(string value) =>
        Assert.Equal(ResidentIdError.None, ResidentIdNumber.Validate(value, Today));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("\t\r\n")]
    [InlineData("\u3000")]
    public void Missing_number_is_empty(string? value) =>
        Assert.Equal(ResidentIdError.Empty, ResidentIdNumber.Validate(value, Today));

    [Theory]
    [InlineData("1")]
    [InlineData("11010519491231002")] // 17: check character missing
    [InlineData("11010519491231002X0")] // 19
    [InlineData("110105491231002")] // 15-digit first-generation number
    [InlineData("11010519491231002XX")]
    public void Wrong_length_is_rejected(string value) =>
        Assert.Equal(ResidentIdError.Length, ResidentIdNumber.Validate(value, Today));

    [Theory]
    [InlineData("A1010519491231002X")]
    [InlineData("1101051949123100AX")] // letter in the sequence number
    [InlineData("110105194912310X2X")] // X is only allowed as the check character
    [InlineData("110105194912310x2X")] // only a trailing x is upper-cased
    [InlineData("11010519491231002Y")]
    [InlineData("11010519491231002*")]
    [InlineData("110105-9491231002X")]
    [InlineData("１10105194912310021")] // full-width digit one
    [InlineData("\u0661\u0661010519491231002X")] // Arabic-Indic digits pass char.IsDigit but are not ASCII
    public void Letters_or_symbols_in_the_body_are_rejected(string value) =>
        Assert.Equal(ResidentIdError.Characters, ResidentIdNumber.Validate(value, Today));

    [Theory]
    [InlineData("990101199001010019")]
    [InlineData("00010119900101001X")]
    [InlineData("100101199001010013")]
    [InlineData("160101199001010014")]
    [InlineData("240101199001010014")]
    [InlineData("380101199001010015")]
    [InlineData("470101199001010017")]
    [InlineData("550101199001010017")]
    [InlineData("660101199001010012")]
    [InlineData("720101199001010019")]
    [InlineData("830101199001010014")]
    [InlineData("900101199001010012")]
    public void Unknown_province_prefix_is_rejected(string value) =>
        Assert.Equal(ResidentIdError.Region, ResidentIdNumber.Validate(value, Today));

    [Theory]
    [InlineData("11010519900230001X")] // 30 February
    [InlineData("110105199902290013")] // 29 February in a common year
    [InlineData("110105190002290017")] // 1900 is not a leap year
    [InlineData("110105199013010018")] // month 13
    [InlineData("110105199000010019")] // month 00
    [InlineData("110105199001000015")] // day 00
    [InlineData("110105199001320019")] // day 32
    [InlineData("11010500000101001X")] // year 0000
    public void Impossible_birth_date_is_rejected(string value) =>
        Assert.Equal(ResidentIdError.BirthDate, ResidentIdNumber.Validate(value, Today));

    [Theory]
    [InlineData("110105202506020016")] // the day after Today
    [InlineData("110105210001010015")]
    public void Birth_date_after_today_is_rejected(string value) =>
        Assert.Equal(ResidentIdError.BirthDate, ResidentIdNumber.Validate(value, Today));

    [Fact]
    public void Birth_date_is_compared_with_the_today_argument_not_the_clock()
    {
        const string bornOn20250602 = "110105202506020016";

        Assert.Equal(ResidentIdError.BirthDate, ResidentIdNumber.Validate(bornOn20250602, new DateOnly(2025, 6, 1)));
        Assert.Equal(ResidentIdError.None, ResidentIdNumber.Validate(bornOn20250602, new DateOnly(2025, 6, 2)));
    }

    [Theory]
    [InlineData("110105189912310015")]
    [InlineData("440524188001010014")] // GB 11643-1999 example (汕头市潮阳县, 1880): right check character, below our 1900 floor
    public void Birth_date_before_1900_is_rejected(string value) =>
        Assert.Equal(ResidentIdError.BirthDate, ResidentIdNumber.Validate(value, Today));

    [Theory]
    [InlineData("110101190001010014")] // first accepted day
    [InlineData("110105190002280011")]
    [InlineData("110101200002290018")] // 2000 is a leap year (divisible by 400)
    [InlineData("110101202506010015")] // born today
    public void Boundary_birth_dates_are_accepted(string value) =>
        Assert.Equal(ResidentIdError.None, ResidentIdNumber.Validate(value, Today));

    [Theory]
    [InlineData("110105194912310021")]
    [InlineData("110105194912310020")]
    [InlineData("110105199003074473")]
    [InlineData("11010519900307447X")]
    public void Wrong_check_character_is_rejected(string value) =>
        Assert.Equal(ResidentIdError.CheckCharacter, ResidentIdNumber.Validate(value, Today));

    [Fact]
    public void Every_check_character_but_the_right_one_is_rejected()
    {
        const string body = "11010519491231002";

        foreach (var check in "0123456789")
        {
            Assert.Equal(ResidentIdError.CheckCharacter, ResidentIdNumber.Validate(body + check, Today));
        }
    }

    [Theory]
    [InlineData("110105199003074742")] // 110105199003074472 with 47 -> 74 in the sequence number
    [InlineData("110105199003074427")] // ... with the check character swapped with its neighbour
    public void Transposed_adjacent_characters_are_caught_by_the_check_character(string value) =>
        Assert.Equal(ResidentIdError.CheckCharacter, ResidentIdNumber.Validate(value, Today));

    [Theory]
    [InlineData("44030419881111006", '0')]
    [InlineData("44030419881111000", '1')]
    [InlineData("44030419881111005", '2')]
    [InlineData("44030419881111018", '3')]
    [InlineData("44030419881111004", '4')]
    [InlineData("44030419881111009", '5')]
    [InlineData("44030419881111003", '6')]
    [InlineData("44030419881111008", '7')]
    [InlineData("44030419881111002", '8')]
    [InlineData("44030419881111007", '9')]
    [InlineData("44030419881111001", 'X')]
    [InlineData("11010519491231002", 'X')]
    [InlineData("00000000000000000", '1')] // weighted sum 0 -> (12 - 0) mod 11 = 1
    public void Check_character_is_computed_per_ISO_7064_MOD_11_2(string first17, char expected) =>
        Assert.Equal(expected, ResidentIdNumber.ComputeCheckCharacter(first17));

    [Theory]
    [InlineData("")]
    [InlineData("1101051949123100")] // 16
    [InlineData("11010519491231002X")] // 18
    [InlineData("1101051949123100A")]
    public void Computing_a_check_character_requires_17_digits(string first17) =>
        Assert.Throws<ArgumentException>(() => ResidentIdNumber.ComputeCheckCharacter(first17));

    [Theory]
    [InlineData("11010519491231002X", "11010519491231002X")]
    [InlineData("11010519491231002x", "11010519491231002X")]
    [InlineData("  11010519491231002x ", "11010519491231002X")]
    [InlineData("110105 1949 1231 002X", "11010519491231002X")]
    [InlineData("\u3000110105194912310021\u3000", "110105194912310021")]
    [InlineData("x", "X")]
    [InlineData("1101051949123100x2", "1101051949123100x2")] // only a trailing x is upper-cased
    [InlineData("   ", "")]
    public void Normalize_removes_white_space_and_upper_cases_a_trailing_x(string value, string expected) =>
        Assert.Equal(expected, ResidentIdNumber.Normalize(value));

    [Fact]
    public void Normalize_returns_the_same_instance_when_nothing_changes()
    {
        var value = "11010519491231002X";

        Assert.Same(value, ResidentIdNumber.Normalize(value));
    }

    [Fact]
    public void Normalize_handles_input_longer_than_the_stack_buffer()
    {
        var value = new string(' ', 100) + "11010519491231002x" + new string(' ', 100);

        Assert.Equal("11010519491231002X", ResidentIdNumber.Normalize(value));
    }

    [Fact]
    public void Normalize_rejects_null() =>
        Assert.Throws<ArgumentNullException>(() => ResidentIdNumber.Normalize(null!));

    [Theory]
    [InlineData("110105194912310021", "110105********0021")]
    [InlineData("11010519491231002X", "110105********002X")]
    public void Mask_keeps_region_and_last_four_and_hides_the_birth_date(string value, string expected) =>
        Assert.Equal(expected, ResidentIdNumber.Mask(value));

    [Theory]
    [InlineData("110105491231002", "*************02")]
    [InlineData("11010519491231002", "***************02")]
    [InlineData("11010519491231002X0", "*****************X0")]
    [InlineData("123", "*23")]
    public void Mask_of_other_lengths_keeps_only_the_last_two(string value, string expected) =>
        Assert.Equal(expected, ResidentIdNumber.Mask(value));

    [Theory]
    [InlineData("", "")]
    [InlineData("1", "*")]
    [InlineData("12", "**")]
    public void Mask_of_two_characters_or_fewer_hides_everything(string value, string expected) =>
        Assert.Equal(expected, ResidentIdNumber.Mask(value));

    [Theory]
    [InlineData("11010519491231002X", 1949, 12, 31)]
    [InlineData("110101200002290018", 2000, 2, 29)]
    [InlineData("440524188001010014", 1880, 1, 1)] // no range check here: that is Validate's job
    [InlineData("110105210001010015", 2100, 1, 1)]
    public void Birth_date_is_read_from_positions_7_to_14(string value, int year, int month, int day) =>
        Assert.Equal(new DateOnly(year, month, day), ResidentIdNumber.BirthDate(value));

    [Theory]
    [InlineData("11010519900230001X")]
    [InlineData("110105199013010018")]
    [InlineData("11010500000101001X")]
    [InlineData("1101051990AB01001X")]
    [InlineData("11010519491231002")]
    [InlineData("")]
    public void Birth_date_is_null_when_not_a_calendar_date_or_wrong_length(string value) =>
        Assert.Null(ResidentIdNumber.BirthDate(value));
}
