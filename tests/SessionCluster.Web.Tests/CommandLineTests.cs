using SessionCluster.Actors.Hosting;

namespace SessionCluster.Web.Tests;

/// <summary><see cref="NodeCommandLine.Parse"/>: the switches every node accepts, and a one-line error for anything else.</summary>
public sealed class CommandLineTests
{
    private const string DefaultFile = "hocon/worker.conf";

    [Fact]
    public void Parse_NoArguments_UsesDefaultFileAndNoOverrides()
    {
        var parsed = NodeCommandLine.Parse([], DefaultFile);

        Assert.Equal(DefaultFile, parsed.ConfigFile);
        Assert.Empty(parsed.Overrides);
        Assert.False(parsed.HelpRequested);
    }

    [Fact]
    public void Parse_NoArgumentsAndNoDefaultFile_RunsOnReferenceAlone()
    {
        var parsed = NodeCommandLine.Parse([], null);

        Assert.Null(parsed.ConfigFile);
    }

    [Theory]
    [InlineData("--config node1.conf")]
    [InlineData("--config=node1.conf")]
    public void Parse_Config_ReplacesDefaultFile(string commandLine)
    {
        var parsed = NodeCommandLine.Parse(commandLine.Split(' '), DefaultFile);

        Assert.Equal("node1.conf", parsed.ConfigFile);
        Assert.Empty(parsed.Overrides);
    }

    [Theory]
    [InlineData("--urls http://127.0.0.1:8081;http://[::1]:8081")]
    [InlineData("--urls=http://127.0.0.1:8081;http://[::1]:8081")]
    public void Parse_Urls_BecomesUrlsSetting(string commandLine)
    {
        var parsed = NodeCommandLine.Parse(commandLine.Split(' '), DefaultFile);

        Assert.Equal(new Dictionary<string, string> { ["urls"] = "http://127.0.0.1:8081;http://[::1]:8081" }, parsed.Overrides);
    }

    [Theory]
    [InlineData(new[] { "--http", "8080" }, "http://localhost:8080")]
    [InlineData(new[] { "--http=1" }, "http://localhost:1")]
    [InlineData(new[] { "--http", "65535" }, "http://localhost:65535")]
    [InlineData(new[] { "--http", "08080" }, "http://localhost:8080")]
    public void Parse_Http_IsShorthandForLocalhostUrl(string[] args, string urls)
    {
        var parsed = NodeCommandLine.Parse(args, DefaultFile);

        Assert.Equal(new Dictionary<string, string> { ["urls"] = urls }, parsed.Overrides);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("65536")]
    [InlineData("-1")]
    [InlineData("http")]
    [InlineData("80.5")]
    [InlineData("")]
    public void Parse_HttpWithBadPort_FailsNamingTheValue(string port)
    {
        var failure = Assert.Throws<CommandLineException>(() => NodeCommandLine.Parse(["--http=" + port], DefaultFile));

        Assert.Equal($"--http expects a port number from 1 to 65535, got '{port}'.", failure.Message);
    }

    [Fact]
    public void Parse_UrlsThenHttp_LastOneWins()
    {
        var parsed = NodeCommandLine.Parse(["--urls", "http://a:1", "--http", "2"], DefaultFile);

        Assert.Equal("http://localhost:2", parsed.Overrides["urls"]);
    }

    [Theory]
    [InlineData("--route node-a")]
    [InlineData("--route=node-a")]
    public void Parse_Route_BecomesNodeRouteSetting(string commandLine)
    {
        var parsed = NodeCommandLine.Parse(commandLine.Split(' '), DefaultFile);

        Assert.Equal(new Dictionary<string, string> { ["session-cluster:node:route"] = "node-a" }, parsed.Overrides);
    }

    [Theory]
    [InlineData(new[] { "--session-cluster:sessions:cookie-name=JSID" }, "session-cluster:sessions:cookie-name", "JSID")]
    [InlineData(new[] { "--session-cluster:sessions:cookie-name", "JSID" }, "session-cluster:sessions:cookie-name", "JSID")]
    [InlineData(new[] { "--session-cluster:node:roles:0=front" }, "session-cluster:node:roles:0", "front")]
    [InlineData(new[] { "--session-cluster:a:b=x=y" }, "session-cluster:a:b", "x=y")]
    [InlineData(new[] { "--session-cluster:a:b=" }, "session-cluster:a:b", "")]
    [InlineData(new[] { "--Session-Cluster:Sessions:Max-Attributes=3" }, "Session-Cluster:Sessions:Max-Attributes", "3")]
    public void Parse_SessionClusterSetting_BecomesConfigurationKey(string[] args, string key, string value)
    {
        var parsed = NodeCommandLine.Parse(args, DefaultFile);

        Assert.Equal(new Dictionary<string, string> { [key] = value }, parsed.Overrides);
    }

    [Fact]
    public void Parse_SameSettingTwiceInOtherCase_LastOneWins()
    {
        var parsed = NodeCommandLine.Parse(["--route", "a", "--SESSION-CLUSTER:node:route=b"], DefaultFile);

        Assert.Equal("b", Assert.Single(parsed.Overrides).Value);
        Assert.Equal("b", parsed.Overrides["session-cluster:node:route"]);
    }

    [Fact]
    public void Parse_AllSwitchesTogether_CollectsEach()
    {
        var parsed = NodeCommandLine.Parse(
            ["--config", "front.conf", "--http=9000", "--route", "front-1", "--session-cluster:sessions:max-attributes", "10"],
            DefaultFile);

        Assert.Equal("front.conf", parsed.ConfigFile);
        Assert.Equal(
            new Dictionary<string, string>
            {
                ["urls"] = "http://localhost:9000",
                ["session-cluster:node:route"] = "front-1",
                ["session-cluster:sessions:max-attributes"] = "10",
            },
            parsed.Overrides);
        Assert.False(parsed.HelpRequested);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("-?")]
    [InlineData("--http 8080 --help")]
    public void Parse_Help_IsRequested(string commandLine)
    {
        var parsed = NodeCommandLine.Parse(commandLine.Split(' '), DefaultFile);

        Assert.True(parsed.HelpRequested);
    }

    [Fact]
    public void Usage_Formatted_ListsEverySwitch()
    {
        var usage = string.Format(System.Globalization.CultureInfo.InvariantCulture, NodeCommandLine.Usage, DefaultFile);

        Assert.All(
            ["--config FILE", "(default: hocon/worker.conf)", "--urls URL[;URL]", "--http PORT", "--route NAME", "--session-cluster:path:to:key=VALUE", "--help"],
            expected => Assert.Contains(expected, usage, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(new[] { "--cluster-port", "80" }, "Unknown switch '--cluster-port'.")]
    [InlineData(new[] { "--verbose=1" }, "Unknown switch '--verbose=1'.")]
    [InlineData(new[] { "-x" }, "Unknown switch '-x'.")]
    [InlineData(new[] { "--session-cluster:=x" }, "Unknown switch '--session-cluster:=x'.")]
    [InlineData(new[] { "--session-clusterx:a=1" }, "Unknown switch '--session-clusterx:a=1'.")]
    [InlineData(new[] { "--http", "80", "--bogus" }, "Unknown switch '--bogus'.")]
    public void Parse_UnknownSwitch_FailsNamingIt(string[] args, string message)
    {
        var failure = Assert.Throws<CommandLineException>(() => NodeCommandLine.Parse(args, DefaultFile));

        Assert.Equal(message, failure.Message);
    }

    [Theory]
    [InlineData(new[] { "node.conf" }, "Unexpected argument 'node.conf': switches start with --.")]
    [InlineData(new[] { "--http", "80", "extra" }, "Unexpected argument 'extra': switches start with --.")]
    public void Parse_BareArgument_FailsNamingIt(string[] args, string message)
    {
        var failure = Assert.Throws<CommandLineException>(() => NodeCommandLine.Parse(args, DefaultFile));

        Assert.Equal(message, failure.Message);
    }

    [Theory]
    [InlineData(new[] { "--config" }, "Switch --config needs a value.")]
    [InlineData(new[] { "--urls" }, "Switch --urls needs a value.")]
    [InlineData(new[] { "--http" }, "Switch --http needs a value.")]
    [InlineData(new[] { "--route" }, "Switch --route needs a value.")]
    [InlineData(new[] { "--session-cluster:node:route" }, "Switch --session-cluster:node:route needs a value.")]
    [InlineData(new[] { "--config", "--http", "80" }, "Switch --config needs a value.")]
    public void Parse_SwitchWithoutValue_FailsNamingTheSwitch(string[] args, string message)
    {
        var failure = Assert.Throws<CommandLineException>(() => NodeCommandLine.Parse(args, DefaultFile));

        Assert.Equal(message, failure.Message);
    }
}
