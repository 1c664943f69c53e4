using System.Buffers.Binary;

namespace SessionCluster.TestKit.Fuzzing;

/// <summary>Seeded mutations of valid inputs, the kinds that find parser bugs: bit flips, byte overwrites with boundary
/// values, truncation, insertion, deletion, duplicated and swapped chunks, and (for length-prefixed or varint-laden
/// input) lies about lengths.</summary>
public static class ByteMutator
{
    private static readonly byte[] Interesting = [0x00, 0x01, 0x7F, 0x80, 0xFF, 0xFE, 0x0A, 0x12, 0x08, 0x22, 0x2A, 0x3A];

    /// <summary>Names of the mutations, in the order <see cref="Mutate"/> draws them.</summary>
    public static readonly string[] Kinds =
        ["bit-flip", "byte-set", "truncate", "insert", "delete", "duplicate-chunk", "swap-chunks", "varint-lie", "prefix-lie", "splice-random"];

    /// <summary>1 to 4 mutations of <paramref name="input"/> (never changed in place); the names of those applied.</summary>
    public static (byte[] Output, string Applied) Mutate(byte[] input, Random random)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(random);
        var output = (byte[])input.Clone();
        var count = 1 + random.Next(4);
        var applied = new List<string>(count);
        for (var i = 0; i < count; i++)
        {
            var kind = random.Next(Kinds.Length);
            output = Apply(kind, output, random);
            applied.Add(Kinds[kind]);
        }

        return (output, string.Join("+", applied));
    }

    /// <summary>Random bytes of a random length up to <paramref name="maxLength"/>, often short.</summary>
    public static byte[] RandomBytes(Random random, int maxLength)
    {
        var length = random.Next(4) == 0 ? random.Next(maxLength + 1) : random.Next(Math.Min(64, maxLength) + 1);
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    /// <summary>Hex of the first <paramref name="max"/> bytes, for failure messages that must let a human rebuild the input.</summary>
    public static string Hex(ReadOnlySpan<byte> bytes, int max = 512) =>
        Convert.ToHexString(bytes[..Math.Min(bytes.Length, max)]) + (bytes.Length > max ? $"…({bytes.Length} bytes)" : string.Empty);

    private static byte[] Apply(int kind, byte[] data, Random random)
    {
        switch (kind)
        {
            case 0 when data.Length > 0:
                data[random.Next(data.Length)] ^= (byte)(1 << random.Next(8));
                return data;
            case 1 when data.Length > 0:
                data[random.Next(data.Length)] = Interesting[random.Next(Interesting.Length)];
                return data;
            case 2 when data.Length > 0:
                return data[..random.Next(data.Length)];
            case 3:
            {
                var at = random.Next(data.Length + 1);
                var extra = new byte[1 + random.Next(8)];
                random.NextBytes(extra);
                return [.. data[..at], .. extra, .. data[at..]];
            }
            case 4 when data.Length > 0:
            {
                var at = random.Next(data.Length);
                var length = 1 + random.Next(Math.Min(8, data.Length - at));
                return [.. data[..at], .. data[(at + length)..]];
            }
            case 5 when data.Length > 0:
            {
                var at = random.Next(data.Length);
                var length = 1 + random.Next(Math.Min(32, data.Length - at));
                return [.. data[..(at + length)], .. data[at..]];
            }
            case 6 when data.Length > 2:
            {
                var a = random.Next(data.Length - 1);
                var b = a + 1 + random.Next(data.Length - a - 1);
                (data[a], data[b]) = (data[b], data[a]);
                return data;
            }
            case 7 when data.Length > 1:
            {
                // A varint somewhere claims another length: small, huge, or a five-byte overlong form.
                var at = random.Next(data.Length);
                byte[] lie = random.Next(3) switch
                {
                    0 => [(byte)random.Next(0x80)],
                    1 => [0xFF, 0xFF, 0xFF, 0xFF, 0x0F],
                    _ => [0x80, 0x80, 0x80, 0x80, 0x00],
                };
                var end = Math.Min(data.Length, at + 1);
                return [.. data[..at], .. lie, .. data[end..]];
            }
            case 8 when data.Length >= 4:
            {
                // A 4-byte big-endian prefix at the start that lies about what follows.
                var lie = random.Next(4) switch
                {
                    0 => 0u,
                    1 => (uint)data.Length,               // four more than there is
                    2 => uint.MaxValue - (uint)random.Next(16),
                    _ => (uint)random.Next(1 << 20),
                };
                BinaryPrimitives.WriteUInt32BigEndian(data, lie);
                return data;
            }
            case 9:
            {
                var at = random.Next(data.Length + 1);
                var tail = new byte[random.Next(64)];
                random.NextBytes(tail);
                return [.. data[..at], .. tail];
            }
            default:
                var single = new byte[1 + random.Next(16)];
                random.NextBytes(single);
                return single;
        }
    }
}
