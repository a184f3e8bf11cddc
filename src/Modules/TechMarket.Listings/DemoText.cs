using Bogus;
using TechMarket.Listings.Domain;

namespace TechMarket.Listings;

/// <summary>Phrase tables for realistic Chinese demo text and the benchmark generator. Deterministic for a given seed.</summary>
public static class DemoText
{
    private sealed record FieldPhrases(string[] Methods, string[] Objects, string[] Uses, string[] Tags);

    private static readonly Dictionary<TechField, FieldPhrases> Phrases = new()
    {
        [TechField.ElectronicInformation] = new(
            ["深度学习", "联邦学习", "边缘计算", "知识图谱", "区块链", "卷积神经网络", "Transformer模型", "5G通信", "多模态大模型", "图神经网络"],
            ["图像识别", "语音识别", "工业质检", "数据加密", "网络流量分析", "芯片测试", "智能客服", "物联网网关", "视频压缩", "自然语言处理"],
            ["智慧城市", "金融风控", "智能制造", "医疗影像", "车联网", "电力调度"],
            ["人工智能", "AI", "软件", "算法", "芯片", "物联网", "大数据"]),
        [TechField.BioMedicine] = new(
            ["CRISPR基因编辑", "单克隆抗体", "mRNA", "纳米递送", "细胞培养", "高通量筛选", "合成生物学", "微流控"],
            ["肿瘤早筛", "疫苗制备", "创新药物", "医疗器械", "体外诊断试剂", "中药提取", "生物农药", "酶制剂"],
            ["临床诊断", "慢病管理", "畜牧兽医", "食品安全", "精准医疗"],
            ["生物医药", "诊断", "药物", "疫苗", "基因"]),
        [TechField.Aerospace] = new(
            ["复合材料成型", "惯性导航", "卫星遥感", "气动优化", "飞控算法", "增材制造"],
            ["无人机", "小卫星平台", "航空发动机叶片", "机载雷达", "火箭推进剂", "航电系统"],
            ["应急救援", "农林植保", "测绘勘探", "低空物流"],
            ["航空", "航天", "无人机", "卫星"]),
        [TechField.NewMaterials] = new(
            ["石墨烯改性", "纳米涂层", "高熵合金", "碳纤维增强", "溶胶凝胶", "等离子喷涂", "3D打印"],
            ["锂电池隔膜", "耐高温陶瓷", "可降解塑料", "光学薄膜", "稀土永磁材料", "导热界面材料", "特种橡胶"],
            ["新能源汽车", "电子封装", "建筑节能", "包装", "航空结构件"],
            ["新材料", "纳米", "复合材料", "高分子"]),
        [TechField.HighTechServices] = new(
            ["数字孪生", "云原生", "检验检测", "知识产权运营", "工业设计", "技术咨询", "SaaS"],
            ["研发外包服务", "检测认证平台", "科技成果评估", "供应链管理系统", "工业互联网平台", "技术转移服务"],
            ["中小企业", "高校院所", "产业园区", "跨境电商"],
            ["服务", "平台", "咨询", "检测"]),
        [TechField.NewEnergy] = new(
            ["钙钛矿", "固态电解质", "氢燃料电池", "储能变流", "余热回收", "智能微电网", "风光互补"],
            ["锂电池", "光伏组件", "储能系统", "充电桩", "电解水制氢装置", "热泵", "电池管理系统"],
            ["分布式能源", "电动汽车", "数据中心节能", "工业节能"],
            ["新能源", "储能", "光伏", "氢能", "节能", "battery"]),
        [TechField.ResourcesEnvironment] = new(
            ["膜分离", "生物降解", "高级氧化", "土壤修复", "碳捕集", "智能监测", "固废资源化"],
            ["污水处理", "VOCs治理", "重金属去除", "垃圾焚烧飞灰处置", "矿山生态修复", "大气污染监测", "尾矿综合利用"],
            ["工业园区", "城镇污水厂", "农村环境整治", "流域治理"],
            ["环保", "水处理", "固废", "碳中和"]),
        [TechField.AdvancedManufacturing] = new(
            ["机器视觉", "数控加工", "激光焊接", "工业机器人", "PLC控制", "精密铸造", "预测性维护"],
            ["自动化装配线", "智能仓储", "减速器", "伺服电机", "注塑模具", "数控机床", "协作机器人"],
            ["汽车零部件", "3C电子", "工程机械", "纺织机械"],
            ["智能制造", "自动化", "机器人", "装备"]),
    };

    private static readonly string[] TitleForms = ["一种基于{0}的{1}方法", "基于{0}的{1}系统", "{0}{1}装置及其制备方法", "面向{2}的{1}技术", "{1}关键技术及产业化", "高效{1}工艺"];

    private static readonly string[] DemandForms = ["寻求{1}技术解决方案", "征集{0}在{2}中的应用方案", "{1}成本过高问题求解", "急需{1}国产化替代技术", "{2}领域{1}技术合作需求"];

    private static readonly string[] Surnames = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林", "何", "郭", "马", "罗"];

    private static readonly string[] GivenNames = ["建国", "志强", "海燕", "晓明", "丽华", "文博", "子涵", "俊杰", "雪梅", "国栋", "思远", "嘉怡"];

    private static readonly string[] Universities = ["清华大学", "浙江大学", "上海交通大学", "华中科技大学", "哈尔滨工业大学", "西安交通大学", "中山大学", "四川大学", "厦门大学", "福州大学", "中国科学院物理研究所", "中国科学院化学研究所"];

    private static readonly string[] JobTitles = ["教授", "研究员", "副教授", "高级工程师", "副研究员", "首席科学家"];

    public sealed record DemoListing(string Title, string Abstract, string Description, TechField Field, string Tags);

    public static DemoListing Listing(Randomizer r, TechField field)
    {
        var p = Phrases[field];
        var method = r.ArrayElement(p.Methods);
        var obj = r.ArrayElement(p.Objects);
        var use = r.ArrayElement(p.Uses);
        var title = string.Format(r.ArrayElement(TitleForms), method, obj, use);
        var gain = r.Number(15, 60);
        var summary = $"本成果采用{method}技术，解决了{obj}在{use}场景中效率低、成本高的问题。经测试，关键指标提升{gain}%，已完成{r.ArrayElement(new[] { "实验室验证", "中试", "小批量试产" })}。";
        var description = $"<p>{summary}</p><h3>技术优势</h3><ul><li>{method}与{obj}深度融合</li><li>适用于{use}</li><li>综合成本降低约{r.Number(10, 40)}%</li></ul><p>可提供技术培训与后续服务。</p>";
        var tags = string.Join(',', new[] { r.ArrayElement(p.Tags), method, obj }.Distinct());
        return new DemoListing(title, summary, description, field, tags);
    }

    public static DemoListing Demand(Randomizer r, TechField field)
    {
        var p = Phrases[field];
        var method = r.ArrayElement(p.Methods);
        var obj = r.ArrayElement(p.Objects);
        var use = r.ArrayElement(p.Uses);
        var title = string.Format(r.ArrayElement(DemandForms), method, obj, use);
        var summary = $"我单位在{use}业务中遇到{obj}相关的技术瓶颈，希望与高校院所或企业合作，引入{method}等先进技术。";
        var details = $"<p>{summary}</p><p>现有产线年产能约{r.Number(1, 50)}万件，目标良率提升至{r.Number(95, 99)}%，需提供样机验证。</p>";
        return new DemoListing(title, summary, details, field, string.Join(',', new[] { r.ArrayElement(p.Tags), obj }.Distinct()));
    }

    public static (string Name, string JobTitle, string Affiliation, string Introduction, string Achievements) Expert(Randomizer r, TechField field)
    {
        var p = Phrases[field];
        var name = r.ArrayElement(Surnames) + r.ArrayElement(GivenNames);
        var affiliation = r.ArrayElement(Universities);
        var method = r.ArrayElement(p.Methods);
        return (name, r.ArrayElement(JobTitles), affiliation,
            $"长期从事{method}与{r.ArrayElement(p.Objects)}研究，主持国家级项目{r.Number(2, 9)}项。",
            $"发表论文{r.Number(20, 120)}篇，授权发明专利{r.Number(5, 40)}项，成果在{r.ArrayElement(p.Uses)}领域实现转化。");
    }

    public static string PatentNumber(Randomizer r) => $"CN{r.Number(2015, 2025)}{r.Number(10000000, 99999999)}.{r.Number(0, 9)}";
}
