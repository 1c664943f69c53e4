using System.Buffers;
using System.Text.Json;

namespace SessionCluster.Actors.Management;

/// <summary>A thread's buffer and JSON writer (with <see cref="ManagementJson"/>'s options) for building a response
/// document, reused from one response to the next.</summary>
/// <remarks>
/// Each response used to allocate both, about 0.7 KB per request. The document is finished and copied out before its
/// writer awaits anything, so one per thread is enough; a nested use on the same thread (none today) gets a fresh one.
/// A buffer grown past <see cref="MaxKeptBytes"/> by a large document is let go rather than kept for the thread's life.
/// </remarks>
internal sealed class JsonScratch
{
    private const int MaxKeptBytes = 64 * 1024;

    [ThreadStatic]
    private static JsonScratch? t_current;

    private readonly ArrayBufferWriter<byte> _buffer = new(1024);
    private bool _inUse;

    private JsonScratch() => Writer = new Utf8JsonWriter(_buffer, ManagementJson.WriterOptions);

    /// <summary>The writer, writing into the buffer from its start.</summary>
    public Utf8JsonWriter Writer { get; }

    /// <summary>What the writer wrote (after its <see cref="Utf8JsonWriter.Flush"/>).</summary>
    public ReadOnlySpan<byte> Written => _buffer.WrittenSpan;

    /// <summary>This thread's scratch, empty; every <see cref="Rent"/> is paired with one <see cref="Return"/>.</summary>
    public static JsonScratch Rent()
    {
        var scratch = t_current;
        if (scratch is null || scratch._inUse)
        {
            scratch = new JsonScratch();
            t_current ??= scratch;
        }

        scratch._inUse = true;
        return scratch;
    }

    /// <summary>Empties the scratch for the thread's next document.</summary>
    public void Return()
    {
        _buffer.ResetWrittenCount();
        Writer.Reset(_buffer);
        _inUse = false;
        if (_buffer.Capacity > MaxKeptBytes && ReferenceEquals(t_current, this))
        {
            t_current = null;
        }
    }
}
