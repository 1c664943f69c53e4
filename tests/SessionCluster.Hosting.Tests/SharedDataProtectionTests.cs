using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using SessionCluster.Hosting.AspNetSessions;

namespace SessionCluster.Hosting.Tests;

/// <summary>Every node derives the same Data Protection key from the cluster secret: what one node protects (the
/// session middleware's cookie) another unprotects; another secret cannot; no secret leaves the app's own key ring.</summary>
public sealed class SharedDataProtectionTests
{
    [Fact]
    public void TwoNodesWithOneSecret_ReadEachOthersCookies()
    {
        using var first = Node("s3cret-one");
        using var second = Node("s3cret-one");
        var cookie = SessionCookieRenewal.Protect(Protector(first), "0f8fad5b-d9cb-469f-a165-70867728950e");

        Assert.Equal("0f8fad5b-d9cb-469f-a165-70867728950e"u8.ToArray(), Protector(second).Unprotect(Convert.FromBase64String(Pad(cookie))));
    }

    [Fact]
    public void NodesInstalledInDifferentDirectories_StillReadEachOthersCookies()
    {
        // The default discriminator is the content root; two installs differ in it, the cluster's name does not.
        using var first = Node("s3cret-one", applicationName: "/srv/node-a/app");
        using var second = Node("s3cret-one", applicationName: "/opt/node-b/app");
        var cookie = SessionCookieRenewal.Protect(Protector(first), "k");

        Assert.Equal("k"u8.ToArray(), Protector(second).Unprotect(Convert.FromBase64String(Pad(cookie))));
    }

    [Fact]
    public void ANodeWithAnotherSecret_CannotReadTheCookie()
    {
        using var first = Node("s3cret-one");
        using var other = Node("s3cret-two");
        var cookie = SessionCookieRenewal.Protect(Protector(first), "0f8fad5b-d9cb-469f-a165-70867728950e");

        Assert.ThrowsAny<System.Security.Cryptography.CryptographicException>(() => { Protector(other).Unprotect(Convert.FromBase64String(Pad(cookie))); });
    }

    [Fact]
    public void NoSecret_LeavesEachNodeItsOwnKeys()
    {
        using var first = Node(string.Empty);
        using var second = Node(string.Empty);
        var cookie = SessionCookieRenewal.Protect(Protector(first), "k");

        Assert.ThrowsAny<System.Security.Cryptography.CryptographicException>(() => { Protector(second).Unprotect(Convert.FromBase64String(Pad(cookie))); });
    }

    /// <summary>A node's services as an app composes them: Data Protection with its own key directory (which a
    /// derived key replaces when the cluster has a secret), then AddSessionCluster.</summary>
    private static ServiceProvider Node(string secret, string applicationName = "app")
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddDataProtection().PersistKeysToFileSystem(Directory.CreateTempSubdirectory("dp-keys-")).SetApplicationName(applicationName);
        services.AddSessionCluster(options => options.Settings["remote.secret"] = secret);
        return services.BuildServiceProvider();
    }

    private static IDataProtector Protector(IServiceProvider node) =>
        node.GetRequiredService<IDataProtectionProvider>().CreateProtector(SessionCookieRenewal.ProtectorPurpose);

    private static string Pad(string base64) => base64.PadRight(base64.Length + (4 - base64.Length % 4) % 4, '=');
}
