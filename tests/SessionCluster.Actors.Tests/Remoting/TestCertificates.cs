using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using SessionCluster.Actors.Remoting;

namespace SessionCluster.Actors.Tests.Remoting;

/// <summary>A throw-away certificate authority made at run time, and node certificates it signs, written as PEM files
/// into a temporary directory that goes away with it.</summary>
internal sealed class TestCertificates : IDisposable
{
    private readonly X509Certificate2 _ca;
    private readonly ECDsa _caKey;
    private int _next;

    public TestCertificates(string name = "Test Cluster CA")
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("sc-tls-").FullName;
        _caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", _caKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: true, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        _ca = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-10), DateTimeOffset.UtcNow.AddDays(2));   // outlives every certificate it issues
        CaPath = Path.Combine(Directory, $"ca-{Guid.NewGuid():N}.pem");
        File.WriteAllText(CaPath, _ca.ExportCertificatePem());
    }

    public string Directory { get; }

    /// <summary>The CA certificate, PEM: what <see cref="TlsSettings.Ca"/> names.</summary>
    public string CaPath { get; }

    /// <summary>A node certificate for 127.0.0.1 signed by this CA: (certificate PEM, key PEM).</summary>
    public (string Certificate, string Key) IssueNode(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], critical: false));   // server and client auth
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        using var issued = request.Create(_ca, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1), serial);
        var index = Interlocked.Increment(ref _next);
        var certificatePath = Path.Combine(Directory, $"{name}-{index}.crt.pem");
        var keyPath = Path.Combine(Directory, $"{name}-{index}.key.pem");
        File.WriteAllText(certificatePath, issued.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return (certificatePath, keyPath);
    }

    /// <summary>A node certificate with its key in one password-protected PKCS#12 file.</summary>
    public string IssueNodePfx(string name, string password)
    {
        var (certificatePath, keyPath) = IssueNode(name);
        using var certificate = X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
        var pfxPath = Path.ChangeExtension(certificatePath, ".pfx");
        File.WriteAllBytes(pfxPath, certificate.Export(X509ContentType.Pkcs12, password));
        return pfxPath;
    }

    /// <summary>TLS settings for a node whose certificate this CA signed, trusting <paramref name="trust"/> (this CA if null).</summary>
    public TlsSettings NodeSettings(string name, bool requireClientCertificate = true, string? trust = null)
    {
        var (certificate, key) = IssueNode(name);
        return new TlsSettings(true, certificate, key, string.Empty, trust ?? CaPath, requireClientCertificate);
    }

    public void Dispose()
    {
        _ca.Dispose();
        _caKey.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still open; the temporary directory is the system's to clean.
        }
    }
}
