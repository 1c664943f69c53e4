using System.Text;
using Microsoft.Extensions.Configuration;
using SessionCluster.Actors.Hosting;
using SessionCluster.Hocon;
using SessionCluster.TestKit.Fuzzing;

namespace SessionCluster.Actors.Tests.Fuzzing;

/// <summary>Seeded fuzzing of the HOCON parser and of settings loading: reference.conf, the node files and small
/// documents, mutated character by character and token by token.</summary>
/// <remarks>The contract: a document parses, or fails with <see cref="HoconException"/> naming where; settings load, or
/// fail with <see cref="SettingsException"/> or <see cref="HoconException"/>. A node file is an operator's input, and a bad
/// one must stop the node with one clear line, never a stack trace, a hang or a stack overflow.</remarks>
public sealed class HoconFuzzTests : IDisposable
{
    private static readonly string[] Tokens =
    [
        "{", "}", "[", "]", "\"", "\"\"\"", "${", "${?", "}", "=", ":", "+=", "#", "//", "\n", ",", ".", "include ", "include file(", "\\", "\\u", "\\uD800",
        "${session-cluster.remote.port}", "${a}", "${a.b}", "a = ${a}", "a = ${b}\nb = ${a}", "\"\\", "1", "-1", "1e999", "99999999999999999999", "5s", "5 KiB",
        "on", "null", "true", "\u0000", "\uFFFD", "é", "🎉", " ", "\t", "\r", "a.b.c", "..", "\"a\".\"b\"", "[1,2", "{{{{", "]]]]", "${?HOME}", "+=[1]",
    ];

    private static readonly string[] Documents =
    [
        "a = 1", "a { b = [1, 2, {c = 3}] }", "a = ${b}, b = 5", "a = \"\"\"x\ny\"\"\"", "a = [1] \n a += 2", "x.y.z = 1s\nx { w = 64KiB }",
        "a = ${?NOPE_NOT_SET}", "a = foo bar ${b}, b = baz", "a { include \"missing.conf\" }",
    ];

    private readonly string _directory = Directory.CreateTempSubdirectory("hocon-fuzz-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Parser_OnMutatedDocuments_ParsesOrThrowsHoconException()
    {
        var seed = FuzzBudget.Seed(11);
        var random = new Random(seed);
        var corpus = Corpus();
        var iterations = FuzzBudget.Iterations(1_500);
        var parsed = 0;
        for (var i = 0; i < iterations; i++)
        {
            var text = Mutate(corpus[random.Next(corpus.Length)], random);
            try
            {
                HoconParser.Parse(text, "fuzz.conf", _directory);
                parsed++;
            }
            catch (HoconException)
            {
            }
            catch (Exception error)
            {
                throw new FuzzFindingException(seed, i, "hocon", Encoding.UTF8.GetBytes(text), error);
            }
        }

        Assert.True(parsed > 0, "some mutations still parse, so the fuzzer gets past the lexer");
    }

    [Fact]
    public void Settings_OnMutatedNodeFiles_LoadOrFailWithOneClearError()
    {
        var seed = FuzzBudget.Seed(12);
        var random = new Random(seed);
        var corpus = Corpus().Where(text => text.Contains("session-cluster", StringComparison.Ordinal)).ToArray();
        var iterations = FuzzBudget.Iterations(200);
        var path = Path.Combine(_directory, "node.conf");
        for (var i = 0; i < iterations; i++)
        {
            var text = Mutate(corpus[random.Next(corpus.Length)], random);
            File.WriteAllBytes(path, Encoding.UTF8.GetBytes(text));   // a lone surrogate becomes U+FFFD, as an editor would write it
            try
            {
                SessionClusterSettings.Load(new ConfigurationBuilder().AddNodeConfiguration(new NodeCommandLine(path, new Dictionary<string, string>())).Build());
            }
            catch (Exception error) when (error is SettingsException or HoconException)
            {
                Assert.False(string.IsNullOrWhiteSpace(error.Message));
            }
            catch (Exception error)
            {
                throw new FuzzFindingException(seed, i, "node file", Encoding.UTF8.GetBytes(text), error);
            }
        }
    }

    private static string[] Corpus()
    {
        var root = FindRepositoryRoot();
        var files = Directory.GetFiles(Path.Combine(root, "hocon"), "*.conf").Select(File.ReadAllText);
        return [ReferenceConfiguration.Text, .. files, .. Documents];
    }

    private static string Mutate(string text, Random random)
    {
        var builder = new StringBuilder(text);
        for (var n = 1 + random.Next(4); n > 0; n--)
        {
            var at = random.Next(builder.Length + 1);
            switch (random.Next(5))
            {
                case 0:
                    builder.Insert(at, Tokens[random.Next(Tokens.Length)]);
                    break;
                case 1 when builder.Length > 0:
                    builder.Remove(Math.Min(at, builder.Length - 1), Math.Min(1 + random.Next(12), builder.Length - Math.Min(at, builder.Length - 1)));
                    break;
                case 2 when builder.Length > 0:
                    builder[Math.Min(at, builder.Length - 1)] = (char)random.Next(0x20, 0x7F);
                    break;
                case 3:
                    builder.Length = Math.Min(builder.Length, at);
                    break;
                default:
                    builder.Insert(at, string.Concat(Enumerable.Repeat(Tokens[random.Next(Tokens.Length)], 1 + random.Next(200))));
                    break;
            }
        }

        return builder.ToString();
    }

    /// <summary>The repository root, from this source file's path as the compiler saw it (the artifacts may live
    /// anywhere, the sources do not move).</summary>
    private static string FindRepositoryRoot([System.Runtime.CompilerServices.CallerFilePath] string thisFile = "")
    {
        var root = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(thisFile)!, "..", "..", ".."));
        return File.Exists(Path.Combine(root, "hocon", "reference.conf"))
            ? root
            : throw new InvalidOperationException($"No hocon/reference.conf under '{root}', the root derived from {thisFile}.");
    }
}
