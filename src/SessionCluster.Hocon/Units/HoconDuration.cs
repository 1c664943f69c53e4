using System.Diagnostics.CodeAnalysis;

namespace SessionCluster.Hocon;

/// <summary>Parses HOCON duration strings such as <c>200ms</c>, <c>5 s</c> or <c>30 minutes</c>.</summary>
public static class HoconDuration
{
    private const string Example = "a duration like 30s, 200ms or 5 minutes";

    // Ticks are 100ns, so a nanosecond is a hundredth of a tick; decimal keeps the fractions exact.
    private static readonly Dictionary<string, decimal> TicksPerUnit = BuildUnitTable();

    /// <summary>Parses a duration; a bare number means milliseconds, as in Lightbend config.</summary>
    /// <exception cref="FormatException">The text is not a duration.</exception>
    public static TimeSpan Parse(string text) =>
        TryParse(text, out var value, out var error) ? value : throw new FormatException(error);

    public static bool TryParse([NotNullWhen(true)] string? text, out TimeSpan value) => TryParse(text, out value, out _);

    private static bool TryParse(string? text, out TimeSpan value, out string error)
    {
        value = default;
        var trimmed = text?.Trim() ?? string.Empty;
        if (!UnitText.TrySplit(trimmed, out var number, out var unit))
        {
            error = $"expected {Example}, got '{text}'";
            return false;
        }

        if (!TicksPerUnit.TryGetValue(unit, out var ticksPerUnit))
        {
            error = $"unknown duration unit '{unit}' in '{text}'; use ns, us, ms, s, m, h or d "
                + "(or nanoseconds, microseconds, milliseconds, seconds, minutes, hours, days)";
            return false;
        }

        decimal ticks;
        try
        {
            ticks = decimal.Round(number * ticksPerUnit, MidpointRounding.AwayFromZero);
        }
        catch (OverflowException)
        {
            ticks = decimal.MaxValue;
        }

        if (ticks > TimeSpan.MaxValue.Ticks || ticks < TimeSpan.MinValue.Ticks)
        {
            error = $"duration '{text}' is too large";
            return false;
        }

        value = TimeSpan.FromTicks((long)ticks);
        error = string.Empty;
        return true;
    }

    private static Dictionary<string, decimal> BuildUnitTable()
    {
        var table = new Dictionary<string, decimal>(StringComparer.OrdinalIgnoreCase);
        void Add(decimal ticks, params string[] names)
        {
            foreach (var name in names)
            {
                table[name] = ticks;
            }
        }

        Add(TimeSpan.TicksPerMillisecond, string.Empty, "ms", "milli", "millis", "millisecond", "milliseconds");
        Add(0.01m, "ns", "nano", "nanos", "nanosecond", "nanoseconds");
        Add(TimeSpan.TicksPerMicrosecond, "us", "µs", "micro", "micros", "microsecond", "microseconds");
        Add(TimeSpan.TicksPerSecond, "s", "second", "seconds");
        Add(TimeSpan.TicksPerMinute, "m", "minute", "minutes");
        Add(TimeSpan.TicksPerHour, "h", "hour", "hours");
        Add(TimeSpan.TicksPerDay, "d", "day", "days");
        return table;
    }
}
