using System.Security.Cryptography;

namespace SessionCluster.Actors.Sessions;

/// <summary>A session's identity: 128 bits from a CSPRNG, written as 32 lowercase hex digits.</summary>
/// <remarks>Ids are only ever minted by <see cref="New"/>; a parsed id is looked up, never adopted.</remarks>
public readonly record struct SessionId(UInt128 Value) : ISpanFormattable
{
    /// <summary>The length of the text form.</summary>
    public const int TextLength = 32;

    public static SessionId New()
    {
        Span<byte> bytes = stackalloc byte[16];
        RandomNumberGenerator.Fill(bytes);
        return new SessionId(System.Buffers.Binary.BinaryPrimitives.ReadUInt128BigEndian(bytes));
    }

    /// <summary>Parses exactly 32 hex digits (either case); anything else is not an id.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out SessionId id)
    {
        id = default;
        if (text.Length != TextLength)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!char.IsAsciiHexDigit(c))
            {
                return false;
            }
        }

        id = new SessionId(UInt128.Parse(text, System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture));
        return true;
    }

    public override string ToString()
    {
        Span<char> text = stackalloc char[TextLength];
        TryFormat(text, out _);
        return new string(text);
    }

    /// <summary>Writes the 32 hex digits into <paramref name="destination"/>, so a cookie or a JSON document can carry the
    /// id without a string of its own; false if it is too short.</summary>
    public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format = default, IFormatProvider? provider = null)
    {
        Span<byte> bytes = stackalloc byte[16];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt128BigEndian(bytes, Value);
        return Convert.TryToHexStringLower(bytes, destination, out charsWritten);
    }

    string IFormattable.ToString(string? format, IFormatProvider? formatProvider) => ToString();
}
