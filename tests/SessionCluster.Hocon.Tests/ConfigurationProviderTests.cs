using Microsoft.Extensions.Configuration;

namespace SessionCluster.Hocon.Tests;

/// <summary>The <c>IConfiguration</c> provider: flattening, layering, origins and error surfacing.</summary>
public sealed class ConfigurationProviderTests : IDisposable
{
    private const string WorkerConf = """
        session-cluster {
          remote {
            host = "10.0.0.5"
            port = 2552
          }
          seed-nodes = [ "akka.tcp://sys@a:2552", "akka.tcp://sys@b:2552" ]
          sessions.max-inactive-interval = 30m
          enabled = true
          comment = null
        }
        """;

    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Theory]
    [InlineData("session-cluster:remote:host", "10.0.0.5")]
    [InlineData("session-cluster:remote:port", "2552")]
    [InlineData("Session-Cluster:Remote:PORT", "2552")]
    [InlineData("session-cluster:seed-nodes:0", "akka.tcp://sys@a:2552")]
    [InlineData("session-cluster:seed-nodes:1", "akka.tcp://sys@b:2552")]
    [InlineData("session-cluster:sessions:max-inactive-interval", "30m")]
    [InlineData("session-cluster:enabled", "true")]
    [InlineData("session-cluster:comment", null)]
    [InlineData("session-cluster:missing", null)]
    public void Flattens_keys_with_colons_and_array_indices(string key, string? expected)
    {
        var configuration = new ConfigurationBuilder().AddHoconString(WorkerConf, "worker.conf").Build();

        Assert.Equal(expected, configuration[key]);
    }

    [Fact]
    public void Arrays_bind_as_indexed_children()
    {
        var configuration = new ConfigurationBuilder().AddHoconString(WorkerConf).Build();

        var seeds = configuration.GetSection("session-cluster:seed-nodes").GetChildren().Select(child => child.Value);

        Assert.Equal(["akka.tcp://sys@a:2552", "akka.tcp://sys@b:2552"], seeds);
    }

    [Fact]
    public void Later_in_memory_provider_overrides_hocon_and_takes_over_the_origin()
    {
        var configuration = new ConfigurationBuilder()
            .AddHoconString(WorkerConf, "worker.conf")
            .AddInMemoryCollection(new Dictionary<string, string?> { ["session-cluster:remote:port"] = "9999" })
            .Build();

        Assert.Equal("9999", configuration["session-cluster:remote:port"]);
        Assert.Equal("10.0.0.5", configuration["session-cluster:remote:host"]);
        Assert.Null(HoconOrigins.Find(configuration, "session-cluster:remote:port"));
        Assert.Equal(new HoconOrigin("worker.conf", 3, 12), HoconOrigins.Find(configuration, "session-cluster:remote:host"));
    }

    [Fact]
    public void Command_line_and_environment_variables_layer_on_top()
    {
        using var variable = new EnvironmentVariableScope("from-env", prefix: "HOCONTEST");
        Environment.SetEnvironmentVariable(variable.Name + "session-cluster__remote__host", "env-host");
        try
        {
            var configuration = new ConfigurationBuilder()
                .AddHoconString(WorkerConf)
                .AddEnvironmentVariables(prefix: variable.Name)
                .AddCommandLine(["--session-cluster:remote:port=7000"])
                .Build();

            Assert.Equal("env-host", configuration["session-cluster:remote:host"]);
            Assert.Equal("7000", configuration["session-cluster:remote:port"]);
            Assert.Equal("30m", configuration["session-cluster:sessions:max-inactive-interval"]);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable.Name + "session-cluster__remote__host", null);
        }
    }

    [Fact]
    public void Hocon_layered_after_another_provider_wins_and_null_clears_a_value()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["a"] = "1", ["b"] = "1" })
            .AddHoconString("a = 2\nb = null")
            .Build();

        Assert.Equal("2", configuration["a"]);
        Assert.Null(configuration["b"]);
    }

    [Theory]
    [InlineData("session-cluster:sessions:max-inactive-interval", 7, 36)]
    [InlineData("SESSION-CLUSTER:SESSIONS:MAX-INACTIVE-INTERVAL", 7, 36)]
    [InlineData("session-cluster:seed-nodes:1", 6, 43)]
    [InlineData("session-cluster:seed-nodes", 6, 16)]
    [InlineData("session-cluster:remote", 2, 10)]
    public void Provider_reports_where_each_key_was_defined(string key, int line, int column)
    {
        var configuration = new ConfigurationBuilder().AddHoconString(WorkerConf, "hocon/worker.conf").Build();
        var provider = configuration.Providers.OfType<HoconConfigurationProvider>().Single();

        Assert.True(provider.TryGetOrigin(key, out var origin));
        Assert.Equal(new HoconOrigin("hocon/worker.conf", line, column), origin);
        Assert.Equal(origin, HoconOrigins.Find(configuration, key));
    }

    [Fact]
    public void Unknown_key_has_no_origin()
    {
        var configuration = new ConfigurationBuilder().AddHoconString(WorkerConf).Build();
        var provider = configuration.Providers.OfType<HoconConfigurationProvider>().Single();

        Assert.False(provider.TryGetOrigin("session-cluster:nope", out _));
        Assert.Null(HoconOrigins.Find(configuration, "session-cluster:nope"));
    }

    [Fact]
    public void Origin_supports_binder_style_messages()
    {
        var configuration = new ConfigurationBuilder()
            .AddHoconString("session-cluster.sessions {\n  max-inactive-interval = abc\n}", "hocon/worker.conf")
            .Build();
        const string key = "session-cluster:sessions:max-inactive-interval";

        var value = configuration[key]!;
        var origin = HoconOrigins.Find(configuration, key)!;
        var message = $"{origin.File}:{origin.Line}: {key.Replace(':', '.')}: expected a duration like 30m, got '{value}'";

        Assert.False(HoconDuration.TryParse(value, out _));
        Assert.Equal("hocon/worker.conf:2: session-cluster.sessions.max-inactive-interval: expected a duration like 30m, got 'abc'", message);
        Assert.Equal("hocon/worker.conf:2:27", origin.ToString());
    }

    [Fact]
    public void Newest_hocon_provider_wins_for_origin_lookup()
    {
        var configuration = new ConfigurationBuilder()
            .AddHoconString("a = 1\nb = 1", "reference.conf")
            .AddHoconString("\na = 2", "application.conf")
            .Build();

        Assert.Equal(new HoconOrigin("application.conf", 2, 5), HoconOrigins.Find(configuration, "a"));
        Assert.Equal(new HoconOrigin("reference.conf", 2, 5), HoconOrigins.Find(configuration, "b"));
    }

    [Fact]
    public void Relative_file_path_resolves_against_the_base_path_and_keeps_its_display_name()
    {
        _directory.Write("hocon/common.conf", "remote.host = h");
        _directory.Write("hocon/worker.conf", "include \"common.conf\"\nremote.port = 1");

        var configuration = new ConfigurationBuilder()
            .SetBasePath(_directory.Path)
            .AddHoconFile("hocon/worker.conf")
            .Build();

        Assert.Equal("h", configuration["remote:host"]);
        Assert.Equal("hocon/worker.conf:2:15", HoconOrigins.Find(configuration, "remote:port")!.ToString());
        Assert.Equal(Path.Combine("hocon", "common.conf"), HoconOrigins.Find(configuration, "remote:host")!.File);
    }

    [Fact]
    public void Absolute_file_path_loads()
    {
        var path = _directory.Write("app.conf", "a = 1");

        var configuration = new ConfigurationBuilder().AddHoconFile(path).Build();

        Assert.Equal("1", configuration["a"]);
    }

    [Fact]
    public void Missing_optional_file_is_empty_and_missing_required_file_throws()
    {
        var builder = new ConfigurationBuilder().SetBasePath(_directory.Path);

        Assert.Empty(builder.AddHoconFile("nope.conf", optional: true).Build().AsEnumerable());

        var error = Assert.Throws<FileNotFoundException>(() => builder.AddHoconFile("nope.conf").Build());
        Assert.Contains("nope.conf", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_error_in_a_file_surfaces_from_Build()
    {
        _directory.Write("worker.conf", "session-cluster {\n  remote {\n    port 2552\n  }\n}");
        var builder = new ConfigurationBuilder().SetBasePath(_directory.Path).AddHoconFile("worker.conf");

        var error = Assert.Throws<HoconException>(() => builder.Build());

        Assert.Equal("worker.conf:3:14: expected '=' or ':' or '{' after key \"port 2552\", found end of line", error.Message);
    }

    [Fact]
    public void Resolution_error_surfaces_from_Build()
    {
        var builder = new ConfigurationBuilder().AddHoconString("a = ${b}\nb = ${a}", "loop.conf");

        var error = Assert.Throws<HoconException>(() => builder.Build());

        Assert.StartsWith("loop.conf:2:5: substitution cycle", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Stream_source_is_read_as_utf8()
    {
        using var stream = new MemoryStream("greeting = \"héllo\""u8.ToArray());

        var configuration = new ConfigurationBuilder().AddHoconStream(stream, "stream.conf").Build();

        Assert.Equal("héllo", configuration["greeting"]);
        Assert.Equal("stream.conf", HoconOrigins.Find(configuration, "greeting")!.File);
    }

    [Fact]
    public void Empty_objects_and_arrays_appear_as_null_keys()
    {
        var configuration = new ConfigurationBuilder().AddHoconString("a {}\nb = []").Build();

        Assert.Equal(["a", "b"], configuration.GetChildren().Select(child => child.Key).Order());
        Assert.Null(configuration["a"]);
    }

    [Fact]
    public void Provider_exposes_the_resolved_document()
    {
        var configuration = new ConfigurationBuilder().AddHoconString("x = 1\ny = ${x}").Build();
        var provider = configuration.Providers.OfType<HoconConfigurationProvider>().Single();

        Assert.Equal("1", Assert.IsType<HoconScalar>(provider.Document!.Find("y")).Text);
        Assert.Contains("<string>", provider.ToString(), StringComparison.Ordinal);
    }
}
