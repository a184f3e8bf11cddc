using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TechMarket.Kernel.Http;
using TechMarket.Listings;
using TechMarket.Listings.Domain;
using TechMarket.Listings.Search;

namespace TechMarket.Listings.Tests.Unit;

/// <summary>A real on-disk index in a temp folder with a handful of published listings, demands and experts.</summary>
public sealed class SearchFixture : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("techmarket-index-").FullName;

    public SearchFixture()
    {
        Index = new SearchIndex(folder);
        var localizer = new StringLocalizer<ListingsStrings>(new ResourceManagerStringLocalizerFactory(Options.Create(new LocalizationOptions { ResourcesPath = "Resources" }), NullLoggerFactory.Instance));
        Search = new SearchService(Index, localizer);
        var at = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        Add(Published(at.AddDays(1), "一种基于深度学习的锂电池健康状态估计方法", "利用卷积神经网络估计锂电池剩余寿命，误差低于百分之二。", TechField.NewEnergy, ListingType.Patent, "35", 800_000m, [TransactionMode.Transfer], PatentStatus.Granted, "储能,电池"));
        Add(Published(at.AddDays(2), "Battery recycling process for cathode materials", "Hydrometallurgical recycling of spent batteries recovers cobalt and nickel.", TechField.ResourcesEnvironment, ListingType.KnowHow, "44", 50_000m, [TransactionMode.OrdinaryLicense], null, "recycling"));
        Add(Published(at.AddDays(3), "石墨烯改性锂电池隔膜材料", "石墨烯涂层提升隔膜耐热性，适用于动力电池。", TechField.NewMaterials, ListingType.Patent, "35", 3_000_000m, [TransactionMode.ExclusiveLicense, TransactionMode.Equity], PatentStatus.Pending, "新材料"));
        Add(Published(at.AddDays(4), "工业机器人视觉引导装配系统", "机器视觉定位精度达到0.02毫米，用于汽车零部件装配。", TechField.AdvancedManufacturing, ListingType.SoftwareCopyright, "32", null, [TransactionMode.CoDevelopment], null, "机器人,自动化"));
        Add(Published(at.AddDays(5), "污水处理膜分离技术服务", "提供膜分离工艺设计与运维服务，降低吨水能耗。", TechField.ResourcesEnvironment, ListingType.TechnicalService, "44", 120_000m, [TransactionMode.OrdinaryLicense], null, "环保"));
        var demand = Demand.Create(Guid.NewGuid(), Guid.NewGuid(), new DemandContent { Title = "寻求锂电池回收技术合作", Summary = "我司需要锂电池回收的湿法冶金技术。", Field = TechField.NewEnergy, Province = "11" }, at);
        demand.Submit(at);
        demand.Approve(at);
        Index.Upsert(IndexDocuments.From(demand), IndexDocuments.KeyOf(EntityKinds.Demand, demand.Id));
        Index.Commit(1);
    }

    public SearchIndex Index { get; }

    public SearchService Search { get; }

    public SearchResult Query(string? q, string? type = null, string? mode = null, string? field = null, string? region = null, string? price = null, string? sort = null, int? page = null, int? pageSize = null, string? tab = null)
    {
        var errors = new FieldErrors();
        var request = Search.Parse(new SearchParameters(q, tab, type, mode, field, region, price, null, null, sort, page, pageSize), errors)
            ?? throw new InvalidOperationException(string.Join("; ", errors.ToDictionary().SelectMany(e => e.Value)));
        return Search.Search(request);
    }

    public void Dispose()
    {
        Index.Dispose();
        Directory.Delete(folder, recursive: true);
    }

    private void Add(Listing listing) => Index.Upsert(IndexDocuments.From(listing), IndexDocuments.KeyOf(EntityKinds.Listing, listing.Id));

    private static Listing Published(DateTimeOffset at, string title, string summary, TechField field, ListingType type, string province, decimal? price, TransactionMode[] modes, PatentStatus? patent, string tags)
    {
        var listing = Listing.Create(Guid.NewGuid(), Guid.NewGuid(), new ListingContent
        {
            Title = title,
            Abstract = summary,
            Field = field,
            Type = type,
            Province = province,
            Pricing = price is null ? PricingKind.Negotiable : PricingKind.Fixed,
            Price = price,
            Modes = modes,
            PatentStatus = patent,
            PatentNumber = patent is null ? null : "CN202310123456.7",
            Maturity = MaturityStage.Pilot,
            Tags = tags,
        }, at);
        listing.Submit(at);
        listing.Approve(at);
        return listing;
    }
}
