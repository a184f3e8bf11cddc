using System.Globalization;
using Microsoft.Extensions.Localization;
using TechMarket.Kernel.Http;
using TechMarket.Listings.Domain;

namespace TechMarket.Listings.Features.Demands;

/// <summary>The demand page's form: text in, so a mistyped budget or date becomes a field error, not a binding failure.</summary>
public sealed class DemandForm
{
    public string? Title { get; set; }
    public string? Summary { get; set; }
    public string? Details { get; set; }
    public string? Field { get; set; }
    public string? Province { get; set; }
    public string? City { get; set; }
    public string? BudgetMin { get; set; }
    public string? BudgetMax { get; set; }
    public string? Deadline { get; set; }
    public bool Confidential { get; set; }
    public string? Tags { get; set; }

    public static DemandForm From(DemandContent c) => new()
    {
        Title = c.Title,
        Summary = c.Summary,
        Details = c.DetailsHtml,
        Field = c.Field.ToString(),
        Province = c.Province,
        City = c.City,
        BudgetMin = c.BudgetMin?.ToString(CultureInfo.InvariantCulture),
        BudgetMax = c.BudgetMax?.ToString(CultureInfo.InvariantCulture),
        Deadline = c.Deadline?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        Confidential = c.Confidential,
        Tags = c.Tags,
    };

    public DemandInput ToInput(FieldErrors errors, IStringLocalizer<ListingsStrings> text) => new()
    {
        Title = Title,
        Summary = Summary,
        Details = Details,
        Field = Enum.TryParse<TechField>(Field, out var field) && Enum.IsDefined(field) ? field : null,
        Province = Province,
        City = City,
        BudgetMin = FormValues.Amount(nameof(BudgetMin), BudgetMin, errors, text),
        BudgetMax = FormValues.Amount(nameof(BudgetMax), BudgetMax, errors, text),
        Deadline = Date(Deadline, errors, text),
        Confidential = Confidential,
        Tags = Tags,
    };

    private static DateOnly? Date(string? value, FieldErrors errors, IStringLocalizer<ListingsStrings> text)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        if (DateOnly.TryParseExact(value.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return date;
        }

        errors.Add(nameof(Deadline), text["Error.Deadline"]);
        return null;
    }
}
