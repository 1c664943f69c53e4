using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.FileProviders;

namespace SessionCluster.Hocon;

/// <summary>Adds HOCON files, text and streams to an <see cref="IConfigurationBuilder"/>.</summary>
public static class HoconConfigurationExtensions
{
    /// <summary>
    /// Adds a HOCON file. A relative path resolves against the builder's base path
    /// (<c>SetBasePath</c>, or the app's base directory), like <c>AddJsonFile</c>.
    /// Origins and errors show the path as written here.
    /// </summary>
    public static IConfigurationBuilder AddHoconFile(this IConfigurationBuilder builder, string path, bool optional = false)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(path);
        var fullPath = Path.IsPathRooted(path) ? path : Path.Combine(BasePathOf(builder), path);
        return builder.Add(new HoconConfigurationSource
        {
            FilePath = Path.GetFullPath(fullPath),
            Optional = optional,
            OriginName = path,
        });
    }

    /// <summary>Adds HOCON text; <paramref name="baseDirectory"/> is where relative includes are looked up.</summary>
    public static IConfigurationBuilder AddHoconString(
        this IConfigurationBuilder builder,
        string text,
        string originName = "<string>",
        string? baseDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(text);
        return builder.Add(new HoconConfigurationSource
        {
            Text = text,
            OriginName = originName,
            BaseDirectory = baseDirectory,
        });
    }

    /// <summary>Adds HOCON read (now, as UTF-8) from a stream; the stream is not disposed.</summary>
    public static IConfigurationBuilder AddHoconStream(
        this IConfigurationBuilder builder,
        Stream stream,
        string originName = "<stream>",
        string? baseDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, leaveOpen: true);
        return builder.AddHoconString(reader.ReadToEnd(), originName, baseDirectory);
    }

    private static string BasePathOf(IConfigurationBuilder builder) =>
        builder.GetFileProvider() is PhysicalFileProvider physical ? physical.Root : AppContext.BaseDirectory;
}
