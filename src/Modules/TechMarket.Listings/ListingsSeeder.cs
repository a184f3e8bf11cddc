using Bogus;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using TechMarket.Identity.Domain;
using TechMarket.Kernel.Security;
using TechMarket.Listings.Domain;
using TechMarket.Listings.Features;
using TechMarket.Listings.Persistence;

namespace TechMarket.Listings;

/// <summary>
/// Demo supply, demands and experts (Seed:DemoData): deterministic content from a fixed seed, owned by the seeded
/// verified demo members, published as if an operator had approved them. Runs once: skipped when the owners already
/// have listings.
/// </summary>
public sealed class ListingsSeeder(ListingsDbContext db, UserManager<Member> users, IConfiguration configuration, TimeProvider clock, ILogger<ListingsSeeder> logger)
{
    public const int DemoListings = 220;
    public const int DemoDemands = 80;
    public const int DemoExperts = 40;

    /// <param name="findMember">Looks up a demo account's member id (Identity owns accounts; the host passes this in).</param>
    public async Task SeedAsync(Func<string, Task<Guid?>> findMember, CancellationToken cancellationToken = default)
    {
        if (!configuration.GetValue<bool>("Seed:DemoData"))
        {
            return;
        }

        var person = await findMember("13800000001");
        var company = await findMember("enterprise@techmarket.demo");
        if (person is not { } personId || company is not { } companyId)
        {
            return;
        }

        if (await db.Listings.AnyAsync(l => l.OwnerId == personId || l.OwnerId == companyId, cancellationToken))
        {
            return;
        }

        var r = new Randomizer(20260101);
        var now = clock.GetUtcNow();
        var fields = Enum.GetValues<TechField>();
        var owners = new[] { personId, companyId };
        for (var i = 0; i < DemoListings; i++)
        {
            var field = fields[i % fields.Length];
            var text = DemoText.Listing(r, field);
            var type = r.Enum<ListingType>();
            var province = r.ArrayElement(Regions.Provinces.Take(31).ToArray());
            var negotiable = r.Bool(0.3f);
            var modes = r.Bool(0.5f) ? new[] { TransactionMode.Transfer } : r.ArrayElements(Enum.GetValues<TransactionMode>(), r.Number(1, 3)).Distinct().ToArray();
            var price = r.Number(1, 500) * 10_000m;
            var content = new ListingContent
            {
                Title = text.Title,
                Type = type,
                Modes = modes,
                Pricing = negotiable ? PricingKind.Negotiable : PricingKind.Fixed,
                Price = negotiable ? null : price,
                PriceMin = negotiable ? price / 2 : null,
                PriceMax = negotiable ? price * 2 : null,
                Maturity = r.Enum<MaturityStage>(),
                Trl = r.Number(3, 9),
                Field = field,
                Province = province.Code,
                City = r.ArrayElement(province.Cities),
                PatentNumber = type == ListingType.Patent ? DemoText.PatentNumber(r) : null,
                PatentStatus = type == ListingType.Patent ? r.Enum<PatentStatus>() : null,
                Abstract = text.Abstract,
                DescriptionHtml = RichText.Sanitize(text.Description),
                Tags = text.Tags,
                Contact = ContactPreference.Platform,
            };
            var at = now.AddHours(-r.Number(1, 24 * 365));
            var listing = Listing.Create(Guid.CreateVersion7(at), owners[i % 2], content, at);
            listing.Submit(at);
            listing.Approve(at);
            db.Listings.Add(listing);
        }

        for (var i = 0; i < DemoDemands; i++)
        {
            var field = fields[i % fields.Length];
            var text = DemoText.Demand(r, field);
            var province = r.ArrayElement(Regions.Provinces.Take(31).ToArray());
            var budget = r.Number(5, 300) * 10_000m;
            var content = new DemandContent
            {
                Title = text.Title,
                Summary = text.Abstract,
                DetailsHtml = RichText.Sanitize(text.Description),
                Field = field,
                Province = province.Code,
                City = r.ArrayElement(province.Cities),
                BudgetMin = budget / 2,
                BudgetMax = budget,
                Deadline = DateOnly.FromDateTime(now.UtcDateTime).AddDays(r.Number(30, 300)),
                Confidential = r.Bool(0.3f),
                Tags = text.Tags,
            };
            var at = now.AddHours(-r.Number(1, 24 * 365));
            var demand = Demand.Create(Guid.CreateVersion7(at), owners[(i + 1) % 2], content, at);
            demand.Submit(at);
            demand.Approve(at);
            db.Demands.Add(demand);
        }

        // The enterprise account is an institution, the verified individual one of its experts. Every other demo expert
        // gets a real member account (expert01@techmarket.demo …), so "contact" reaches someone.
        var institution = Profile.Create(Guid.CreateVersion7(now), companyId, ProfileKind.Institution, now);
        institution.Update(new ProfileInput(ProfileKind.Institution, "福州星河新材料科技有限公司", null, null, InstitutionKind.Enterprise, null, [TechField.NewMaterials, TechField.NewEnergy], "35",
            "专注于石墨烯改性与锂电池隔膜材料研发的高新技术企业。", "拥有发明专利30余项，产品应用于新能源汽车与储能领域。", true), now);
        db.Profiles.Add(institution);
        var me = Profile.Create(Guid.CreateVersion7(now), personId, ProfileKind.Expert, now);
        me.Update(new ProfileInput(ProfileKind.Expert, "张三", "高级工程师", "福州星河新材料科技有限公司", null, institution.Id, [TechField.NewMaterials], "35",
            "从事锂电池隔膜与纳米涂层研究十余年。", "主持省级科技项目3项，授权发明专利12项。", true), now);
        db.Profiles.Add(me);
        for (var i = 0; i < DemoExperts; i++)
        {
            var field = fields[i % fields.Length];
            var (name, jobTitle, affiliation, intro, achievements) = DemoText.Expert(r, field);
            var memberId = await DemoExpertAccountAsync(i + 1, name);
            var profile = Profile.Create(r.Guid(), memberId, ProfileKind.Expert, now);
            profile.Update(new ProfileInput(ProfileKind.Expert, name, jobTitle, affiliation, null, null, [field], r.ArrayElement(Regions.Provinces.Take(31).ToArray()).Code, intro, achievements, r.Bool()), now);
            db.Profiles.Add(profile);
        }

        await db.SaveChangesAsync(cancellationToken);
        logger.LogInformation("Seeded {Listings} demo listings, {Demands} demands and {Experts} expert profiles", DemoListings, DemoDemands, DemoExperts + 2);
    }

    /// <summary>
    /// A member account for a demo expert, created through Identity's UserManager. No password: the accounts exist so
    /// that consulting an expert opens a real conversation; nobody signs in with them (and seeding skips 40 password
    /// hashes). Messaging only reaches verified members, so they are marked verified individuals under the expert's
    /// name — demo data without an ID document behind it, the same as the rest of the demo content.
    /// </summary>
    private async Task<Guid> DemoExpertAccountAsync(int number, string name)
    {
        var account = $"expert{number:00}@techmarket.demo";
        if (await users.FindByNameAsync(account) is { } existing)
        {
            return existing.Id;
        }

        if (!AccountName.TryParse(account, out var accountName))
        {
            throw new InvalidOperationException($"'{account}' is not a valid account name.");
        }

        var member = Member.Register(accountName, name, clock.GetUtcNow());
        member.VerificationLevel = VerificationLevel.Individual;
        member.VerifiedName = name;
        var created = await users.CreateAsync(member);
        if (!created.Succeeded)
        {
            throw new InvalidOperationException($"Could not create {account}: {string.Join("; ", created.Errors.Select(e => e.Description))}");
        }

        await users.AddToRoleAsync(member, Roles.Member);
        return member.Id;
    }
}
