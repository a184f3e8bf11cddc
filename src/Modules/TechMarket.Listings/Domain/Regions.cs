namespace TechMarket.Listings.Domain;

/// <summary>Mainland provincial-level divisions (code = GB/T 2260 prefix) with a few major cities each for forms and demo data.</summary>
public static class Regions
{
    public sealed record Province(string Code, string Name, string English, string[] Cities);

    public static readonly IReadOnlyList<Province> Provinces =
    [
        new("11", "北京", "Beijing", ["北京"]),
        new("12", "天津", "Tianjin", ["天津"]),
        new("13", "河北", "Hebei", ["石家庄", "保定", "唐山"]),
        new("14", "山西", "Shanxi", ["太原", "大同"]),
        new("15", "内蒙古", "Inner Mongolia", ["呼和浩特", "包头"]),
        new("21", "辽宁", "Liaoning", ["沈阳", "大连"]),
        new("22", "吉林", "Jilin", ["长春", "吉林"]),
        new("23", "黑龙江", "Heilongjiang", ["哈尔滨", "大庆"]),
        new("31", "上海", "Shanghai", ["上海"]),
        new("32", "江苏", "Jiangsu", ["南京", "苏州", "无锡", "常州"]),
        new("33", "浙江", "Zhejiang", ["杭州", "宁波", "温州"]),
        new("34", "安徽", "Anhui", ["合肥", "芜湖"]),
        new("35", "福建", "Fujian", ["福州", "厦门", "泉州"]),
        new("36", "江西", "Jiangxi", ["南昌", "赣州"]),
        new("37", "山东", "Shandong", ["济南", "青岛", "烟台"]),
        new("41", "河南", "Henan", ["郑州", "洛阳"]),
        new("42", "湖北", "Hubei", ["武汉", "宜昌", "襄阳"]),
        new("43", "湖南", "Hunan", ["长沙", "株洲"]),
        new("44", "广东", "Guangdong", ["广州", "深圳", "东莞", "佛山"]),
        new("45", "广西", "Guangxi", ["南宁", "柳州"]),
        new("46", "海南", "Hainan", ["海口", "三亚"]),
        new("50", "重庆", "Chongqing", ["重庆"]),
        new("51", "四川", "Sichuan", ["成都", "绵阳"]),
        new("52", "贵州", "Guizhou", ["贵阳"]),
        new("53", "云南", "Yunnan", ["昆明"]),
        new("54", "西藏", "Tibet", ["拉萨"]),
        new("61", "陕西", "Shaanxi", ["西安", "宝鸡"]),
        new("62", "甘肃", "Gansu", ["兰州"]),
        new("63", "青海", "Qinghai", ["西宁"]),
        new("64", "宁夏", "Ningxia", ["银川"]),
        new("65", "新疆", "Xinjiang", ["乌鲁木齐"]),
        new("71", "台湾", "Taiwan", ["台北"]),
        new("81", "香港", "Hong Kong", ["香港"]),
        new("82", "澳门", "Macao", ["澳门"]),
    ];

    private static readonly Dictionary<string, Province> ByCode = Provinces.ToDictionary(p => p.Code, StringComparer.Ordinal);

    public static bool IsProvince(string? code) => code is not null && ByCode.ContainsKey(code);

    public static string NameOf(string? code) => code is not null && ByCode.TryGetValue(code, out var p) ? p.Name : "";
}
