using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace SessionLoad;

/// <summary>
/// Times the state transfer to a joining worker and samples the sender's working set meanwhile. Every
/// <c>--interval-ms</c> it polls the sender's <c>GET /cluster/members</c>, <c>/cluster/shards</c> and
/// <c>/cluster/shards/local</c> and the joiner's <c>/cluster/shards/local</c> together; <b>done</b> is the first poll in
/// which the joiner is Up, every shard is homed on exactly <c>--workers</c> homes each holding its share, every count is
/// known (nothing moving), every shard lists <c>--backups</c> backups, the joiner serves every shard homed on it and
/// holds every backup copy the table gives it as <c>whole</c>, and so does the sender. Also reported: the first poll in
/// which the joiner holds a whole copy of every shard (serving it or as a backup). A separate loop reads the sender's
/// VmRSS every <c>--rss-interval-ms</c> until done.
/// </summary>
/// <remarks>
/// Times are ms since <c>--since-unix-ms</c> (when the script started the joiner), taken when a poll's answers have
/// all arrived, so a state is reported no earlier than it was seen. Bytes are not measured here: the line reports the
/// sessions the joiner holds once done (homed and as backups), which the script multiplies by their known size.
/// </remarks>
internal static class TransferWatcher
{
    public static async Task<int> Run(Arguments args)
    {
        var url = new Uri(args.String("url"));
        var joinerUrl = new Uri(args.String("joiner-url"));
        var sender = args.String("sender");
        var joiner = args.String("joiner");
        var workers = (int)args.Long("workers", 2, min: 1);
        var backups = (int)args.Long("backups", 1);
        var senderPid = (int)args.Long("sender-pid", min: 1);
        var since = args.Long("since-unix-ms", min: 1);
        var interval = TimeSpan.FromMilliseconds(args.Long("interval-ms", 100, min: 10));
        var rssInterval = TimeSpan.FromMilliseconds(args.Long("rss-interval-ms", 100, min: 10));
        var deadline = TimeSpan.FromSeconds(args.Long("deadline-seconds", 300, min: 1));
        var timelinePath = args.String("timeline");
        var rssPath = args.String("rss-out");
        args.RejectUnknown();

        using var client = LoopbackHttp.Create(url, 4, TimeSpan.FromSeconds(5));
        using var joinerClient = LoopbackHttp.Create(joinerUrl, 2, TimeSpan.FromSeconds(5));
        using var stop = new CancellationTokenSource();
        using var senderGone = new CancellationTokenSource();
        var rss = Task.Run(() => SampleRss(senderPid, rssInterval, since, rssPath, senderGone, stop.Token));

        await using var timeline = new StreamWriter(timelinePath, append: false) { AutoFlush = true };
        await timeline.WriteLineAsync("# ms since the joiner's start | joiner status | shards per home | uncounted | shards short of backups | " +
                                      "joiner serving/homed there | joiner backups whole/assigned (sessions) | sender backups whole/assigned");

        long? upMs = null, firstShardMs = null, firstBackupMs = null, wholeMs = null, doneMs = null;
        Done? done = null;
        var polls = 0;
        var failedPolls = 0;
        var maxGapMs = 0L;
        var clock = Stopwatch.StartNew();
        var lastStart = TimeSpan.Zero;
        // A sender that exits (downed, crashed) ends the watch: nothing can be done after that.
        while (doneMs is null && clock.Elapsed < deadline && !senderGone.IsCancellationRequested)
        {
            var start = clock.Elapsed;
            if (polls > 0)
            {
                maxGapMs = Math.Max(maxGapMs, (long)(start - lastStart).TotalMilliseconds);
            }

            lastStart = start;
            polls++;
            var members = ClusterPoll.GetJson(client, "/cluster/members");
            var shards = ClusterPoll.GetJson(client, "/cluster/shards");
            var senderLocal = ClusterPoll.GetJson(client, "/cluster/shards/local");
            var joinerLocal = ClusterPoll.GetJson(joinerClient, "/cluster/shards/local");
            await Task.WhenAll(members, shards, senderLocal, joinerLocal);
            using var membersAnswer = members.Result;
            using var shardsAnswer = shards.Result;
            using var senderAnswer = senderLocal.Result;
            using var joinerAnswer = joinerLocal.Result;
            var at = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - since;
            if (membersAnswer is null || shardsAnswer is null || senderAnswer is null)
            {
                failedPolls++;
                await timeline.WriteLineAsync(FormattableString.Invariant($"{at} poll failed"));
            }
            else
            {
                var status = ClusterPoll.MemberStatus(membersAnswer, joiner);
                var table = Table.Parse(shardsAnswer);
                var joinerView = joinerAnswer is null ? Local.Empty : Local.Parse(joinerAnswer);
                var senderView = Local.Parse(senderAnswer);
                upMs ??= status == "Up" ? at : null;
                firstShardMs ??= table.HomedOn(joiner) > 0 ? at : null;
                firstBackupMs ??= joinerView.BackupsWhole > 0 ? at : null;
                // The joiner holds a whole copy of every shard (serving it or as a backup): all the data has arrived.
                wholeMs ??= table.Count > 0 && joinerView.Serving + joinerView.BackupsWhole >= table.Count ? at : null;
                var joinerHomed = table.HomedOn(joiner);
                var joinerAssigned = table.BackedUpOn(joiner);
                var senderAssigned = table.BackedUpOn(sender);
                var joinerDone = joinerView.Serving == joinerHomed && joinerView.Backups == joinerAssigned && joinerView.BackupsWhole == joinerAssigned;
                var senderDone = senderView.Backups == senderAssigned && senderView.BackupsWhole == senderAssigned;
                if (status == "Up" && table.IsSettled(workers, backups) && joinerDone && senderDone)
                {
                    doneMs = at;
                    done = new Done(table.SessionsHomedOn(joiner), joinerView.BackupSessions, table.Sessions, joinerHomed, joinerAssigned);
                }

                await timeline.WriteLineAsync(FormattableString.Invariant(
                    $"{at} {status} {table.Describe()} {table.Uncounted} {table.ShortOfBackups(backups)} {joinerView.Serving}/{joinerHomed} {joinerView.BackupsWhole}/{joinerAssigned} ({joinerView.BackupSessions}) {senderView.BackupsWhole}/{senderAssigned}"));
            }

            var next = start + interval;
            if (clock.Elapsed < next)
            {
                await Task.Delay(next - clock.Elapsed);
            }
        }

        await stop.CancelAsync();
        var (samples, peak, peakMs, rssGapMs, goneMs) = await rss;
        Console.WriteLine(string.Join(' ',
            FormattableString.Invariant($"TRANSFER up_ms={ClusterPoll.Show(upMs)} first_shard_ms={ClusterPoll.Show(firstShardMs)} first_backup_ms={ClusterPoll.Show(firstBackupMs)} all_whole_ms={ClusterPoll.Show(wholeMs)} done_ms={ClusterPoll.Show(doneMs)}"),
            FormattableString.Invariant($"joiner_shards={done?.HomedShards ?? -1} joiner_home_sessions={done?.HomeSessions ?? -1} joiner_backups={done?.BackupShards ?? -1}"),
            FormattableString.Invariant($"joiner_backup_sessions={done?.BackupSessions ?? -1} sessions={done?.AllSessions ?? -1} polls={polls} failed_polls={failedPolls} max_gap_ms={maxGapMs}"),
            FormattableString.Invariant($"rss_samples={samples} rss_peak={peak} rss_peak_ms={peakMs} rss_max_gap_ms={rssGapMs} sender_exited_ms={ClusterPoll.Show(goneMs)}")));
        return doneMs is null ? 1 : 0;
    }

    private sealed record Done(long HomeSessions, long BackupSessions, long AllSessions, int HomedShards, int BackupShards);

    /// <summary>Reads the process's VmRSS at a fixed cadence until cancelled or the process is gone (then cancels
    /// <paramref name="gone"/>), writing every sample; returns their number, the peak (bytes) and when it was seen (ms
    /// since <paramref name="since"/>), the largest gap, and when the process was found gone.</summary>
    private static async Task<(int Samples, long Peak, long PeakMs, long MaxGapMs, long? GoneMs)> SampleRss(
        int pid, TimeSpan interval, long since, string path, CancellationTokenSource gone, CancellationToken cancel)
    {
        await using var output = new StreamWriter(path, append: false);
        await output.WriteLineAsync("# ms since the joiner's start | sender VmRSS bytes");
        var samples = 0;
        long peak = 0, peakMs = -1, maxGap = 0, last = -1;
        long? goneMs = null;
        using var timer = new PeriodicTimer(interval);
        do
        {
            var bytes = ReadRss(pid);
            var at = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - since;
            if (bytes < 0)
            {
                goneMs = at;
                await gone.CancelAsync();
                break;
            }

            samples++;
            maxGap = last < 0 ? 0 : Math.Max(maxGap, at - last);
            last = at;
            if (bytes > peak)
            {
                (peak, peakMs) = (bytes, at);
            }

            await output.WriteLineAsync(FormattableString.Invariant($"{at} {bytes}"));
        }
        while (await Tick(timer, cancel));

        return (samples, peak, peakMs, maxGap, goneMs);
    }

    private static async Task<bool> Tick(PeriodicTimer timer, CancellationToken cancel)
    {
        try
        {
            return await timer.WaitForNextTickAsync(cancel);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>VmRSS of a process in bytes, or -1 once it is gone.</summary>
    private static long ReadRss(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    return long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (IOException)
        {
        }

        return -1;
    }

    /// <summary>One <c>/cluster/shards</c> answer: homes, backups and session counts per shard.</summary>
    private sealed class Table
    {
        private readonly List<(string? Home, string[] Backups, long? Sessions)> _shards = [];

        public int Count => _shards.Count;

        public long Sessions => _shards.Sum(s => s.Sessions ?? 0);

        public int Uncounted => _shards.Count(s => s.Sessions is null);

        public static Table Parse(JsonDocument document)
        {
            var table = new Table();
            foreach (var shard in document.RootElement.GetProperty("shards").EnumerateArray())
            {
                var sessions = shard.GetProperty("sessions");
                table._shards.Add((
                    shard.GetProperty("home").GetString(),
                    [.. shard.GetProperty("backups").EnumerateArray().Select(b => b.GetString() ?? "")],
                    sessions.ValueKind == JsonValueKind.Number ? sessions.GetInt64() : null));
            }

            return table;
        }

        public int HomedOn(string address) => _shards.Count(s => s.Home == address);

        public long SessionsHomedOn(string address) => _shards.Where(s => s.Home == address).Sum(s => s.Sessions ?? 0);

        public int BackedUpOn(string address) => _shards.Count(s => s.Backups.Contains(address));

        public int ShortOfBackups(int backups) => _shards.Count(s => s.Backups.Length != backups);

        /// <summary>Every shard homed and counted, exactly <paramref name="workers"/> homes each with its share, and every
        /// shard with exactly <paramref name="backups"/> backups.</summary>
        public bool IsSettled(int workers, int backups)
        {
            if (_shards.Count == 0 || _shards.Any(s => s.Home is null) || Uncounted > 0 || ShortOfBackups(backups) > 0)
            {
                return false;
            }

            var perHome = _shards.GroupBy(s => s.Home).Select(g => g.Count()).ToList();
            int floor = _shards.Count / workers, ceiling = (_shards.Count + workers - 1) / workers;
            return perHome.Count == workers && perHome.All(count => count >= floor && count <= ceiling);
        }

        public string Describe()
        {
            var homes = _shards.Where(s => s.Home is not null).GroupBy(s => s.Home!, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => g.Key + "=" + g.Count().ToString(CultureInfo.InvariantCulture));
            var text = string.Join(",", homes);
            return text.Length == 0 ? "none" : text;
        }
    }

    /// <summary>One <c>/cluster/shards/local</c> answer: the shards a node serves and the backup copies it keeps.</summary>
    private sealed record Local(int Serving, int Backups, int BackupsWhole, long BackupSessions)
    {
        public static readonly Local Empty = new(0, 0, 0, 0);

        public static Local Parse(JsonDocument document)
        {
            var root = document.RootElement;
            var serving = root.GetProperty("shards").EnumerateArray().Count(s => s.GetProperty("serving").GetBoolean());
            int backups = 0, whole = 0;
            long sessions = 0;
            foreach (var backup in root.GetProperty("backups").EnumerateArray())
            {
                backups++;
                if (backup.GetProperty("whole").GetBoolean())
                {
                    whole++;
                    sessions += backup.GetProperty("sessions").GetInt64();
                }
            }

            return new Local(serving, backups, whole, sessions);
        }
    }
}
