using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SessionCluster.Actors.Hosting;

namespace SessionCluster.Hosting;

/// <summary>Points Data Protection at <see cref="SecretDerivedKeyRepository"/> when the cluster has a secret, so every
/// node protects and unprotects cookies (the session middleware's among them) with the same key.</summary>
/// <remarks>Without a secret the app keeps its own key ring, and each node reads only the cookies it issued: a warning
/// says so. A key derived from an empty or public secret would let anyone forge the app's protected payloads.</remarks>
internal sealed partial class ClusterKeyManagementSetup(SessionClusterSettings settings, ILogger<ClusterKeyManagementSetup> logger) : IConfigureOptions<KeyManagementOptions>
{
    public void Configure(KeyManagementOptions options)
    {
        if (settings.Remote.Secret.Length == 0)
        {
            LogNoSecret();
            return;
        }

        options.XmlRepository = new SecretDerivedKeyRepository(settings.Remote.Secret);
        // The derived key never expires before 2100; a generated one would differ on every node.
        options.AutoGenerateKeys = false;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "session-cluster.remote.secret is empty: each node keeps its own Data Protection keys, so a session cookie is read only by the node that issued it. Set a secret (session-cluster__remote__secret) or share the key ring yourself.")]
    private partial void LogNoSecret();
}
