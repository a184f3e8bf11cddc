namespace TechMarket.Kernel.Http;

/// <summary>
/// Field name → messages, shared by API handlers (400 problem+json) and pages (messages beside fields)
/// so one validation serves both.
/// </summary>
public sealed class FieldErrors
{
    private readonly Dictionary<string, List<string>> errors = new(StringComparer.Ordinal);

    public bool IsEmpty => errors.Count == 0;

    public FieldErrors Add(string field, string message)
    {
        if (!errors.TryGetValue(field, out var list))
        {
            errors[field] = list = [];
        }

        list.Add(message);
        return this;
    }

    public IReadOnlyList<string> For(string field) => errors.TryGetValue(field, out var list) ? list : [];

    public IDictionary<string, string[]> ToDictionary() =>
        errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);
}
