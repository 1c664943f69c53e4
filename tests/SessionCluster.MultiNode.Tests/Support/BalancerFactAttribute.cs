using System.Diagnostics;

namespace SessionCluster.MultiNode.Tests.Support;

/// <summary>A fact that needs an external balancer: installs it with apt when it is missing, and is skipped, with the
/// reason, only when that fails and <c>CI</c> is unset. Under CI a missing balancer fails the spec instead (.ci/run
/// installs nginx and haproxy), so a broken installation cannot pass unnoticed; Apache httpd is optional everywhere.</summary>
/// <remarks>xunit 2 decides skipping when it discovers tests, so the installation is attempted here, once per balancer
/// and test run.</remarks>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class BalancerFactAttribute : FactAttribute
{
    private static readonly Dictionary<string, string?> Attempts = [];

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
    private static string? EnsureInstalled(BalancerKind kind)
    {
        lock (Attempts)
        {
            if (kind.IsInstalled)
            {
                return null;
            }

            if (!Attempts.TryGetValue(kind.Package, out var problem))
            {
                problem = Install(kind);
                Attempts[kind.Package] = problem;
            }

            return problem;
        }
    }

    private static string? Install(BalancerKind kind)
    {
        if (!File.Exists("/usr/bin/apt-get"))
        {
            return "no apt-get on this machine";
        }

        // Install straight away (the package lists may be fresh); if that fails, refresh them and try once more.
        var error = AptGet("-y", "-qq", "install", "--no-install-recommends", kind.Package);
        if (!kind.IsInstalled)
        {
            error = AptGet("-qq", "update") ?? AptGet("-y", "-qq", "install", "--no-install-recommends", kind.Package);
        }

        return kind.IsInstalled ? null : error ?? $"apt-get install {kind.Package} did not provide {kind.Executable}";
    }

    /// <summary>Runs apt-get non-interactively; null on success, else what it said.</summary>
    private static string? AptGet(params string[] arguments)
    {
        var start = new ProcessStartInfo("/usr/bin/apt-get") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var apt = Process.Start(start);
        if (apt is null)
        {
            return "apt-get did not start";
        }

        var stderr = apt.StandardError.ReadToEndAsync();
        _ = apt.StandardOutput.ReadToEndAsync();
        if (!apt.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            apt.Kill(entireProcessTree: true);
            return $"apt-get {string.Join(' ', arguments)} took more than 5 minutes";
        }

        return apt.ExitCode == 0 ? null : $"apt-get {string.Join(' ', arguments)} exited with {apt.ExitCode}: {stderr.Result.Trim()}";
    }
}
