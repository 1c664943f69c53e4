using Spectre.Console;

namespace SessionCluster.Cmd.Tests.Support;

/// <summary>A Spectre console writing plain text (no colours, no cursor moves) at a fixed width, so rendered views can be asserted on.</summary>
internal static class PlainConsole
{
    public const int Width = 160;

    public static IAnsiConsole Create(TextWriter writer)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(writer),
        });
        console.Profile.Width = Width;
        return console;
    }

    /// <summary>An interactive ANSI terminal without colours: what a live view draws there, cursor moves included.</summary>
    public static IAnsiConsole CreateTerminal(TextWriter writer)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.Yes,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.Yes,
            Out = new AnsiConsoleOutput(writer),
        });
        console.Profile.Width = Width;
        return console;
    }

    /// <summary>Renders with <paramref name="draw"/> and returns the text.</summary>
    public static string Render(Action<IAnsiConsole> draw)
    {
        var writer = new StringWriter();
        draw(Create(writer));
        return writer.ToString();
    }
}
