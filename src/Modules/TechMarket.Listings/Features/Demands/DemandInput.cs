using Microsoft.Extensions.Localization;
using TechMarket.Kernel.Http;
using TechMarket.Listings.Domain;
using TechMarket.Listings.Features.Supply;

namespace TechMarket.Listings.Features.Demands;

/// <summary>What the demand form and POST/PUT /api/v1/demands send. Everything is optional here so validation can name each missing field.</summary>
public sealed class DemandInput
{
    public string? Title { get; set; }
    public string? Summary { get; set; }
    public string? Details { get; set; }
    public TechField? Field { get; set; }
    public string? Province { get; set; }
    public string? City { get; set; }
    public decimal? BudgetMin { get; set; }
    public decimal? BudgetMax { get; set; }
    public DateOnly? Deadline { get; set; }
    public bool Confidential { get; set; }
    public string? Tags { get; set; }
}

public static class DemandValidation
{
    public static DemandContent? Validate(DemandInput input, FieldErrors errors, IStringLocalizer<ListingsStrings> text, DateOnly today)
    {
        var title = input.Title?.Trim() ?? "";
        if (title.Length < 5 || title.Length > 100)
        {
            errors.Add("Title", text["Error.TitleLength"]);
        }

        var summary = input.Summary?.Trim() ?? "";
        if (summary.Length < 10 || summary.Length > 500)
        {
            errors.Add("Summary", text["Error.AbstractLength"]);
        }

        if ((input.Details?.Length ?? 0) > 20_000)
        {
            errors.Add("Details", text["Error.DescriptionLength"]);
        }

        if (input.Field is null)
        {
            errors.Add("Field", text["Error.Required"]);
        }

        if (!Regions.IsProvince(input.Province))
        {
            errors.Add("Province", text["Error.Province"]);
        }

        if (input.BudgetMin is { } min && (min < 0 || min > ListingValidation.MaxPrice))
        {
            errors.Add("BudgetMin", text["Error.PriceRange"]);
        }

        if (input.BudgetMax is { } max && (max <= 0 || max > ListingValidation.MaxPrice))
        {
            errors.Add("BudgetMax", text["Error.PriceRange"]);
        }

        if (input.BudgetMin is { } lo && input.BudgetMax is { } hi && lo > hi)
        {
            errors.Add("BudgetMax", text["Error.PriceOrder"]);
        }

        if (input.Deadline is { } deadline && deadline < today)
        {
            errors.Add("Deadline", text["Error.Deadline"]);
        }

        if (!errors.IsEmpty)
        {
            return null;
        }

        return new DemandContent
        {
            Title = title,
            Summary = summary,
            DetailsHtml = RichText.Sanitize(input.Details),
            Field = input.Field!.Value,
            Province = input.Province!,
            City = string.IsNullOrWhiteSpace(input.City) ? null : input.City.Trim(),
            BudgetMin = input.BudgetMin,
            BudgetMax = input.BudgetMax,
            Deadline = input.Deadline,
            Confidential = input.Confidential,
            Tags = string.Join(',', (input.Tags ?? "").Split([',', '，'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct().Take(10)),
        };
    }
}
