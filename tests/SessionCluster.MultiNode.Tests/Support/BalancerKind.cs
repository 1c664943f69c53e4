namespace SessionCluster.MultiNode.Tests.Support;

/// <summary>An external load balancer the repository ships a configuration for (<c>deploy/</c>), and how to run it in
/// the foreground with a given configuration file.</summary>
/// <param name="Name">How specs and messages name it.</param>
/// <param name="Package">The Debian package that installs it.</param>
/// <param name="Executable">Its binary once installed.</param>
/// <param name="ExampleConfig">The shipped configuration, relative to the repository root.</param>
/// <param name="Arguments">The command line that runs it in the foreground on a configuration file.</param>
internal sealed record BalancerKind(string Name, string Package, string Executable, string ExampleConfig, Func<string, string[]> Arguments)
{
    public static readonly BalancerKind Nginx = new(
        "nginx", "nginx", "/usr/sbin/nginx", "deploy/nginx/nginx.conf",
        config => ["-c", config, "-p", Path.GetDirectoryName(config)!, "-g", "daemon off;"]);

    public static readonly BalancerKind HAProxy = new(
        "haproxy", "haproxy", "/usr/sbin/haproxy", "deploy/haproxy/haproxy.cfg",
        config => ["-f", config, "-db"]);

    public static readonly BalancerKind Apache = new(
        "apache2", "apache2", "/usr/sbin/apache2", "deploy/apache/httpd.conf",
        config => ["-f", config, "-DFOREGROUND"]);

    public static BalancerKind Named(string name) =>
        new[] { Nginx, HAProxy, Apache }.SingleOrDefault(kind => kind.Name == name)
        ?? throw new ArgumentOutOfRangeException(nameof(name), name, "not a balancer the repository ships a configuration for");

    public bool IsInstalled => File.Exists(Executable);
}
