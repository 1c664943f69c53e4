namespace SessionCluster.Actors.Remoting;

/// <summary>TLS on the cluster port, bound from <c>session-cluster.remote.tls</c>; defaults live in reference.conf.</summary>
/// <param name="Enabled">Every connection, in and out, runs TLS before the HMAC handshake; plaintext peers are refused.</param>
/// <param name="Certificate">This node's certificate: a PEM file (with <paramref name="Key"/>) or a PKCS#12 file (.pfx, .p12).</param>
/// <param name="Key">The PEM private key of a PEM <paramref name="Certificate"/>; empty when the certificate file holds it.</param>
/// <param name="CertificatePassword">The password of a PKCS#12 certificate or an encrypted PEM key; empty for none.</param>
/// <param name="Ca">PEM file of the certificate(s) every peer's certificate must chain to; empty trusts the system store.</param>
/// <param name="RequireClientCertificate">An acceptor refuses a connector that presents no certificate chaining to
/// <paramref name="Ca"/> (mutual TLS); off, a connector without a certificate is let through to the HMAC handshake.</param>
public sealed record TlsSettings(
    bool Enabled,
    string Certificate,
    string Key,
    string CertificatePassword,
    string Ca,
    bool RequireClientCertificate)
{
    /// <summary>No TLS: frames in the clear (the HMAC handshake still authenticates every peer).</summary>
    public static readonly TlsSettings Disabled = new(false, string.Empty, string.Empty, string.Empty, string.Empty, false);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first inconsistent value; for settings built in code.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Certificate, nameof(Certificate));
        ArgumentNullException.ThrowIfNull(Key, nameof(Key));
        ArgumentNullException.ThrowIfNull(CertificatePassword, nameof(CertificatePassword));
        ArgumentNullException.ThrowIfNull(Ca, nameof(Ca));
        if (Enabled && Certificate.Length == 0)
        {
            throw new ArgumentException("TLS is enabled but no certificate is set (session-cluster.remote.tls.certificate).", nameof(Certificate));
        }
    }

    /// <summary>Every setting but the password, which logs must never show.</summary>
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append($"Enabled = {Enabled}, Certificate = {Certificate}, Key = {Key}, CertificatePassword = {(CertificatePassword.Length == 0 ? "(none)" : "(set)")}, ");
        builder.Append($"Ca = {Ca}, RequireClientCertificate = {RequireClientCertificate}");
        return true;
    }
}
