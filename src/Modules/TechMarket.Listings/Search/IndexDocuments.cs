using System.Text.Json;
using System.Text.Json.Serialization;
using Lucene.Net.Documents;
using Lucene.Net.Util;
using TechMarket.Listings.Domain;
using TechMarket.Listings.Features;

namespace TechMarket.Listings.Search;

/// <summary>What a result card shows without a database round trip.</summary>
public sealed record HitData(
    string? Type,
    IReadOnlyList<string> Modes,
    IReadOnlyList<string> Fields,
    string Province,
    string? City,
    string? Pricing,
    decimal? Price,
    decimal? PriceMin,
    decimal? PriceMax,
    string? Maturity,
    string? PatentStatus,
    int? RemainingQuantity,
    DateOnly? Deadline,
    string? Affiliation,
    string? JobTitle,
    DateTimeOffset At);

/// <summary>
/// Compile-time serializer for the stored card data: read for every hit of every search, so no reflection. Same
/// shape as before (web defaults: camelCase), so existing indexes stay readable.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(HitData))]
internal sealed partial class HitDataJson : JsonSerializerContext;

/// <summary>Turns listings, demands and profiles into Lucene documents.</summary>
public static class IndexDocuments
{
    public static string KeyOf(string kind, Guid id) => $"{kind}:{id:N}";

    public static Document From(Listing listing)
    {
        var c = listing.Content;
        var doc = Base(EntityKinds.Listing, listing.Id, c.Title, $"{c.Tags} {listing.AttributeTags}", $"{c.Abstract} {RichText.ToPlainText(c.DescriptionHtml)} {c.PatentNumber}", c.Abstract, listing.PublishedAt ?? listing.UpdatedAt);
        Prices(doc, c.Price ?? c.PriceMin);

        Facet(doc, IndexFields.Type, c.Type.ToString());
        foreach (var mode in c.Modes)
        {
            Facet(doc, IndexFields.Mode, mode.ToString());
        }

        Facet(doc, IndexFields.Field, c.Field.ToString());
        Facet(doc, IndexFields.Region, c.Province);
        Facet(doc, IndexFields.PriceBand, PriceBands.Of(c.Pricing == PricingKind.Fixed ? c.Price : c.PriceMax ?? c.PriceMin).ToString());
        Facet(doc, IndexFields.Maturity, c.Maturity.ToString());
        if (c.PatentStatus is { } status)
        {
            Facet(doc, IndexFields.Patent, status.ToString());
        }

        Data(doc, new HitData(c.Type.ToString(), c.Modes.Select(m => m.ToString()).ToList(), [c.Field.ToString()], c.Province, c.City, c.Pricing.ToString(), c.Price, c.PriceMin, c.PriceMax, c.Maturity.ToString(), c.PatentStatus?.ToString(), listing.RemainingQuantity, null, null, null, listing.PublishedAt ?? listing.UpdatedAt));
        return doc;
    }

    public static Document From(Demand demand)
    {
        var c = demand.Content;
        // Confidential details never reach the index: snippets and matches come from the public summary only.
        var body = c.Confidential ? c.Summary : $"{c.Summary} {RichText.ToPlainText(c.DetailsHtml)}";
        var doc = Base(EntityKinds.Demand, demand.Id, c.Title, $"{c.Tags} {demand.AttributeTags}", body, c.Summary, demand.PublishedAt ?? demand.UpdatedAt);
        Prices(doc, c.BudgetMax ?? c.BudgetMin);

        Facet(doc, IndexFields.Field, c.Field.ToString());
        Facet(doc, IndexFields.Region, c.Province);
        Facet(doc, IndexFields.PriceBand, PriceBands.Of(c.BudgetMax ?? c.BudgetMin).ToString());
        Data(doc, new HitData(null, [], [c.Field.ToString()], c.Province, c.City, null, null, c.BudgetMin, c.BudgetMax, null, null, null, c.Deadline, null, null, demand.PublishedAt ?? demand.UpdatedAt));
        return doc;
    }

    public static Document From(Profile profile)
    {
        var fieldNames = string.Join(' ', profile.Fields.Select(TechFields.Chinese));
        var doc = Base(EntityKinds.Profile, profile.Id, profile.Name, $"{profile.JobTitle} {fieldNames}", $"{profile.Affiliation} {profile.Introduction} {profile.Achievements}", profile.Introduction, profile.UpdatedAt);
        foreach (var field in profile.Fields)
        {
            Facet(doc, IndexFields.Field, field.ToString());
        }

        Prices(doc, null);
        Facet(doc, IndexFields.Region, profile.Province);
        Facet(doc, IndexFields.Type, profile.Kind.ToString());
        Data(doc, new HitData(profile.Kind.ToString(), [], profile.Fields.Select(f => f.ToString()).ToList(), profile.Province, null, null, null, null, null, null, null, null, null, profile.Affiliation, profile.JobTitle, profile.UpdatedAt));
        return doc;
    }

    private static Document Base(string kind, Guid id, string title, string tags, string body, string snippet, DateTimeOffset at)
    {
        var doc = new Document
        {
            new StringField(IndexFields.Key, KeyOf(kind, id), Field.Store.NO),
            new StringField(IndexFields.Kind, kind, Field.Store.YES),
            new StringField(IndexFields.Id, id.ToString(), Field.Store.YES),
            new TextField(IndexFields.Title, title, Field.Store.YES),
            new TextField(IndexFields.Tags, tags.Trim(), Field.Store.YES),
            new TextField(IndexFields.Body, body, Field.Store.NO),
            new StoredField(IndexFields.Snippet, snippet),
            new NumericDocValuesField(IndexFields.Published, at.UtcTicks),
        };
        return doc;
    }

    /// <summary>Two sort keys so that a missing price sorts last both ascending and descending.</summary>
    private static void Prices(Document doc, decimal? price)
    {
        doc.Add(new NumericDocValuesField(IndexFields.Price, price is { } p ? (long)p : long.MaxValue));
        doc.Add(new NumericDocValuesField(IndexFields.PriceDescending, price is { } q ? (long)q : long.MinValue));
    }

    private static void Facet(Document doc, string dimension, string value)
    {
        doc.Add(new StringField(dimension, value, Field.Store.NO));
        doc.Add(new SortedSetDocValuesField(dimension, new BytesRef(value)));
    }

    private static void Data(Document doc, HitData data) =>
        doc.Add(new StoredField(IndexFields.Data, JsonSerializer.Serialize(data, HitDataJson.Default.HitData)));
}
