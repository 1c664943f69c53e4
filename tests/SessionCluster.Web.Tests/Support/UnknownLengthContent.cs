namespace SessionCluster.Web.Tests.Support;

/// <summary>A body sent without Content-Length, so the node must count the bytes as they arrive.</summary>
public sealed class UnknownLengthContent(byte[] body) : HttpContent
{
    protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) =>
        stream.WriteAsync(body, 0, body.Length);

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}
