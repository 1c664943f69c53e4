using System.Text;

namespace SessionCluster.Cmd.Api;

/// <summary>
/// Turns the lines of a <c>text/event-stream</c> into the data of its events: <c>data:</c> lines accumulate (joined
/// by newlines, as the format says) and a blank line ends the event; comment lines (<c>: keep-alive</c>) and the
/// other fields (<c>event:</c>, <c>id:</c>, <c>retry:</c>) are skipped. Pure: fed one line at a time.
/// </summary>
public sealed class ServerSentEventReader
{
    private readonly StringBuilder _data = new();
    private bool _hasData;

    /// <summary>Feeds one line (without its line break); returns the data of the event that this line completes, if any.</summary>
    public string? Feed(string line)
    {
        if (line.Length == 0)
        {
            if (!_hasData)
            {
                return null;
            }

            var data = _data.ToString();
            _data.Clear();
            _hasData = false;
            return data;
        }

        if (line[0] == ':' || !line.StartsWith("data", StringComparison.Ordinal))
        {
            return null;
        }

        var value = line.Length == 4 ? "" : line[4] == ':' ? line[5..] : null;
        if (value is null)
        {
            return null; // a field named e.g. "dataset": not ours.
        }

        if (value.StartsWith(' '))
        {
            value = value[1..];
        }

        if (_hasData)
        {
            _data.Append('\n');
        }

        _data.Append(value);
        _hasData = true;
        return null;
    }
}
