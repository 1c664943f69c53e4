using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;
using SessionCluster.Actors.Hosting;

namespace SessionCluster.Hosting;

/// <summary>Gives every node of a cluster with a secret the same Data Protection application discriminator, the
/// cluster's name, so that the shared key (<see cref="SecretDerivedKeyRepository"/>) also yields the same protectors.</summary>
/// <remarks>By default the discriminator is the app's content root path, which differs between machines or install
/// directories: a cookie protected on one node would then not unprotect on another despite the shared key.</remarks>
internal sealed class ClusterDataProtectionSetup(SessionClusterSettings settings) : IConfigureOptions<DataProtectionOptions>
{
    public void Configure(DataProtectionOptions options)
    {
        if (settings.Remote.Secret.Length > 0)
        {
            options.ApplicationDiscriminator = "sessioncluster:" + settings.Remote.ClusterName;
        }
    }
}
