namespace SessionCluster.Hocon;

/// <summary>Parses HOCON text or files into a resolved <see cref="HoconObject"/>.</summary>
public static class HoconParser
{
    /// <summary>Parses and resolves HOCON text.</summary>
    /// <param name="text">The HOCON source.</param>
    /// <param name="originName">Name used in origins and error messages.</param>
    /// <param name="baseDirectory">Directory that relative includes resolve against; the current directory by default.</param>
    /// <exception cref="HoconException">The text is malformed or a substitution cannot be resolved.</exception>
    public static HoconObject Parse(string text, string originName = "<string>", string? baseDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        var raw = new IncludeLoader().ParseText(text, originName, baseDirectory ?? Directory.GetCurrentDirectory());
        return Resolve(raw);
    }

    /// <summary>Parses and resolves a HOCON file; includes resolve relative to its directory.</summary>
    /// <param name="path">The file to read.</param>
    /// <param name="originName">Name used in origins and error messages; the path as given by default.</param>
    /// <exception cref="HoconException">The file is malformed or a substitution cannot be resolved.</exception>
    public static HoconObject ParseFile(string path, string? originName = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var raw = new IncludeLoader().ParseFile(Path.GetFullPath(path), originName ?? path);
        return Resolve(raw);
    }

    private static HoconObject Resolve(RawObject raw) =>
        new SubstitutionResolver(raw, Environment.GetEnvironmentVariable).Resolve();
}
