using System.Collections.Concurrent;
using TechMarket.Insights.Classification;

namespace TechMarket.Insights.Tests.Classification;

public sealed class FieldClassifierTests(ClassifierFixture fixture) : IClassFixture<ClassifierFixture>
{
    private readonly FieldClassifier _classifier = fixture.Classifier;

    // Written for these tests; Clear_examples_are_not_in_the_training_data keeps them out of fields.tsv.
    public static TheoryData<TechField, string, string> ClearExamples => new()
    {
        { TechField.ElectronicInformation, "面向中小企业的云端协同办公软件", "支持在线文档多人实时编辑、即时通讯和视频会议，提供Windows、安卓和iOS客户端。" },
        { TechField.ElectronicInformation, "千兆以太网PHY芯片", "自主设计的千兆以太网物理层收发芯片，支持工业级温度范围，兼容主流交换芯片。" },
        { TechField.BioMedicine, "治疗乙肝的核苷类抗病毒新药", "本品为新型核苷类似物，临床前研究显示对耐药乙肝病毒株有效，肝毒性低。" },
        { TechField.BioMedicine, "幽门螺杆菌快速检测试剂盒", "采用胶体金免疫层析法检测粪便抗原，15分钟出结果，适合基层医疗机构。" },
        { TechField.Aerospace, "轻型公务机机翼气动设计", "针对轻型公务机开展超临界翼型与翼梢小翼设计，风洞试验表明巡航阻力降低6%。" },
        { TechField.Aerospace, "低轨遥感卫星星座运营", "由二十颗光学遥感小卫星组成的星座，重访周期2小时，为农业和应急部门提供卫星影像。" },
        { TechField.NewMaterials, "耐高温聚酰亚胺泡沫材料", "通过发泡工艺制备的聚酰亚胺泡沫，密度低、阻燃、耐温300℃，可用于隔热与吸音。" },
        { TechField.NewMaterials, "高强韧铝合金板材", "通过微合金化与热处理制备的铝合金板材，抗拉强度550MPa，延伸率12%。" },
        { TechField.HighTechServices, "专利申请代理服务", "资深专利代理师团队，提供发明专利撰写、申请、答复审查意见和复审无效服务。" },
        { TechField.HighTechServices, "汽车电子零部件环境试验服务", "为汽车电子企业提供盐雾、高低温和振动试验，出具第三方检测报告，周期5个工作日。" },
        { TechField.NewEnergy, "分布式屋顶光伏发电", "利用工商业厂房屋顶建设光伏电站，自发自用余电上网，配套组件、逆变器和运维监控。" },
        { TechField.NewEnergy, "氢燃料电池叉车动力系统", "以质子交换膜燃料电池为动力的叉车电源系统，加氢3分钟，续航8小时。" },
        { TechField.ResourcesEnvironment, "印染废水深度处理回用", "采用混凝沉淀、臭氧氧化和超滤反渗透组合工艺，处理后废水回用率达到70%。" },
        { TechField.ResourcesEnvironment, "垃圾填埋场生态封场", "对老旧生活垃圾填埋场进行覆土封场、渗滤液收集和植被恢复，防止地下水污染。" },
        { TechField.AdvancedManufacturing, "数控龙门加工中心", "高刚性龙门结构五轴数控加工中心，配备自动换刀和在线测量，适用于大型模具加工。" },
        { TechField.AdvancedManufacturing, "钢结构件弧焊机器人工作站", "六轴弧焊机器人配合变位机和激光焊缝跟踪，实现钢结构件自动焊接。" },
    };

    [Theory]
    [MemberData(nameof(ClearExamples))]
    public void Clear_examples_are_classified_into_their_field(TechField expected, string title, string text)
    {
        var prediction = _classifier.Predict(title, text);

        Assert.Equal(expected, prediction.Field);
    }

    [Fact]
    public void Clear_examples_are_not_in_the_training_data()
    {
        var dataset = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Data", "fields.tsv"));

        foreach (var example in ClearExamples)
        {
            var (_, title, text) = ((TechField)example[0], (string)example[1], (string)example[2]);
            Assert.DoesNotContain(title, dataset, StringComparison.Ordinal);
            Assert.DoesNotContain(text, dataset, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Shipped_model_ranks_all_eight_fields_once()
    {
        var prediction = _classifier.Predict("工业机器人", "");

        Assert.Equal(Enum.GetValues<TechField>().Order(), prediction.Ranked.Select(r => r.Field).Order());
    }

    [Theory]
    [InlineData("钠离子电池储能系统", "层状氧化物正极，能量密度160Wh/kg，用于电网储能。")]
    [InlineData("", "寻求合作伙伴")]
    [InlineData("", "")]
    public void Confidence_is_the_top_score_and_ranking_is_descending_probabilities(string title, string text)
    {
        var prediction = _classifier.Predict(title, text);

        Assert.Equal(prediction.Ranked[0].Field, prediction.Field);
        Assert.Equal(prediction.Ranked[0].Score, prediction.Confidence);
        Assert.All(prediction.Ranked.Zip(prediction.Ranked.Skip(1)), pair => Assert.True(pair.First.Score >= pair.Second.Score));
        Assert.All(prediction.Ranked, r => Assert.InRange(r.Score, 0f, 1f));
        Assert.Equal(1.0, prediction.Ranked.Sum(r => (double)r.Score), precision: 3);
    }

    [Fact]
    public void Title_alone_and_text_alone_are_classified_alike()
    {
        var titleOnly = _classifier.Predict("幽门螺杆菌快速检测试剂盒", "");
        var textOnly = _classifier.Predict("", "幽门螺杆菌快速检测试剂盒");

        Assert.Equal(TechField.BioMedicine, titleOnly.Field);
        Assert.Equal(titleOnly.Ranked, textOnly.Ranked);
    }

    [Fact]
    public void Concurrent_predictions_match_sequential_ones()
    {
        var inputs = ClearExamples.Select(e => ((string)e[1], (string)e[2])).ToArray();
        var sequential = inputs.Select(i => _classifier.Predict(i.Item1, i.Item2)).ToArray();

        var concurrent = new ConcurrentBag<(int Index, FieldPrediction Prediction)>();
        Parallel.For(0, inputs.Length * 25, new ParallelOptions { MaxDegreeOfParallelism = 8 }, n =>
        {
            var index = n % inputs.Length;
            concurrent.Add((index, _classifier.Predict(inputs[index].Item1, inputs[index].Item2)));
        });

        Assert.Equal(inputs.Length * 25, concurrent.Count);
        Assert.All(concurrent, c =>
        {
            Assert.Equal(sequential[c.Index].Field, c.Prediction.Field);
            Assert.Equal(sequential[c.Index].Ranked, c.Prediction.Ranked);
        });
    }

    [Fact]
    public void Model_file_next_to_the_tests_loads_like_the_embedded_one()
    {
        using var fromFile = new FieldClassifier(Path.Combine(AppContext.BaseDirectory, "Data", "field-classifier.zip"));

        Assert.Equal(_classifier.ModelVersion, fromFile.ModelVersion);
        Assert.Equal(_classifier.Predict("焊接机器人工作站", "").Ranked, fromFile.Predict("焊接机器人工作站", "").Ranked);
    }

    [Fact]
    public void Model_version_is_a_short_hex_hash()
    {
        Assert.Matches("^[0-9a-f]{12}$", _classifier.ModelVersion);
    }

    [Fact]
    public void Predict_after_dispose_is_refused()
    {
        var classifier = new FieldClassifier();
        classifier.Dispose();

        Assert.Throws<ObjectDisposedException>(() => classifier.Predict("焊接机器人工作站", ""));
    }
}
