namespace SessionCluster.Hocon;

/// <summary>Reads HOCON files for the parser and for <c>include</c> directives, detecting include cycles.</summary>
internal sealed class IncludeLoader
{
    private static readonly StringComparer PathComparer =
        OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;

    // The chain of files being parsed right now; a file that includes itself (directly or not) is an error.
    private readonly List<(string FullPath, string DisplayName)> _openFiles = [];

    public RawObject ParseText(string text, string originName, string baseDirectory) =>
        new DocumentParser(new SourceReader(text, originName), this, baseDirectory, string.Empty, HoconPath.Root)
            .ParseDocument();

    /// <summary>Parses a top-level file; <paramref name="displayName"/> is what origins and errors show.</summary>
    public RawObject ParseFile(string fullPath, string displayName) => ParseFile(fullPath, displayName, HoconPath.Root);

    /// <summary>Handles <c>include</c>: returns null when a non-required file is missing.</summary>
    public RawObject? Include(
        string name,
        bool required,
        HoconOrigin site,
        string fullDirectory,
        string displayDirectory,
        HoconPath objectPath)
    {
        if (name.Contains('\0', StringComparison.Ordinal))
        {
            // Path APIs throw ArgumentException on these; the author of the file deserves a HOCON error with its origin.
            throw new HoconException(site, $"include names no file: \"{name.Replace("\0", "\\u0000", StringComparison.Ordinal)}\"");
        }

        var fullPath = Path.GetFullPath(Path.Combine(fullDirectory, name));
        var displayName = Path.IsPathRooted(name) || displayDirectory.Length == 0 ? name : Path.Combine(displayDirectory, name);
        if (!File.Exists(fullPath) && !Path.HasExtension(name) && File.Exists(fullPath + ".conf"))
        {
            // Like Lightbend config, "include foo" finds foo.conf.
            fullPath += ".conf";
            displayName += ".conf";
        }

        if (!File.Exists(fullPath))
        {
            return required
                ? throw new HoconException(site, $"required include \"{name}\" was not found (looked for {fullPath})")
                : null;
        }

        if (_openFiles.Any(open => PathComparer.Equals(open.FullPath, fullPath)))
        {
            var chain = string.Join(" -> ", _openFiles.Select(open => open.DisplayName).Append(displayName));
            throw new HoconException(site, $"include cycle: {chain}");
        }

        try
        {
            return ParseFile(fullPath, displayName, objectPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new HoconException(site, $"cannot read included file \"{name}\": {ex.Message}", ex);
        }
    }

    private RawObject ParseFile(string fullPath, string displayName, HoconPath objectPath)
    {
        var text = File.ReadAllText(fullPath);
        _openFiles.Add((fullPath, displayName));
        try
        {
            var directory = Path.GetDirectoryName(fullPath) ?? Directory.GetCurrentDirectory();
            var displayDirectory = Path.GetDirectoryName(displayName) ?? string.Empty;
            var reader = new SourceReader(text, displayName);
            return new DocumentParser(reader, this, directory, displayDirectory, objectPath).ParseDocument();
        }
        finally
        {
            _openFiles.RemoveAt(_openFiles.Count - 1);
        }
    }
}
