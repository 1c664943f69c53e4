using System.Text;

namespace SessionCluster.Actors.Sharding;

/// <summary>Shard ids written as runs ("0-3, 7, 9-10"), so that a log line about many shards stays one short line.</summary>
internal static class ShardRanges
{
    /// <summary>Sorted shard ids as runs: "0-3, 7, 9-10"; empty for none.</summary>
    public static string Format(IReadOnlyList<int> sorted)
    {
        var text = new StringBuilder();
        for (var i = 0; i < sorted.Count; i++)
        {
            var start = sorted[i];
            while (i + 1 < sorted.Count && sorted[i + 1] == sorted[i] + 1)
            {
                i++;
            }

            text.Append(text.Length == 0 ? "" : ", ").Append(start);
            if (sorted[i] != start)
            {
                text.Append('-').Append(sorted[i]);
            }
        }

        return text.ToString();
    }
}
