using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace SessionCluster.Actors.Remoting;

/// <summary>TLS for the cluster port: this node's certificate and the trust anchor for peers, loaded once, and the two
/// sides of the TLS handshake that wraps a connection before the HMAC handshake runs inside it.</summary>
/// <remarks>
/// Trust is the cluster's own CA (<see cref="TlsSettings.Ca"/>): a peer's certificate must chain to it, whichever side
/// it is on. Host names are not checked: nodes are addressed by IP as often as by name, the CA is private to the cluster,
/// and membership itself is proven by the HMAC handshake that follows; what TLS adds is confidentiality and integrity
/// of every frame, and (with <see cref="TlsSettings.RequireClientCertificate"/>) that a process without a certificate
/// of the cluster's CA gets no further than the TLS handshake. Revocation is not checked (a private CA rarely runs a
/// CRL service, and a check would make every connect wait on it): rotate the CA to revoke.
/// </remarks>
internal sealed class ClusterTls : IDisposable
{
    private readonly X509Certificate2 _certificate;
    private readonly X509Certificate2Collection _trust;
    private readonly SslStreamCertificateContext _serverContext;
    private readonly bool _requireClientCertificate;

    private ClusterTls(X509Certificate2 certificate, X509Certificate2Collection trust, bool requireClientCertificate)
    {
        _certificate = certificate;
        _trust = trust;
        _requireClientCertificate = requireClientCertificate;
        _serverContext = SslStreamCertificateContext.Create(certificate, additionalCertificates: null, offline: true);
    }

    /// <summary>The certificates of <paramref name="settings"/> loaded, or null when TLS is off.</summary>
    /// <exception cref="InvalidOperationException">A file is missing or unreadable, or the certificate has no private key;
    /// the message names the setting.</exception>
    public static ClusterTls? Create(TlsSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (!settings.Enabled)
        {
            return null;
        }

        var certificate = LoadCertificate(settings);
        var trust = new X509Certificate2Collection();
        if (settings.Ca.Length > 0)
        {
            try
            {
                trust.ImportFromPemFile(settings.Ca);
            }
            catch (Exception error) when (error is IOException or CryptographicException or UnauthorizedAccessException)
            {
                throw new InvalidOperationException($"session-cluster.remote.tls.ca: cannot read the CA certificates in '{settings.Ca}': {error.Message}", error);
            }

            if (trust.Count == 0)
            {
                throw new InvalidOperationException($"session-cluster.remote.tls.ca: '{settings.Ca}' holds no PEM certificate.");
            }
        }

        return new ClusterTls(certificate, trust, settings.RequireClientCertificate);
    }

    /// <summary>The subject of this node's certificate, for the start-up log.</summary>
    public string Subject => _certificate.Subject;

    /// <summary>Runs the server side of TLS on an accepted connection; the caller bounds it with the handshake timeout.</summary>
    /// <exception cref="AuthenticationException">The peer spoke no TLS, or its certificate was refused (the message says which).</exception>
    public async Task<SslStream> AcceptAsync(Stream inner, CancellationToken cancellationToken)
    {
        string? refusal = null;
        var stream = new SslStream(inner, leaveInnerStreamOpen: false);
        var options = new SslServerAuthenticationOptions
        {
            ServerCertificateContext = _serverContext,
            ClientCertificateRequired = true,   // always asked for; whether one is needed is decided below
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
                Check(certificate, chain, errors, isServer: true, out refusal),
        };
        try
        {
            await stream.AuthenticateAsServerAsync(options, cancellationToken).ConfigureAwait(false);
            return stream;
        }
        catch (AuthenticationException error) when (refusal is not null)
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw new AuthenticationException("the connector's certificate was refused: " + refusal, error);
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Runs the client side of TLS on a new connection to <paramref name="host"/>.</summary>
    /// <exception cref="AuthenticationException">The acceptor spoke no TLS, or its certificate was refused.</exception>
    public async Task<SslStream> ConnectAsync(Stream inner, string host, CancellationToken cancellationToken)
    {
        string? refusal = null;
        var stream = new SslStream(inner, leaveInnerStreamOpen: false);
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = host,
            ClientCertificates = [_certificate],
            LocalCertificateSelectionCallback = (_, _, _, _, _) => _certificate,   // whatever issuers the acceptor lists
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
                Check(certificate, chain, errors, isServer: false, out refusal),
        };
        try
        {
            await stream.AuthenticateAsClientAsync(options, cancellationToken).ConfigureAwait(false);
            return stream;
        }
        catch (AuthenticationException error) when (refusal is not null)
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw new AuthenticationException("the acceptor's certificate was refused: " + refusal, error);
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public void Dispose() => _certificate.Dispose();

    private bool Check(X509Certificate? presented, X509Chain? chain, SslPolicyErrors errors, bool isServer, out string? refusal)
    {
        refusal = null;
        if (presented is null)
        {
            if (isServer && !_requireClientCertificate)
            {
                return true;
            }

            refusal = "no certificate was presented";
            return false;
        }

        if (_trust.Count == 0)
        {
            // The system's trust store, as the platform judged it; the name is not ours to check (see remarks).
            var remaining = errors & ~SslPolicyErrors.RemoteCertificateNameMismatch;
            refusal = remaining == SslPolicyErrors.None ? null : $"{remaining} ({presented.Subject})";
            return refusal is null;
        }

        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(_trust);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (chain is not null)
        {
            // Intermediates the peer sent along.
            foreach (var element in chain.ChainElements)
            {
                custom.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        using var certificate = X509CertificateLoader.LoadCertificate(presented.GetRawCertData());
        if (custom.Build(certificate))
        {
            return true;
        }

        var status = string.Join(", ", custom.ChainStatus.Select(s => s.Status.ToString()).Distinct());
        refusal = $"'{certificate.Subject}' does not chain to the cluster's CA ({status})";
        return false;
    }

    private static X509Certificate2 LoadCertificate(TlsSettings settings)
    {
        var path = settings.Certificate;
        var password = settings.CertificatePassword.Length == 0 ? null : settings.CertificatePassword;
        X509Certificate2 certificate;
        try
        {
            var extension = Path.GetExtension(path);
            if (extension.Equals(".pfx", StringComparison.OrdinalIgnoreCase) || extension.Equals(".p12", StringComparison.OrdinalIgnoreCase))
            {
                certificate = X509CertificateLoader.LoadPkcs12FromFile(path, password);
            }
            else
            {
                var keyPath = settings.Key.Length == 0 ? null : settings.Key;
                certificate = password is null
                    ? X509Certificate2.CreateFromPemFile(path, keyPath)
                    : X509Certificate2.CreateFromEncryptedPemFile(path, password, keyPath);
            }
        }
        catch (Exception error) when (error is IOException or CryptographicException or UnauthorizedAccessException or ArgumentException)
        {
            throw new InvalidOperationException(
                $"session-cluster.remote.tls.certificate: cannot load '{path}'{(settings.Key.Length > 0 ? $" with key '{settings.Key}'" : string.Empty)}: {error.Message}", error);
        }

        if (!certificate.HasPrivateKey)
        {
            certificate.Dispose();
            throw new InvalidOperationException($"session-cluster.remote.tls.certificate: '{path}' has no private key (set session-cluster.remote.tls.key).");
        }

        return certificate;
    }
}
