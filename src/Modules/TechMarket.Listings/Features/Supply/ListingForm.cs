using System.Globalization;
using Microsoft.Extensions.Localization;
using TechMarket.Kernel.Http;
using TechMarket.Listings.Domain;

namespace TechMarket.Listings.Features.Supply;

/// <summary>The publish page's form: text in, so a mistyped number becomes a field error rather than a binding failure.</summary>
public sealed class ListingForm
{
    public string? Title { get; set; }
    public string? Type { get; set; }
    public List<string>? Modes { get; set; }
    public string? Pricing { get; set; }
    public string? Price { get; set; }
    public string? PriceMin { get; set; }
    public string? PriceMax { get; set; }
    public string? Maturity { get; set; }
    public string? Trl { get; set; }
    public string? Field { get; set; }
    public string? Province { get; set; }
    public string? City { get; set; }
    public string? PatentNumber { get; set; }
    public string? PatentStatus { get; set; }
    public string? Abstract { get; set; }
    public string? Description { get; set; }
    public string? Tags { get; set; }
    public string? Contact { get; set; }

    public static ListingForm From(ListingInput i) => new()
    {
        Title = i.Title,
        Type = i.Type?.ToString(),
        Modes = i.Modes?.Select(m => m.ToString()).ToList(),
        Pricing = i.Pricing?.ToString(),
        Price = i.Price?.ToString(CultureInfo.InvariantCulture),
        PriceMin = i.PriceMin?.ToString(CultureInfo.InvariantCulture),
        PriceMax = i.PriceMax?.ToString(CultureInfo.InvariantCulture),
        Maturity = i.Maturity?.ToString(),
        Trl = i.Trl?.ToString(CultureInfo.InvariantCulture),
        Field = i.Field?.ToString(),
        Province = i.Province,
        City = i.City,
        PatentNumber = i.PatentNumber,
        PatentStatus = i.PatentStatus?.ToString(),
        Abstract = i.Abstract,
        Description = i.Description,
        Tags = i.Tags,
        Contact = i.Contact?.ToString(),
    };

    public ListingInput ToInput(FieldErrors errors, IStringLocalizer<ListingsStrings> text) => new()
    {
        Title = Title,
        Type = Enum<ListingType>(Type),
        Modes = Modes?.Select(Enum<TransactionMode>).Where(m => m is not null).Select(m => m!.Value).ToList(),
        Pricing = Enum<PricingKind>(Pricing),
        Price = FormValues.Amount(nameof(Price), Price, errors, text),
        PriceMin = FormValues.Amount(nameof(PriceMin), PriceMin, errors, text),
        PriceMax = FormValues.Amount(nameof(PriceMax), PriceMax, errors, text),
        Maturity = Enum<MaturityStage>(Maturity),
        Trl = string.IsNullOrWhiteSpace(Trl) ? null : int.TryParse(Trl, out var trl) ? trl : -1,
        Field = Enum<TechField>(Field),
        Province = Province,
        City = City,
        PatentNumber = PatentNumber,
        PatentStatus = Enum<PatentStatus>(PatentStatus),
        Abstract = Abstract,
        Description = Description,
        Tags = Tags,
        Contact = Enum<ContactPreference>(Contact),
    };

    private static T? Enum<T>(string? value)
        where T : struct, System.Enum =>
        System.Enum.TryParse<T>(value, out var parsed) && System.Enum.IsDefined(parsed) ? parsed : null;
}
