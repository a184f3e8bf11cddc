using System.Globalization;
using Microsoft.Extensions.Localization;
using TechMarket.Kernel.Http;

namespace TechMarket.Listings.Features;

/// <summary>Parsing of the text that publish forms post, shared by the listing and demand forms.</summary>
public static class FormValues
{
    /// <summary>An amount in yuan ("1,200,000" allowed); anything else is a field error under <paramref name="field"/>.</summary>
    public static decimal? Amount(string field, string? value, FieldErrors errors, IStringLocalizer<ListingsStrings> text)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        if (decimal.TryParse(value.Replace(",", "", StringComparison.Ordinal), NumberStyles.Number, CultureInfo.InvariantCulture, out var number))
        {
            return number;
        }

        errors.Add(field, text["Error.PriceRange"]);
        return null;
    }
}
