using Microsoft.Extensions.Configuration;

namespace SessionCluster.Hocon;

/// <summary>Describes where a <see cref="HoconConfigurationProvider"/> reads HOCON from: a file or in-memory text.</summary>
public sealed class HoconConfigurationSource : IConfigurationSource
{
    /// <summary>Absolute path of the file to read; null when <see cref="Text"/> is used.</summary>
    public string? FilePath { get; init; }

    /// <summary>When true, a missing <see cref="FilePath"/> yields an empty configuration instead of an error.</summary>
    public bool Optional { get; init; }

    /// <summary>HOCON text to parse instead of a file.</summary>
    public string? Text { get; init; }

    /// <summary>Name shown in origins and errors: the path as the caller wrote it, or a label for text.</summary>
    public string OriginName { get; init; } = "<string>";

    /// <summary>Directory for relative includes in <see cref="Text"/>; the current directory by default.</summary>
    public string? BaseDirectory { get; init; }

    /// <summary>A source this one is layered over, HOCON-style (see <see cref="HoconObject.WithFallback"/>): arrays
    /// replace rather than mix index by index, as they would across two separate providers.</summary>
    public HoconConfigurationSource? Fallback { get; init; }

    public IConfigurationProvider Build(IConfigurationBuilder builder) => new HoconConfigurationProvider(this);

    /// <summary>Parses the file or text; null when an optional file is missing.</summary>
    internal HoconObject? LoadDocument()
    {
        var own = LoadOwnDocument();
        var fallback = Fallback?.LoadDocument();
        return own is null ? fallback : fallback is null ? own : own.WithFallback(fallback);
    }

    private HoconObject? LoadOwnDocument()
    {
        if (Text is not null)
        {
            return HoconParser.Parse(Text, OriginName, BaseDirectory);
        }

        if (FilePath is null)
        {
            throw new InvalidOperationException("A HOCON configuration source needs either FilePath or Text.");
        }

        if (!File.Exists(FilePath))
        {
            return Optional
                ? null
                : throw new FileNotFoundException(
                    $"The HOCON configuration file '{OriginName}' was not found (looked for {FilePath}).",
                    FilePath);
        }

        return HoconParser.ParseFile(FilePath, OriginName);
    }
}
