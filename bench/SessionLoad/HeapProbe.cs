using System.Diagnostics.Tracing;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Parsers;

namespace SessionLoad;

/// <summary>
/// Asks a running .NET process, over its diagnostics port (EventPipe), for one full blocking GC and reports the managed
/// heap after it. The node has no GC endpoint, and its working set right after a load includes garbage and the
/// allocation budget; the heap after a full GC is what the sessions really keep alive.
/// </summary>
/// <remarks>
/// Enabling the runtime provider with the GCHeapCollect keyword makes the runtime run an induced gen-2 GC; that is
/// how dotnet-gcdump triggers its GC. With <c>--types</c> the GCHeapDump keywords are added too, and the runtime
/// then walks the heap during that GC and streams every live object's type and size (GCBulkNode, GCBulkType):
/// summing them by type gives a histogram like dotnet-gcdump's. The walk makes the node allocate event buffers, so
/// bench/memory.sh reads the working set before it, never after.
/// </remarks>
internal static class HeapProbe
{
    public static int Run(Arguments args)
    {
        var pid = (int)args.Long("pid", min: 1);
        var top = (int)args.Long("types", 0);
        var timeout = TimeSpan.FromSeconds(args.Long("timeout-seconds", 300, min: 1));
        args.RejectUnknown();

        var keywords = ClrTraceEventParser.Keywords.GC | ClrTraceEventParser.Keywords.GCHeapCollect;
        if (top > 0)
        {
            keywords |= ClrTraceEventParser.Keywords.GCHeapDump | ClrTraceEventParser.Keywords.Type | ClrTraceEventParser.Keywords.GCHeapAndTypeNames;
        }

        var provider = new EventPipeProvider("Microsoft-Windows-DotNETRuntime", top > 0 ? EventLevel.Verbose : EventLevel.Informational, (long)keywords);
        using var session = new DiagnosticsClient(pid).StartEventPipeSession([provider], requestRundown: false, circularBufferMB: 4096);
        using var source = new EventPipeEventSource(session.EventStream);

        int? gc = null;
        var reason = "";
        string? heapLine = null;
        var types = new Dictionary<ulong, (string Name, ulong[] Parameters)>();
        var objects = new Dictionary<ulong, (long Count, long Bytes)>();
        using var done = new ManualResetEventSlim();

        source.Clr.GCStart += e =>
        {
            if (gc is null && e.Depth == 2 && e.Reason.ToString().StartsWith("Induced", StringComparison.Ordinal))
            {
                gc = e.Count;
                reason = e.Reason.ToString();
            }
        };
        source.Clr.TypeBulkType += e =>
        {
            for (var i = 0; i < e.Count; i++)
            {
                var type = e.Values(i);
                var parameters = new ulong[type.TypeParameterCount];
                for (var p = 0; p < parameters.Length; p++)
                {
                    parameters[p] = type.TypeParameterID(p);
                }

                types[type.TypeID] = (type.TypeName, parameters);
            }
        };
        source.Clr.GCBulkNode += e =>
        {
            for (var i = 0; i < e.Count; i++)
            {
                var node = e.Values(i);
                var (count, bytes) = objects.GetValueOrDefault(node.TypeID);
                objects[node.TypeID] = (count + 1, bytes + (long)node.Size);
            }
        };
        source.Clr.GCHeapStats += e =>
        {
            if (gc is null || heapLine is not null)
            {
                return;
            }

            heapLine = FormattableString.Invariant(
                $"HEAP gc={gc} reason={reason} total_heap={e.TotalHeapSize} promoted={e.TotalPromoted} gen0={e.GenerationSize0} gen1={e.GenerationSize1} gen2={e.GenerationSize2} loh={e.GenerationSize3} poh={e.GenerationSize4} handles={e.GCHandleCount} pinned={e.PinnedObjectCount}");
            done.Set();
        };

        var reader = Task.Run(source.Process);
        var finished = done.Wait(timeout);
        session.Stop();
        reader.Wait(TimeSpan.FromSeconds(30));
        if (!finished || heapLine is null)
        {
            Console.Error.WriteLine($"heap: no induced full GC was reported by process {pid} within {timeout.TotalSeconds:F0} s");
            return 1;
        }

        Console.WriteLine(heapLine);
        if (top > 0)
        {
            var walked = objects.Values.Sum(o => o.Bytes);
            Console.WriteLine(FormattableString.Invariant($"WALK objects={objects.Values.Sum(o => o.Count)} bytes={walked} types={objects.Count}"));
            foreach (var (typeId, (count, bytes)) in objects.OrderByDescending(o => o.Value.Bytes).Take(top))
            {
                Console.WriteLine(FormattableString.Invariant($"TYPE bytes={bytes} count={count} name={NameOf(typeId, types, 0)}"));
            }
        }

        return 0;
    }

    private static string NameOf(ulong typeId, Dictionary<ulong, (string Name, ulong[] Parameters)> types, int depth)
    {
        if (!types.TryGetValue(typeId, out var type))
        {
            return $"type-{typeId:x}";
        }

        if (type.Parameters.Length == 0 || depth > 3 || type.Name.Contains('<', StringComparison.Ordinal) || type.Name.Contains('[', StringComparison.Ordinal))
        {
            return type.Name;
        }

        return type.Name + "<" + string.Join(",", type.Parameters.Select(p => NameOf(p, types, depth + 1))) + ">";
    }
}
