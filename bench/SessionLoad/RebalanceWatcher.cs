using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace SessionLoad;

/// <summary>
/// Times a rebalance: polls a node's <c>GET /cluster/members</c> and <c>GET /cluster/shards</c> together at a fixed
/// cadence and reports, in milliseconds since a given instant (when the script started the joining worker), when
/// that worker was first seen Up, when it was first seen holding a shard, and when the shards were first seen
/// settled: every shard homed, exactly <c>--workers</c> homes each holding its share (⌊S/W⌋ or ⌈S/W⌉ of the S
/// shards), and every shard's session count known. A shard in motion has no count (its old home has stopped
/// serving it and the new one has not been confirmed), so "every count known" means nothing is moving.
/// </summary>
/// <remarks>
/// Each poll's time is taken when both answers have arrived, so a settled state is reported no earlier than it was
/// seen. Polls start every <c>--interval-ms</c>; one that takes longer delays the next, and the largest gap between
/// poll starts is reported so that a slow poller cannot pass unnoticed. Every poll is written to the timeline file.
/// </remarks>
internal static class RebalanceWatcher
{
    public static async Task<int> Run(Arguments args)
    {
        var url = new Uri(args.String("url"));
        var member = args.String("member");
        var workers = (int)args.Long("workers", min: 1);
        var since = args.Long("since-unix-ms", min: 1);
        var interval = TimeSpan.FromMilliseconds(args.Long("interval-ms", 100, min: 10));
        var deadline = TimeSpan.FromSeconds(args.Long("deadline-seconds", 60, min: 1));
        var timelinePath = args.String("timeline");
        args.RejectUnknown();

        using var client = LoopbackHttp.Create(url, 4, TimeSpan.FromSeconds(2));
        await using var timeline = new StreamWriter(timelinePath, append: false) { AutoFlush = true };
        await timeline.WriteLineAsync("# ms since the worker's start | its status | shards per home | shards without a count | sessions counted");

        long? upMs = null, firstShardMs = null, settledMs = null;
        var settledSessions = -1L;
        var polls = 0;
        var failedPolls = 0;
        var maxGapMs = 0L;
        var clock = Stopwatch.StartNew();
        var lastStart = TimeSpan.Zero;
        while (settledMs is null && clock.Elapsed < deadline)
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
            await Task.WhenAll(members, shards);
            using var membersAnswer = members.Result;
            using var shardsAnswer = shards.Result;
            var at = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - since;
            if (membersAnswer is not { } membersJson || shardsAnswer is not { } shardsJson)
            {
                failedPolls++;
                await timeline.WriteLineAsync(FormattableString.Invariant($"{at} poll failed"));
            }
            else
            {
                var status = ClusterPoll.MemberStatus(membersJson, member);
                var view = ShardView.Parse(shardsJson);
                upMs ??= status == "Up" ? at : null;
                firstShardMs ??= view.ShardsOf(member) > 0 ? at : null;
                if (status == "Up" && view.IsSettled(workers))
                {
                    settledMs = at;
                    settledSessions = view.Sessions;
                }

                await timeline.WriteLineAsync(FormattableString.Invariant($"{at} {status} {view.Describe()} {view.Uncounted} {view.Sessions}"));
            }

            var next = start + interval;
            if (clock.Elapsed < next)
            {
                await Task.Delay(next - clock.Elapsed);
            }
        }

        Console.WriteLine(FormattableString.Invariant(
            $"WATCH up_ms={ClusterPoll.Show(upMs)} first_shard_ms={ClusterPoll.Show(firstShardMs)} settled_ms={ClusterPoll.Show(settledMs)} sessions={settledSessions} polls={polls} failed_polls={failedPolls} max_gap_ms={maxGapMs}"));
        return settledMs is null ? 1 : 0;
    }

    /// <summary>One <c>/cluster/shards</c> answer, reduced to what the watcher judges.</summary>
    private sealed class ShardView
    {
        private readonly SortedDictionary<string, int> _perHome = new(StringComparer.Ordinal);

        public int Shards { get; private set; }

        public int Unhomed { get; private set; }

        /// <summary>Shards whose session count is unknown: in motion, or their home did not answer in time.</summary>
        public int Uncounted { get; private set; }

        public long Sessions { get; private set; }

        public static ShardView Parse(JsonDocument document)
        {
            var view = new ShardView();
            foreach (var shard in document.RootElement.GetProperty("shards").EnumerateArray())
            {
                view.Shards++;
                if (shard.GetProperty("home").GetString() is { } home)
                {
                    view._perHome[home] = view._perHome.GetValueOrDefault(home) + 1;
                }
                else
                {
                    view.Unhomed++;
                }

                if (shard.GetProperty("sessions").ValueKind == JsonValueKind.Number)
                {
                    view.Sessions += shard.GetProperty("sessions").GetInt64();
                }
                else
                {
                    view.Uncounted++;
                }
            }

            return view;
        }

        public int ShardsOf(string home) => _perHome.GetValueOrDefault(home);

        public bool IsSettled(int workers)
        {
            if (Shards == 0 || Unhomed > 0 || Uncounted > 0 || _perHome.Count != workers)
            {
                return false;
            }

            int floor = Shards / workers, ceiling = (Shards + workers - 1) / workers;
            return _perHome.Values.All(count => count >= floor && count <= ceiling);
        }

        public string Describe()
        {
            var text = new StringBuilder();
            foreach (var (home, count) in _perHome)
            {
                text.Append(text.Length == 0 ? "" : ",").Append(home).Append('=').Append(count.ToString(CultureInfo.InvariantCulture));
            }

            return text.Length == 0 ? "none" : text.ToString();
        }
    }
}
