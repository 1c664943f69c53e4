using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.AuthenticatedEncryption;
using Microsoft.AspNetCore.DataProtection.AuthenticatedEncryption.ConfigurationModel;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace SessionCluster.Hosting;

/// <summary>A Data Protection key ring of one key derived from the cluster secret: every node holding the secret holds
/// the same key, with no shared directory or store to set up.</summary>
/// <remarks>
/// HKDF-SHA256 over the secret gives the key's id (128 bits) and its 512-bit master key (AES-256-CBC with
/// HMAC-SHA256, Data Protection's default algorithms), each under its own label. The key is valid from 2020 to 2100;
/// rotating it means changing the secret, which also rotates the cluster's handshake. Nothing is ever stored: a key the
/// key manager wants to add (it should not, with automatic generation off) is refused loudly.
/// </remarks>
internal sealed class SecretDerivedKeyRepository : IXmlRepository
{
    private static readonly DateTimeOffset ValidFrom = new(2020, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset ValidUntil = new(2100, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly XElement _key;

    public SecretDerivedKeyRepository(string secret)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        var material = Encoding.UTF8.GetBytes(secret);
        var id = new Guid(HKDF.DeriveKey(HashAlgorithmName.SHA256, material, 16, info: "sessioncluster data-protection key id"u8.ToArray()));
        var master = HKDF.DeriveKey(HashAlgorithmName.SHA256, material, 64, info: "sessioncluster data-protection master key"u8.ToArray());
        var descriptor = new AuthenticatedEncryptorDescriptor(
            new AuthenticatedEncryptorConfiguration { EncryptionAlgorithm = EncryptionAlgorithm.AES_256_CBC, ValidationAlgorithm = ValidationAlgorithm.HMACSHA256 },
            new Secret(master)).ExportToXml();
        _key = new XElement(
            "key",
            new XAttribute("id", id),
            new XAttribute("version", 1),
            new XElement("creationDate", ValidFrom),
            new XElement("activationDate", ValidFrom),
            new XElement("expirationDate", ValidUntil),
            new XElement(
                "descriptor",
                new XAttribute("deserializerType", descriptor.DeserializerType.AssemblyQualifiedName!),
                descriptor.SerializedDescriptorElement));
    }

    public IReadOnlyCollection<XElement> GetAllElements() => [new XElement(_key)];

    public void StoreElement(XElement element, string friendlyName) =>
        throw new InvalidOperationException(
            $"SessionCluster derives the Data Protection key from the cluster secret and stores none; refused to store '{friendlyName}'. " +
            "Set SessionClusterOptions.ShareDataProtectionKeys = false to manage keys yourself.");
}
