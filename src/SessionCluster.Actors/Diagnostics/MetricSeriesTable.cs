namespace SessionCluster.Actors.Diagnostics;

/// <summary>The series of one instrument, one per distinct label set, found without a lock or an allocation once it exists.</summary>
/// <remarks>Readers scan an immutable array (instruments here have a handful of series); a new label set takes a lock
/// and publishes a longer array. The same tags in another order map to the same series.</remarks>
internal sealed class MetricSeriesTable<TSeries>(Func<TSeries> create)
    where TSeries : class
{
    private readonly Lock _gate = new();
    private volatile Entry[] _entries = [];

    public TSeries Get(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        foreach (var entry in _entries)
        {
            if (entry.Labels.Matches(tags))
            {
                return entry.Series;
            }
        }

        return Add(tags);
    }

    /// <summary>Every series with its label text, once each, ordered by labels (a stable exposition).</summary>
    public IEnumerable<(string Labels, TSeries Series)> Series() =>
        _entries
            .DistinctBy(entry => entry.Series)
            .Select(entry => (entry.Labels.Text, entry.Series))
            .OrderBy(entry => entry.Text, StringComparer.Ordinal);

    private TSeries Add(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        lock (_gate)
        {
            var entries = _entries;
            foreach (var entry in entries)
            {
                if (entry.Labels.Matches(tags))
                {
                    return entry.Series;
                }
            }

            var labels = MetricLabels.From(tags);
            var series = entries.FirstOrDefault(entry => entry.Labels.Text == labels.Text)?.Series ?? create();
            _entries = [.. entries, new Entry(labels, series)];
            return series;
        }
    }

    private sealed record Entry(MetricLabels Labels, TSeries Series);
}
