using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace SessionCluster.TestKit.Fuzzing;

/// <summary>Random but well-formed protobuf messages of any type, built by reflection over its descriptor: every
/// field set or not, scalars drawn from boundary values, strings and bytes from shapes the decoders care about (empty,
/// 16-byte ids, node addresses, invalid text), nested messages to a bounded depth.</summary>
/// <remarks>Random bytes rarely get past protobuf parsing; messages built this way do, and so reach the domain
/// validation behind it, which is where the interesting bugs live. Mutating their bytes then probes the parser too.
/// Strings that look like node addresses only ever name 127.0.0.1.</remarks>
public sealed class ProtobufGenerator(Random random, int maxDepth = 4)
{
    private static readonly string[] Strings =
    [
        "", "a", "n", "cart", "worker", "front", "session-cluster", "test-cluster", "127.0.0.1:1", "127.0.0.1:4053",
        "127.0.0.1:1#1", "127.0.0.1:65535#-1", "127.0.0.1:0", "[::1]:1", ":1", "127.0.0.1:", "127.0.0.1:99999", "#",
        "\uFFFD", "é", "\u0001", "a\u0000b", "🎉", new string('x', 300), "%2F", "  ", "0", "-1",
    ];

    private static readonly long[] Longs = [0, 1, -1, 2, 7, 8, 9, 99, 100, 127, 128, 255, 256, 65535, 65536, int.MaxValue, int.MinValue, long.MaxValue, long.MinValue, 638_000_000_000_000_000];

    /// <summary>A random message of <paramref name="descriptor"/>'s type.</summary>
    public IMessage Next(MessageDescriptor descriptor) => Build(descriptor, 0);

    /// <summary>The bytes of a random message of <paramref name="descriptor"/>'s type.</summary>
    public byte[] NextBytes(MessageDescriptor descriptor) => Next(descriptor).ToByteArray();

    private IMessage Build(MessageDescriptor descriptor, int depth)
    {
        var message = descriptor.Parser.ParseFrom(ByteString.Empty);
        foreach (var field in descriptor.Fields.InDeclarationOrder())
        {
            // Most fields set, so that required ones usually are; one of a oneof wins by being set last.
            if (random.Next(5) == 0 || (field.FieldType == FieldType.Message && depth >= maxDepth))
            {
                continue;
            }

            if (field.IsMap)
            {
                continue;   // no map fields in our protos
            }

            if (field.IsRepeated)
            {
                var list = (System.Collections.IList)field.Accessor.GetValue(message);
                var count = random.Next(4) == 0 ? random.Next(12) : random.Next(3);
                for (var i = 0; i < count; i++)
                {
                    list.Add(Value(field, depth));
                }
            }
            else
            {
                field.Accessor.SetValue(message, Value(field, depth));
            }
        }

        return message;
    }

    private object Value(FieldDescriptor field, int depth) => field.FieldType switch
    {
        FieldType.Message or FieldType.Group => Build(field.MessageType, depth + 1),
        FieldType.String => Strings[random.Next(Strings.Length)],
        FieldType.Bytes => ByteString.CopyFrom(Bytes()),
        FieldType.Bool => random.Next(2) == 0,
        FieldType.Enum => random.Next(4) == 0 ? random.Next(-2, 20) : field.EnumType.Values[random.Next(field.EnumType.Values.Count)].Number,
        FieldType.Double => random.Next(3) switch { 0 => double.NaN, 1 => random.NextDouble(), _ => (double)Long() },
        FieldType.Float => (float)random.NextDouble(),
        FieldType.Int32 or FieldType.SInt32 or FieldType.SFixed32 => (int)Long(),
        FieldType.UInt32 or FieldType.Fixed32 => (uint)Long(),
        FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64 => Long(),
        FieldType.UInt64 or FieldType.Fixed64 => (ulong)Long(),
        _ => throw new NotSupportedException($"Field type {field.FieldType} of {field.FullName}."),
    };

    private long Long() => random.Next(3) == 0 ? random.NextInt64(long.MinValue, long.MaxValue) : Longs[random.Next(Longs.Length)];

    private byte[] Bytes()
    {
        var length = random.Next(6) switch
        {
            0 => 0,
            1 or 2 or 3 => 16,   // session ids
            4 => random.Next(1, 40),
            _ => random.Next(200),
        };
        var bytes = new byte[length];
        if (random.Next(3) == 0 && length > 0)
        {
            // Short JSON values: the payloads of attributes.
            var json = "\"v\"1{}[]"u8;
            bytes = [json[random.Next(json.Length)]];
        }
        else
        {
            random.NextBytes(bytes);
        }

        return bytes;
    }
}
