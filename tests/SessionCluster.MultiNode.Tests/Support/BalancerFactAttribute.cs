namespace SessionCluster.MultiNode.Tests.Support;

/// <summary>A fact that needs an external balancer: installs it with apt when it is missing, and is skipped, with the
/// reason, only when that fails and <c>CI</c> is unset. Under CI a missing balancer fails the spec instead (.ci/run
/// installs nginx and haproxy), so a broken installation cannot pass unnoticed; Apache httpd is optional everywhere.</summary>
/// <remarks>xunit 2 decides skipping when it discovers tests, so the installation is attempted here, once per balancer
/// and test run.</remarks>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class BalancerFactAttribute : FactAttribute
{
    /// <param name="balancer">The <see cref="BalancerKind.Name"/>.</param>
    /// <param name="requiredUnderCi">False for a balancer CI does not install (Apache httpd): skipped when missing even
    /// under CI.</param>
    public BalancerFactAttribute(string balancer, bool requiredUnderCi = true)
    {
        var kind = BalancerKind.Named(balancer);
        if (EnsureInstalled(kind) is { } problem && (!requiredUnderCi || string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI"))))
        {
            Skip = $"{kind.Name} is not installed and could not be installed ({problem}); run `apt-get install {kind.Package}` as root." +
                (requiredUnderCi ? " Under CI=true this fails instead." : "");
        }
    }

    /// <summary>Null when the balancer is there (already, or now); otherwise what went wrong.</summary>
    private static string? EnsureInstalled(BalancerKind kind) => AptPackage.EnsureInstalled(kind.Package, kind.Executable);
}
