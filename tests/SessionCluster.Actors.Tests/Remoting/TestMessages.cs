using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using SessionCluster.Actors.Remoting;

namespace SessionCluster.Actors.Tests.Remoting;

/// <summary>A text message: carried as a protobuf StringValue.</summary>
public sealed record TextMessage(string Text);

/// <summary>A numbered message, for order checks: carried as an Int64Value.</summary>
public sealed record NumberMessage(long Value);

/// <summary>A message of raw bytes, for size checks: carried as a BytesValue; estimated at its length plus
/// <see cref="TestMessages.BlobOverheadBytes"/>.</summary>
public sealed record BlobMessage(byte[] Bytes);

/// <summary>A request the recording handler answers with a <see cref="ResponseMessage"/> of the same id.</summary>
public sealed record RequestMessage(long Id);

/// <summary>The answer to a <see cref="RequestMessage"/>.</summary>
public sealed record ResponseMessage(long Id);

/// <summary>The test messages' wire registrations, with ids from the test range.</summary>
public static class TestMessages
{
    public const int TextId = WireTypeIds.TestRangeStart + 1;
    public const int NumberId = WireTypeIds.TestRangeStart + 2;
    public const int BlobId = WireTypeIds.TestRangeStart + 3;
    public const int RequestId = WireTypeIds.TestRangeStart + 4;
    public const int ResponseId = WireTypeIds.TestRangeStart + 5;

    /// <summary>What a <see cref="BlobMessage"/> is estimated at beyond its bytes.</summary>
    public const int BlobOverheadBytes = 16;

    /// <summary>A fresh registry of every test message (each transport freezes its own).</summary>
    public static WireSerializer Serializer() => new WireSerializer()
        .Register<TextMessage, StringValue>(TextId, StringValue.Parser, m => new StringValue { Value = m.Text }, w => new TextMessage(w.Value))
        .Register<NumberMessage, Int64Value>(NumberId, Int64Value.Parser, m => new Int64Value { Value = m.Value }, w => new NumberMessage(w.Value))
        .Register<BlobMessage, BytesValue>(BlobId, BytesValue.Parser, m => new BytesValue { Value = ByteString.CopyFrom(m.Bytes) }, w => new BlobMessage(w.Value.ToByteArray()), m => BlobOverheadBytes + m.Bytes.Length)
        .Register<RequestMessage, Int64Value>(RequestId, Int64Value.Parser, m => new Int64Value { Value = m.Id }, w => new RequestMessage(w.Value))
        .Register<ResponseMessage, Int64Value>(ResponseId, Int64Value.Parser, m => new Int64Value { Value = m.Id }, w => new ResponseMessage(w.Value));
}
