using TechMarket.Insights.Classification;

namespace TechMarket.Insights.Tests.Classification;

public sealed class AttributeTaggerTests
{
    private const string BatteryTitle = "钠离子电池正极材料及其制备方法";
    private const string BatteryText =
        "本发明公开了一种钠离子电池正极材料及其制备方法。本发明所述的钠离子电池正极材料为层状氧化物，" +
        "采用共沉淀法制备前驱体，通过高温固相烧结技术得到正极材料。该方法工艺简单，" +
        "钠离子电池的循环寿命达到3000次，适用于储能和低速电动车。技术方法易于放大，可与PLC控制的连续烧结窑配套。";

    private readonly AttributeTagger _tagger = new();

    [Fact]
    public void Keywords_are_the_same_on_every_call_and_every_instance()
    {
        var first = _tagger.Keywords(BatteryTitle, BatteryText);

        Assert.Equal(first, _tagger.Keywords(BatteryTitle, BatteryText));
        Assert.Equal(first, new AttributeTagger().Keywords(BatteryTitle, BatteryText));
    }

    [Fact]
    public void Repeated_terms_become_keywords_most_frequent_first()
    {
        var keywords = _tagger.Keywords(BatteryTitle, BatteryText);

        // 钠离子电池 and 正极材料 occur four times each (钠离子电池 first), the whole 钠离子电池正极材料 three times.
        Assert.Equal(["钠离子电池", "正极材料", "钠离子电池正极材料"], keywords.Take(3));
    }

    [Fact]
    public void Keywords_drop_stop_words_and_boilerplate()
    {
        var keywords = _tagger.Keywords(BatteryTitle, BatteryText);

        string[] stop = ["本发明", "本发", "一种", "所述", "技术", "方法", "制备方法", "技术方法", "材料", "制备"];
        Assert.All(stop, s => Assert.DoesNotContain(s, keywords));
        Assert.All(keywords, k => Assert.DoesNotContain("本发明", k, StringComparison.Ordinal));
    }

    [Fact]
    public void Fragments_of_a_longer_term_with_the_same_count_are_dropped()
    {
        var keywords = _tagger.Keywords("深度学习缺陷检测", "基于深度学习的表面缺陷检测，深度学习模型部署在产线工控机上。");

        Assert.Contains("深度学习", keywords);
        Assert.DoesNotContain("深度", keywords);
        Assert.DoesNotContain("度学", keywords);
        Assert.DoesNotContain("学习", keywords);
    }

    [Fact]
    public void Latin_terms_count_once_case_insensitively_and_measurements_are_ignored()
    {
        var keywords = _tagger.Keywords("5G工业网关", "支持PLC接入与plc远程编程，重量200kg，功耗4.3kWh，兼容Modbus和OPC-UA。");

        Assert.Contains("5G", keywords);
        Assert.Contains("PLC", keywords);
        Assert.DoesNotContain("plc", keywords);
        Assert.Contains("Modbus", keywords);
        Assert.Contains("OPC-UA", keywords);
        Assert.DoesNotContain("200kg", keywords);
        Assert.DoesNotContain("4.3kWh", keywords);
    }

    [Fact]
    public void Full_width_latin_is_read_as_ascii()
    {
        var keywords = _tagger.Keywords("ＰＬＣ控制柜", "");

        Assert.Equal(["PLC"], keywords);
    }

    [Fact]
    public void Text_without_repeated_phrases_gives_no_chinese_keywords()
    {
        Assert.Empty(_tagger.Keywords("高效节能电机", "适用于风机水泵改造。"));
    }

    [Fact]
    public void Terms_longer_than_ten_characters_are_not_keywords_and_hide_no_fragments()
    {
        var keywords = _tagger.Keywords("", "高精度六轴协作机器人关节模组设计，高精度六轴协作机器人关节模组测试。");

        Assert.Empty(keywords);
    }

    [Fact]
    public void Keywords_stop_at_max()
    {
        var keywords = _tagger.Keywords("", "GaN SiC MEMS LiDAR PLC DCS SCADA CRISPR SaaS BMS", max: 5);

        Assert.Equal(["GaN", "SiC", "MEMS", "LiDAR", "PLC"], keywords);
    }

    [Fact]
    public void Max_below_one_is_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => _tagger.Keywords("标题", "正文", max: 0));
    }

    [Fact]
    public void Extra_stop_words_are_dropped_too()
    {
        var tagger = new AttributeTagger(["钠离子电池正极材料", "PLC"]);

        var keywords = tagger.Keywords(BatteryTitle, BatteryText);

        Assert.DoesNotContain("钠离子电池正极材料", keywords);
        Assert.DoesNotContain("PLC", keywords);
    }

    [Theory]
    [InlineData(null, "面议")]
    [InlineData("0", "<10万")]
    [InlineData("99999.99", "<10万")]
    [InlineData("100000", "10–50万")]
    [InlineData("499999.99", "10–50万")]
    [InlineData("500000", "50–200万")]
    [InlineData("1999999.99", "50–200万")]
    [InlineData("2000000", "200–1000万")]
    [InlineData("9999999.99", "200–1000万")]
    [InlineData("10000000", "≥1000万")]
    [InlineData("250000000", "≥1000万")]
    public void Price_band_includes_its_lower_bound(string? price, string expected)
    {
        decimal? value = price is null ? null : decimal.Parse(price, System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(expected, AttributeTagger.PriceBand(value));
    }

    [Fact]
    public void Negative_price_is_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => AttributeTagger.PriceBand(-1m));
    }

    [Fact]
    public void Every_bracket_maturity_and_mode_has_its_own_label()
    {
        var brackets = Enum.GetValues<PriceBracket>().Select(AttributeTagger.PriceBandTag).ToList();
        var maturities = Enum.GetValues<TechMaturity>().Select(AttributeTagger.MaturityTag).ToList();
        var modes = Enum.GetValues<TransactionMode>().Select(AttributeTagger.ModeTag).ToList();

        Assert.Equal(brackets.Count, brackets.Distinct().Count());
        Assert.Equal(maturities.Count, maturities.Distinct().Count());
        Assert.Equal(modes.Count, modes.Distinct().Count());
    }

    [Fact]
    public void Tag_combines_keywords_maturity_modes_and_price_band()
    {
        var tags = _tagger.Tag(
            BatteryTitle,
            BatteryText,
            price: 800_000m,
            TechMaturity.PilotTrial,
            [TransactionMode.OrdinaryLicense, TransactionMode.Transfer, TransactionMode.OrdinaryLicense]);

        Assert.Equal(_tagger.Keywords(BatteryTitle, BatteryText), tags.Keywords);
        Assert.Equal("通过中试", tags.Maturity);
        Assert.Equal(["转让", "普通许可"], tags.TransactionModes);
        Assert.Equal("50–200万", tags.PriceBand);
    }

    [Fact]
    public void Tag_without_structured_attributes_leaves_them_empty_and_negotiable()
    {
        var tags = _tagger.Tag("寻求污泥干化技术", "我厂污泥含水率高。", price: null);

        Assert.Null(tags.Maturity);
        Assert.Empty(tags.TransactionModes);
        Assert.Equal("面议", tags.PriceBand);
    }
}
