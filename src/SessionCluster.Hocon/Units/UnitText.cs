using System.Globalization;

namespace SessionCluster.Hocon;

/// <summary>Splits text such as <c>5 s</c> or <c>1.5GiB</c> into its number and unit.</summary>
internal static class UnitText
{
    public static bool TrySplit(string text, out decimal number, out string unit)
    {
        number = 0;
        unit = string.Empty;
        var end = 0;
        while (end < text.Length && (char.IsAsciiDigit(text[end]) || text[end] is '.' or '-' or '+'))
        {
            end++;
        }

        // An exponent (1e3) is part of the number only when digits follow the 'e'.
        if (end < text.Length && text[end] is 'e' or 'E')
        {
            var exponentEnd = end + 1;
            if (exponentEnd < text.Length && text[exponentEnd] is '+' or '-')
            {
                exponentEnd++;
            }

            var digitsStart = exponentEnd;
            while (exponentEnd < text.Length && char.IsAsciiDigit(text[exponentEnd]))
            {
                exponentEnd++;
            }

            if (exponentEnd > digitsStart)
            {
                end = exponentEnd;
            }
        }

        if (end == 0
            || !decimal.TryParse(
                text.AsSpan(0, end),
                NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent,
                CultureInfo.InvariantCulture,
                out number))
        {
            return false;
        }

        unit = text[end..].Trim();
        return unit.All(char.IsLetter);
    }
}
