using System.Buffers;

namespace TechMarket.Identity.Verification;

/// <summary>Why a credit code was rejected; the first failing rule wins, in declaration order.</summary>
public enum CreditCodeError
{
    None,
    Empty,
    Length,
    Characters,
    RegistrationAuthority,
    OrganisationType,
    Region,
    OrganisationCodeCheck,
    CheckCharacter,
}

/// <summary>
/// 统一社会信用代码 (unified social credit code) of legal persons and other organisations, GB 32100-2015.
/// </summary>
/// <remarks>
/// Layout: 1 registration authority (登记管理部门代码), 2 organisation type (机构类别代码),
/// 3–8 region of the registering office (登记管理机关行政区划码, GB/T 2260), 9–17 subject identifier
/// (主体标识码, a GB 11714 organisation code with its own check character), 18 check character.
/// </remarks>
public static class UnifiedSocialCreditCode
{
    private const int Length = 18;

    private const int BodyLength = 17;

    // GB 32100-2015 代码字符集: digits and upper-case letters without I, O, S, V, Z (too easily confused
    // with 1, 0, 5, U, 2). A character's value is its index here.
    private const string Alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";

    private static readonly SearchValues<char> AlphabetValues = SearchValues.Create(Alphabet);

    // GB 32100-2015 校验码: Wi = 3^(i-1) mod 31 for positions i = 1..17.
    private static ReadOnlySpan<byte> Weights => [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

    /// <summary>Trims, removes inner white space and upper-cases ASCII letters. Returns the same instance when already clean.</summary>
    public static string Normalize(string value) => IdentifierText.Compact(value, IdentifierText.Casing.AllAsciiLetters);

    /// <summary>Validates <paramref name="value"/> (normalized first) against GB 32100-2015.</summary>
    public static CreditCodeError Validate(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return CreditCodeError.Empty;
        }

        ReadOnlySpan<char> code = Normalize(value);
        if (code.Length != Length)
        {
            return CreditCodeError.Length;
        }

        if (code.ContainsAnyExcept(AlphabetValues))
        {
            return CreditCodeError.Characters;
        }

        var allowedTypes = AllowedOrganisationTypes(code[0]);
        if (allowedTypes.IsEmpty)
        {
            return CreditCodeError.RegistrationAuthority;
        }

        if (!allowedTypes.Contains(code[1]))
        {
            return CreditCodeError.OrganisationType;
        }

        // Central authorities register under the national code 100000, which has no province prefix.
        var region = code.Slice(2, 6);
        if (!AdministrativeRegions.IsValidRegionCode(region) && !AdministrativeRegions.IsNational(region))
        {
            return CreditCodeError.Region;
        }

        // 主体标识码 is a GB 11714 organisation code; the alphabet check above already keeps its body within 0-9A-Z.
        if (OrganizationCode.ComputeCheckCharacter(code.Slice(8, 8)) != code[16])
        {
            return CreditCodeError.OrganisationCodeCheck;
        }

        return ComputeCheckCharacter(code[..BodyLength]) == code[BodyLength]
            ? CreditCodeError.None
            : CreditCodeError.CheckCharacter;
    }

    /// <summary>
    /// Computes the GB 32100-2015 check character: C18 = 31 − (Σ Ci·Wi mod 31), with 31 written as '0',
    /// mapped back through the code alphabet.
    /// </summary>
    /// <exception cref="ArgumentException">Not exactly 17 characters from the code alphabet.</exception>
    public static char ComputeCheckCharacter(ReadOnlySpan<char> first17)
    {
        if (first17.Length != BodyLength || first17.ContainsAnyExcept(AlphabetValues))
        {
            throw new ArgumentException("Expected exactly 17 characters from 0-9 and A-Y without I, O, S, V, Z.", nameof(first17));
        }

        var sum = 0;
        for (var i = 0; i < BodyLength; i++)
        {
            sum += Alphabet.IndexOf(first17[i], StringComparison.Ordinal) * Weights[i];
        }

        return Alphabet[(31 - (sum % 31)) % 31];
    }

    // 登记管理部门代码 → permitted 机构类别代码. GB 32100-2015 itself defines 1 机构编制, 5 民政, 9 工商 and Y 其他;
    // the other authorities were assigned later by the code administration (全国组织机构统一社会信用代码数据服务中心)
    // and appear on issued codes, so they are accepted too:
    //   1 机构编制   1 机关, 2 事业单位, 3 中央编办直接管理机构编制的群众团体, 9 其他
    //   2 外交       1 外国常驻新闻机构, 9 其他
    //   3 司法行政   1 律师执业机构, 2 公证处, 3 基层法律服务所, 4 司法鉴定机构, 5 仲裁委员会, 9 其他
    //   4 文化       1 外国在华文化中心, 9 其他
    //   5 民政       1 社会团体, 2 民办非企业单位, 3 基金会, 9 其他
    //   6 旅游       1 外国旅游部门常驻代表机构, 2 港澳台地区旅游部门常驻内地（大陆）代表机构, 9 其他
    //   7 宗教       1 宗教活动场所, 2 宗教院校, 9 其他
    //   8 工会       1 基层工会, 9 其他
    //   9 工商       1 企业, 2 个体工商户, 3 农民专业合作社 (no 9: the table has no "其他" row for 工商)
    //   A 中央军委改革和编制办公室  1 军队事业单位, 9 其他
    //   N 农业       1 组级, 2 村级, 3 乡镇级集体经济组织, 9 其他
    //   Y 其他       1 only (organisation types are not subdivided)
    // An empty span means the authority code itself is unknown.
    private static ReadOnlySpan<char> AllowedOrganisationTypes(char authority) => authority switch
    {
        '1' => "1239",
        '2' => "19",
        '3' => "123459",
        '4' => "19",
        '5' => "1239",
        '6' => "129",
        '7' => "129",
        '8' => "19",
        '9' => "123",
        'A' => "19",
        'N' => "1239",
        'Y' => "1",
        _ => [],
    };
}
