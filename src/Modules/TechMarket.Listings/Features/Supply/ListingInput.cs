using System.Text.RegularExpressions;
using Microsoft.Extensions.Localization;
using TechMarket.Kernel.Http;
using TechMarket.Listings.Domain;

namespace TechMarket.Listings.Features.Supply;

/// <summary>What the publish form and POST/PUT /api/v1/listings send. Everything is optional here so validation can name each missing field.</summary>
public sealed class ListingInput
{
    public string? Title { get; set; }
    public ListingType? Type { get; set; }
    public List<TransactionMode>? Modes { get; set; }
    public PricingKind? Pricing { get; set; }
    public decimal? Price { get; set; }
    public decimal? PriceMin { get; set; }
    public decimal? PriceMax { get; set; }
    public MaturityStage? Maturity { get; set; }
    public int? Trl { get; set; }
    public TechField? Field { get; set; }
    public string? Province { get; set; }
    public string? City { get; set; }
    public string? PatentNumber { get; set; }
    public PatentStatus? PatentStatus { get; set; }
    public string? Abstract { get; set; }
    public string? Description { get; set; }
    public string? Tags { get; set; }
    public ContactPreference? Contact { get; set; }
    public List<string>? Images { get; set; }
    public List<string>? Attachments { get; set; }

    public static ListingInput From(ListingContent c) => new()
    {
        Title = c.Title,
        Type = c.Type,
        Modes = [.. c.Modes],
        Pricing = c.Pricing,
        Price = c.Price,
        PriceMin = c.PriceMin,
        PriceMax = c.PriceMax,
        Maturity = c.Maturity,
        Trl = c.Trl,
        Field = c.Field,
        Province = c.Province,
        City = c.City,
        PatentNumber = c.PatentNumber,
        PatentStatus = c.PatentStatus,
        Abstract = c.Abstract,
        Description = c.DescriptionHtml,
        Tags = c.Tags,
        Contact = c.Contact,
        Images = [.. c.Images],
        Attachments = [.. c.Attachments],
    };
}

public static partial class ListingValidation
{
    /// <summary>Prices are in CNY; 100 亿 is far above any real technology deal and keeps decimals sane on both databases.</summary>
    public const decimal MaxPrice = 10_000_000_000m;

    public static ListingContent? Validate(ListingInput input, FieldErrors errors, IStringLocalizer<ListingsStrings> text)
    {
        var title = input.Title?.Trim() ?? "";
        if (title.Length < 5 || title.Length > 100)
        {
            errors.Add("Title", text["Error.TitleLength"]);
        }

        if (input.Type is null || !Enum.IsDefined(input.Type.Value))
        {
            errors.Add("Type", text["Error.Required"]);
        }

        var modes = input.Modes?.Where(Enum.IsDefined).Distinct().ToList() ?? [];
        if (modes.Count == 0)
        {
            errors.Add("Modes", text["Error.ModesRequired"]);
        }

        if (input.Pricing is null)
        {
            errors.Add("Pricing", text["Error.Required"]);
        }
        else if (input.Pricing == PricingKind.Fixed)
        {
            if (input.Price is not { } price || price <= 0 || price > MaxPrice)
            {
                errors.Add("Price", text["Error.PriceRange"]);
            }
        }
        else
        {
            if (input.PriceMin is { } min && (min < 0 || min > MaxPrice))
            {
                errors.Add("PriceMin", text["Error.PriceRange"]);
            }

            if (input.PriceMax is { } max && (max <= 0 || max > MaxPrice))
            {
                errors.Add("PriceMax", text["Error.PriceRange"]);
            }

            if (input.PriceMin is { } lo && input.PriceMax is { } hi && lo > hi)
            {
                errors.Add("PriceMax", text["Error.PriceOrder"]);
            }
        }

        if (input.Maturity is null)
        {
            errors.Add("Maturity", text["Error.Required"]);
        }

        if (input.Trl is { } trl && (trl < 1 || trl > 9))
        {
            errors.Add("Trl", text["Error.Trl"]);
        }

        if (input.Field is null)
        {
            errors.Add("Field", text["Error.Required"]);
        }

        if (!Regions.IsProvince(input.Province))
        {
            errors.Add("Province", text["Error.Province"]);
        }

        var patentNumber = input.PatentNumber?.Trim().ToUpperInvariant();
        if (input.Type == ListingType.Patent)
        {
            if (string.IsNullOrEmpty(patentNumber) || !PatentNumber().IsMatch(patentNumber))
            {
                errors.Add("PatentNumber", text["Error.PatentNumber"]);
            }

            if (input.PatentStatus is null)
            {
                errors.Add("PatentStatus", text["Error.Required"]);
            }
        }

        var summary = input.Abstract?.Trim() ?? "";
        if (summary.Length < 10 || summary.Length > 500)
        {
            errors.Add("Abstract", text["Error.AbstractLength"]);
        }

        if ((input.Description?.Length ?? 0) > 20_000)
        {
            errors.Add("Description", text["Error.DescriptionLength"]);
        }

        var tags = string.Join(',', (input.Tags ?? "").Split([',', '，', ';', '；'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct().Take(10));
        if (tags.Length > 200)
        {
            errors.Add("Tags", text["Error.Tags"]);
        }

        var files = (input.Images ?? []).Concat(input.Attachments ?? []).ToList();
        if (files.Count > 20 || files.Any(f => !FileKey().IsMatch(f)))
        {
            errors.Add("Images", text["Error.Files"]);
        }

        if (!errors.IsEmpty)
        {
            return null;
        }

        var isPatent = input.Type == ListingType.Patent;
        return new ListingContent
        {
            Title = title,
            Type = input.Type!.Value,
            Modes = modes,
            Pricing = input.Pricing!.Value,
            Price = input.Pricing == PricingKind.Fixed ? input.Price : null,
            PriceMin = input.Pricing == PricingKind.Negotiable ? input.PriceMin : null,
            PriceMax = input.Pricing == PricingKind.Negotiable ? input.PriceMax : null,
            Maturity = input.Maturity!.Value,
            Trl = input.Trl,
            Field = input.Field!.Value,
            Province = input.Province!,
            City = string.IsNullOrWhiteSpace(input.City) ? null : input.City.Trim()[..Math.Min(input.City.Trim().Length, 20)],
            PatentNumber = isPatent ? patentNumber : null,
            PatentStatus = isPatent ? input.PatentStatus : null,
            Abstract = summary,
            DescriptionHtml = RichText.Sanitize(input.Description),
            Tags = tags,
            Images = input.Images ?? [],
            Attachments = input.Attachments ?? [],
            Contact = input.Contact ?? ContactPreference.Platform,
        };
    }

    // CN application / publication numbers: "CN202310123456.7", "ZL201910000001.X", "CN112345678A".
    [GeneratedRegex(@"^(CN|ZL)?\d{8,13}(\.[\dX])?[A-Z]?\d?$")]
    private static partial Regex PatentNumber();

    [GeneratedRegex(@"^[a-z0-9/_\-\.]{8,200}$")]
    private static partial Regex FileKey();
}
