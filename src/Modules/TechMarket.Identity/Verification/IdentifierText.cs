namespace TechMarket.Identity.Verification;

/// <summary>Shared clean-up of identifiers typed or pasted by people.</summary>
internal static class IdentifierText
{
    // Identifiers are 18 characters; anything longer than this is copied to the heap instead of the stack.
    private const int StackLimit = 64;

    /// <summary>
    /// Removes all white space (people paste numbers grouped as "110105 19491231 002X", and Chinese IMEs
    /// produce the ideographic space U+3000) and upper-cases ASCII letters as selected by <paramref name="casing"/>.
    /// Returns <paramref name="value"/> itself when nothing changes, so already clean input costs no allocation.
    /// </summary>
    internal static string Compact(string value, Casing casing)
    {
        ArgumentNullException.ThrowIfNull(value);

        Span<char> buffer = value.Length <= StackLimit ? stackalloc char[StackLimit] : new char[value.Length];
        var length = 0;
        foreach (var c in value)
        {
            if (char.IsWhiteSpace(c))
            {
                continue;
            }

            // ASCII only: culture-aware upper-casing maps e.g. 'ı' to 'I' and would turn garbage into letters.
            buffer[length++] = casing == Casing.AllAsciiLetters && char.IsAsciiLetterLower(c) ? (char)(c - ('a' - 'A')) : c;
        }

        if (casing == Casing.TrailingX && length > 0 && buffer[length - 1] == 'x')
        {
            buffer[length - 1] = 'X';
        }

        var compacted = buffer[..length];
        return compacted.SequenceEqual(value) ? value : new string(compacted);
    }

    internal enum Casing
    {
        TrailingX,
        AllAsciiLetters,
    }
}
