using System.Diagnostics.CodeAnalysis;

namespace SessionCluster.Hocon;

/// <summary>
/// Parses HOCON memory sizes: <c>64KiB</c>, <c>1MiB</c>, <c>64kB</c> (=64000), <c>10 K</c>, <c>1m</c> (=1MiB), <c>1024</c> (bytes).
/// </summary>
public static class HoconSize
{
    private const string Example = "a size like 512, 64KiB, 10MB or 1GiB";

    // Case matters: "kB"/"MB" are powers of 1000, "K"/"M"/"KiB"/"MiB" powers of 1024 (HOCON spec).
    private static readonly Dictionary<string, decimal> BytesPerUnit = BuildUnitTable();

    /// <summary>Parses a size in bytes.</summary>
    /// <exception cref="FormatException">The text is not a size.</exception>
    public static long Parse(string text) =>
        TryParse(text, out var value, out var error) ? value : throw new FormatException(error);

    public static bool TryParse([NotNullWhen(true)] string? text, out long bytes) => TryParse(text, out bytes, out _);

    private static bool TryParse(string? text, out long bytes, out string error)
    {
        bytes = 0;
        var trimmed = text?.Trim() ?? string.Empty;
        if (!UnitText.TrySplit(trimmed, out var number, out var unit))
        {
            error = $"expected {Example}, got '{text}'";
            return false;
        }

        if (!BytesPerUnit.TryGetValue(unit, out var bytesPerUnit))
        {
            error = unit is "KB" or "Kb" or "kb"
                ? $"ambiguous size unit '{unit}' in '{text}'; use KiB (1024 bytes) or kB (1000 bytes)"
                : $"unknown size unit '{unit}' in '{text}'; use B, K/KiB, M/MiB, G/GiB, T/TiB (powers of 1024) or kB, MB, GB, TB (powers of 1000)";
            return false;
        }

        if (number < 0)
        {
            error = $"size '{text}' is negative";
            return false;
        }

        decimal total;
        try
        {
            // Fractions of a byte are dropped, as Lightbend config does.
            total = decimal.Truncate(number * bytesPerUnit);
        }
        catch (OverflowException)
        {
            total = decimal.MaxValue;
        }

        if (total > long.MaxValue)
        {
            error = $"size '{text}' is too large";
            return false;
        }

        bytes = (long)total;
        error = string.Empty;
        return true;
    }

    private static Dictionary<string, decimal> BuildUnitTable()
    {
        var table = new Dictionary<string, decimal>(StringComparer.Ordinal);
        void Add(decimal bytes, params string[] names)
        {
            foreach (var name in names)
            {
                table[name] = bytes;
            }
        }

        Add(1, string.Empty, "B", "b", "byte", "bytes");
        (string Letter, string Binary, string Decimal)[] prefixes =
        [
            ("K", "kibi", "kilo"),
            ("M", "mebi", "mega"),
            ("G", "gibi", "giga"),
            ("T", "tebi", "tera"),
            ("P", "pebi", "peta"),
        ];
        decimal binary = 1, power = 1;
        foreach (var (letter, binaryName, decimalName) in prefixes)
        {
            binary *= 1024;
            power *= 1000;
            Add(binary, letter, letter.ToLowerInvariant(), letter + "i", letter + "iB", binaryName + "byte", binaryName + "bytes");
            var decimalSymbol = letter == "K" ? "kB" : letter + "B";
            Add(power, decimalSymbol, decimalName + "byte", decimalName + "bytes");
        }

        return table;
    }
}
