using System.Diagnostics;
using System.Globalization;
using RemotePingPong;
using SessionCluster.Actors.Remoting;

// Usage: RemotePingPong [--messages N] [--round-trips N] [--rounds R] [--windows 1,16,256]
// One-way: node A sends N small messages to node B as fast as A's outbound queue takes them (a refused send is retried
// after a spin, so backpressure is respected and nothing is lost); timed from the first send to the last delivery.
// Request/response: W requests in flight; each answer from B makes A send the next request; timed over N round trips.
var options = Options.Parse(args);
var settings = new RemoteSettings(
    Hostname: "127.0.0.1",
    Port: 0,
    ClusterName: "bench",
    Secret: "bench-secret",
    MaxFrameSize: 2 * 1024 * 1024,
    OutboundQueueSize: 16_384,
    BatchMaxMessages: 1024,
    BatchMaxBytes: 64 * 1024,
    ConnectTimeout: TimeSpan.FromSeconds(5),
    HandshakeTimeout: TimeSpan.FromSeconds(10),
    WriteTimeout: TimeSpan.FromSeconds(10),
    ReconnectBackoffMin: TimeSpan.FromMilliseconds(100),
    ReconnectBackoffMax: TimeSpan.FromSeconds(5));

Console.WriteLine($"RemotePingPong: {Environment.ProcessorCount} cores, .NET {Environment.Version}, GC server={System.Runtime.GCSettings.IsServerGC}");
Console.WriteLine($"one-way: {options.Messages:N0} messages x {options.Rounds} rounds; request/response: {options.RoundTrips:N0} round trips per window");

var receiver = new Responder();
var requester = new Requester();
await using var a = new TcpTransport(settings, BenchMessages.Serializer(), uid: 1);
await using var b = new TcpTransport(settings, BenchMessages.Serializer(), uid: 2);
await a.StartAsync(requester, CancellationToken.None);
await b.StartAsync(receiver, CancellationToken.None);
receiver.Transport = b;
requester.Transport = a;

// Warm-up: connect both ways and let the JIT settle.
await OneWay(a, b.Self.Address, receiver, 1_000_000);
await RoundTrips(requester, receiver, b.Self.Address, 20_000, window: 16);

var oneWay = new List<double>();
for (var round = 1; round <= options.Rounds; round++)
{
    var framesBefore = a.FramesSent;
    var overflowsBefore = a.QueueOverflows;
    var elapsed = await OneWay(a, b.Self.Address, receiver, options.Messages);
    var rate = options.Messages / elapsed.TotalSeconds;
    oneWay.Add(rate);
    Console.WriteLine(
        $"one-way round {round}: {rate,12:N0} msg/s  ({elapsed.TotalMilliseconds:N0} ms, " +
        $"{(double)options.Messages / (a.FramesSent - framesBefore):N0} msgs/frame, {a.QueueOverflows - overflowsBefore:N0} refused sends retried)");
}

Console.WriteLine($"BENCH one-way median {Median(oneWay):N0} msg/s");
foreach (var window in options.Windows)
{
    var elapsed = await RoundTrips(requester, receiver, b.Self.Address, options.RoundTrips, window);
    var rate = options.RoundTrips / elapsed.TotalSeconds;
    Console.WriteLine($"BENCH request/response window {window,4}: {rate,12:N0} round trips/s  (each takes {elapsed.TotalMicroseconds / options.RoundTrips * window:N1} µs)");
}

Console.WriteLine($"dropped: A {a.MessagesDropped}, B {b.MessagesDropped}");
return a.MessagesDropped + b.MessagesDropped == 0 ? 0 : 1;

static async Task<TimeSpan> OneWay(TcpTransport from, NodeAddress to, Responder receiver, int messages)
{
    receiver.Echo = false;
    var done = receiver.Expect(messages);
    var clock = Stopwatch.StartNew();
    var sender = new Thread(() =>
    {
        var spin = default(SpinWait);
        for (var i = 0; i < messages; i++)
        {
            var ping = new Ping(i);
            while (!from.Send(to, ping))
            {
                spin.SpinOnce();
            }
        }
    }) { IsBackground = true, Name = "one-way sender" };
    sender.Start();
    await done.WaitAsync(TimeSpan.FromMinutes(5));
    clock.Stop();
    sender.Join();
    return clock.Elapsed;
}

static async Task<TimeSpan> RoundTrips(Requester requester, Responder responder, NodeAddress to, int roundTrips, int window)
{
    responder.Echo = true;
    var clock = Stopwatch.StartNew();
    await requester.Run(to, roundTrips, window).WaitAsync(TimeSpan.FromMinutes(5));
    clock.Stop();
    return clock.Elapsed;
}

static double Median(List<double> values)
{
    var sorted = values.Order().ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
}

/// <summary>Command-line options of the benchmark.</summary>
internal sealed record Options(int Messages, int RoundTrips, int Rounds, int[] Windows)
{
    public static Options Parse(string[] args)
    {
        var options = new Options(Messages: 5_000_000, RoundTrips: 200_000, Rounds: 5, Windows: [1, 16, 256]);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            options = args[i] switch
            {
                "--messages" => options with { Messages = int.Parse(args[i + 1], CultureInfo.InvariantCulture) },
                "--round-trips" => options with { RoundTrips = int.Parse(args[i + 1], CultureInfo.InvariantCulture) },
                "--rounds" => options with { Rounds = int.Parse(args[i + 1], CultureInfo.InvariantCulture) },
                "--windows" => options with { Windows = [.. args[i + 1].Split(',').Select(w => int.Parse(w, CultureInfo.InvariantCulture))] },
                _ => throw new ArgumentException($"Unknown option {args[i]}."),
            };
        }

        return options;
    }
}
