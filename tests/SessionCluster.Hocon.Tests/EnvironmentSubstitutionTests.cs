namespace SessionCluster.Hocon.Tests;

/// <summary>Substitutions that fall back to environment variables.</summary>
public sealed class EnvironmentSubstitutionTests
{
    [Fact]
    public void Optional_substitution_uses_environment_variable_when_path_is_absent()
    {
        using var variable = new EnvironmentVariableScope("from-env");

        var table = FlatTable.Parse($"a = ${{?{variable.Name}}}");

        Assert.Equal("a=from-env", table);
    }

    [Fact]
    public void Required_substitution_uses_environment_variable_when_path_is_absent()
    {
        using var variable = new EnvironmentVariableScope("/opt/app");

        var table = FlatTable.Parse($"dir = ${{{variable.Name}}}/data");

        Assert.Equal("dir=/opt/app/data", table);
    }

    [Fact]
    public void Config_value_wins_over_environment_variable_of_the_same_name()
    {
        using var variable = new EnvironmentVariableScope("from-env");

        var table = FlatTable.Parse($"{variable.Name} = from-config\na = ${{{variable.Name}}}");

        Assert.Equal($"{variable.Name}=from-config | a=from-config", table);
    }

    [Theory]
    [InlineData(null, "port=2552")]
    [InlineData("9000", "port=9000")]
    public void Optional_override_keeps_default_only_when_variable_is_unset(string? value, string expected)
    {
        using var variable = new EnvironmentVariableScope(value);

        var table = FlatTable.Parse($"port = 2552\nport = ${{?{variable.Name}}}");

        Assert.Equal(expected, table);
    }

    [Fact]
    public void Undefined_optional_substitution_removes_the_field()
    {
        using var variable = new EnvironmentVariableScope(null);

        var table = FlatTable.Parse($"a = ${{?{variable.Name}}}\nb = 1\nc = [1, ${{?{variable.Name}}}]");

        Assert.Equal("b=1 | c:0=1", table);
    }

    [Fact]
    public void Undefined_optional_substitution_drops_out_of_a_concatenation()
    {
        using var variable = new EnvironmentVariableScope(null);

        var table = FlatTable.Parse($"a = ${{?{variable.Name}}} suffix\nlist = ${{?{variable.Name}}} [1]");

        Assert.Equal("a=suffix | list:0=1", table);
    }

    [Fact]
    public void Self_reference_appends_to_environment_value_when_no_earlier_definition_exists()
    {
        using var variable = new EnvironmentVariableScope("/usr/bin");

        var table = FlatTable.Parse($"{variable.Name} = ${{{variable.Name}}}\":/opt/bin\"");

        Assert.Equal($"{variable.Name}=/usr/bin:/opt/bin", table);
    }

    [Fact]
    public void Missing_required_substitution_names_path_and_use_site()
    {
        using var variable = new EnvironmentVariableScope(null);

        var error = Assert.Throws<HoconException>(
            () => HoconParser.Parse($"a = 1\nb = ${{{variable.Name}}}", "worker.conf"));

        Assert.Equal(
            $"worker.conf:2:5: could not resolve substitution ${{{variable.Name}}}: \"{variable.Name}\" is not defined "
            + $"in the configuration and there is no environment variable named \"{variable.Name}\"",
            error.Message);
    }
}
