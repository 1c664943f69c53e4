using System.Diagnostics;

namespace SessionCluster.MultiNode.Tests.Support;

/// <summary>Installs a Debian package a spec needs (a balancer, the browser) with apt-get when its executable is missing:
/// once per package and test run, non-interactively.</summary>
internal static class AptPackage
{
    private static readonly Dictionary<string, string?> Attempts = [];

    /// <summary>Null when <paramref name="executable"/> is there (already, or now); otherwise what went wrong.</summary>
    public static string? EnsureInstalled(string package, string executable)
    {
        lock (Attempts)
        {
            if (File.Exists(executable))
            {
                return null;
            }

            if (!Attempts.TryGetValue(package, out var problem))
            {
                problem = Install(package, executable);
                Attempts[package] = problem;
            }

            return problem;
        }
    }

    private static string? Install(string package, string executable)
    {
        if (!File.Exists("/usr/bin/apt-get"))
        {
            return "no apt-get on this machine";
        }

        // Install straight away (the package lists may be fresh); if that fails, refresh them and try once more.
        var error = AptGet("-y", "-qq", "install", "--no-install-recommends", package);
        if (!File.Exists(executable))
        {
            error = AptGet("-qq", "update") ?? AptGet("-y", "-qq", "install", "--no-install-recommends", package);
        }

        return File.Exists(executable) ? null : error ?? $"apt-get install {package} did not provide {executable}";
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
