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

    /// <summary>
    /// A document's facet values in <see cref="IndexFields.RunOrder"/>, joined: a rebuild adds each kind's documents
    /// sorted by it, so that every leading part of the order groups into runs (see <see cref="FacetRuns"/>).
    /// </summary>
    public static string RunKey(Document doc) =>
        string.Join('|', IndexFields.RunOrder.Select(dim => string.Join(',', doc.GetValues(dim).Order(StringComparer.Ordinal))));

    private static PriceBand PriceBandOf(ListingContent c) => PriceBands.Of(c.Pricing == PricingKind.Fixed ? c.Price : c.PriceMax ?? c.PriceMin);

    public static Document From(Listing listing)
    {
        var c = listing.Content;
        var data = new HitData(c.Type.ToString(), c.Modes.Select(m => m.ToString()).ToList(), [c.Field.ToString()], c.Province, c.City, c.Pricing.ToString(), c.Price, c.PriceMin, c.PriceMax, c.Maturity.ToString(), c.PatentStatus?.ToString(), listing.RemainingQuantity, null, null, null, listing.PublishedAt ?? listing.UpdatedAt);
        var doc = Base(EntityKinds.Listing, listing.Id, c.Title, $"{c.Tags} {listing.AttributeTags}", $"{c.Abstract} {RichText.ToPlainText(c.DescriptionHtml)} {c.PatentNumber}", c.Abstract, data);
        Prices(doc, c.Price ?? c.PriceMin);

        Facet(doc, IndexFields.Type, c.Type.ToString());
        foreach (var mode in c.Modes)
        {
            Facet(doc, IndexFields.Mode, mode.ToString());
        }

        Facet(doc, IndexFields.Field, c.Field.ToString());
        Facet(doc, IndexFields.Region, c.Province);
        Facet(doc, IndexFields.PriceBand, PriceBandOf(c).ToString());
        Facet(doc, IndexFields.Maturity, c.Maturity.ToString());
        if (c.PatentStatus is { } status)
        {
            Facet(doc, IndexFields.Patent, status.ToString());
        }

        return doc;
    }

    public static Document From(Demand demand)
    {
        var c = demand.Content;
        // Confidential details never reach the index: snippets and matches come from the public summary only.
        var body = c.Confidential ? c.Summary : $"{c.Summary} {RichText.ToPlainText(c.DetailsHtml)}";
        var data = new HitData(null, [], [c.Field.ToString()], c.Province, c.City, null, null, c.BudgetMin, c.BudgetMax, null, null, null, c.Deadline, null, null, demand.PublishedAt ?? demand.UpdatedAt);
        var doc = Base(EntityKinds.Demand, demand.Id, c.Title, $"{c.Tags} {demand.AttributeTags}", body, c.Summary, data);
        Prices(doc, c.BudgetMax ?? c.BudgetMin);

        Facet(doc, IndexFields.Field, c.Field.ToString());
        Facet(doc, IndexFields.Region, c.Province);
        Facet(doc, IndexFields.PriceBand, PriceBands.Of(c.BudgetMax ?? c.BudgetMin).ToString());
        return doc;
    }

    public static Document From(Profile profile)
    {
        var fieldNames = string.Join(' ', profile.Fields.Select(TechFields.Chinese));
        var data = new HitData(profile.Kind.ToString(), [], profile.Fields.Select(f => f.ToString()).ToList(), profile.Province, null, null, null, null, null, null, null, null, null, profile.Affiliation, profile.JobTitle, profile.UpdatedAt);
        var doc = Base(EntityKinds.Profile, profile.Id, profile.Name, $"{profile.JobTitle} {fieldNames}", $"{profile.Affiliation} {profile.Introduction} {profile.Achievements}", profile.Introduction, data);
        foreach (var field in profile.Fields)
        {
            Facet(doc, IndexFields.Field, field.ToString());
        }

        Prices(doc, null);
        Facet(doc, IndexFields.Region, profile.Province);
        Facet(doc, IndexFields.Type, profile.Kind.ToString());
        return doc;
    }

    private static Document Base(string kind, Guid id, string title, string tags, string body, string snippet, HitData data)
    {
        tags = tags.Trim();
        var doc = new Document
        {
            new StringField(IndexFields.Key, KeyOf(kind, id), Field.Store.NO),
            new StringField(IndexFields.Kind, kind, Field.Store.NO),
            new TextField(IndexFields.Title, title, Field.Store.NO),
            new TextField(IndexFields.Tags, tags, Field.Store.NO),
            new TextField(IndexFields.Body, body, Field.Store.NO),
            new NumericDocValuesField(IndexFields.Published, data.At.UtcTicks),
            new BinaryDocValuesField(IndexFields.Card, new BytesRef(IndexedCard.Encode(new IndexedCard(kind, id, title, tags, snippet, data)))),
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
}

/// <summary>
/// What a result card shows, stored per document as binary doc values: read for the shown hits of every search, as
/// one uncompressed slice of the memory-mapped file. Stored fields were decompressed (LZ4, a byte at a time in
/// Lucene.Net) from the start of a 16 KB block for every hit — about a sixth of a search.
/// </summary>
public sealed record IndexedCard(string Kind, Guid Id, string Title, string Tags, string Snippet, HitData Data)
{
    /// <summary>Longer than any valid summary or introduction (a doc value holds at most 32,766 bytes).</summary>
    public const int MaxSnippet = 2000;

    public static byte[] Encode(IndexedCard card)
    {
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(card.Kind);
            writer.Write(card.Id.ToByteArray());
            writer.Write(card.Title);
            writer.Write(card.Tags);
            writer.Write(card.Snippet.Length > MaxSnippet ? card.Snippet[..MaxSnippet] : card.Snippet);
            writer.Write(JsonSerializer.Serialize(card.Data, HitDataJson.Default.HitData));
        }

        return buffer.ToArray();
    }

    public static IndexedCard Decode(BytesRef bytes)
    {
        // Read in place, as BinaryWriter wrote it (7-bit encoded byte lengths, UTF-8): a BinaryReader per hit allocated
        // its buffers every time.
        var span = bytes.Bytes.AsSpan(bytes.Offset, bytes.Length);
        var kind = ReadString(ref span);
        var id = new Guid(span[..16]);
        span = span[16..];
        var title = ReadString(ref span);
        var tags = ReadString(ref span);
        var snippet = ReadString(ref span);
        var data = JsonSerializer.Deserialize(ReadUtf8(ref span), HitDataJson.Default.HitData)!;
        return new IndexedCard(kind, id, title, tags, snippet, data);
    }

    private static string ReadString(ref Span<byte> span) => System.Text.Encoding.UTF8.GetString(ReadUtf8(ref span));

    private static Span<byte> ReadUtf8(ref Span<byte> span)
    {
        var length = 0;
        var at = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = span[at++];
            length |= (b & 0x7F) << shift;
            if (b < 0x80)
            {
                break;
            }
        }

        var text = span.Slice(at, length);
        span = span[(at + length)..];
        return text;
    }
}
