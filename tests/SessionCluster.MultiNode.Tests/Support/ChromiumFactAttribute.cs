namespace SessionCluster.MultiNode.Tests.Support;

/// <summary>A fact that drives a page in <see cref="HeadlessChromium"/>: installs the <c>chromium</c> package with apt
/// when it is missing, and is skipped, with the reason, only when that fails and <c>CI</c> is unset. Under CI a missing
/// browser fails the spec instead (.ci/run installs it), so a broken installation cannot pass unnoticed.</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class ChromiumFactAttribute : FactAttribute
{
    public ChromiumFactAttribute()
    {
        if (AptPackage.EnsureInstalled("chromium", HeadlessChromium.ExecutablePath) is { } problem &&
            string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI")))
        {
            Skip = $"{HeadlessChromium.ExecutablePath} is missing and could not be installed ({problem}); run `apt-get install chromium` as root. Under CI=true this fails instead.";
        }
    }
}
