namespace Compass.Host.Tests;

/// <summary>
/// Tests mirror the source: every test project <c>tests/Compass.X.Tests</c> belongs to one source project
/// (<c>src/Compass.X</c> or <c>plugins/X</c>), and each of its test files sits in the folder that mirrors the source
/// folder it tests. The project root holds only helpers (no tests), tests of a root-level source file (named after it,
/// <c>ChipletsPluginTests.cs</c> for <c>ChipletsPlugin.cs</c>) and the repository-wide checks listed below.
/// </summary>
public sealed class TestLayoutTests
{
    /// <summary>Test projects that test no single source project: the plugin kit builds samples/ and templates/ from outside.</summary>
    private static readonly string[] WithoutSourceProject = ["Compass.PluginKit.Tests"];

    /// <summary>Checks of the whole repository (documents, layout), which test no one source folder.</summary>
    private static readonly string[] RepositoryChecks = ["Compass.Host.Tests/DocumentCitationTests.cs", "Compass.Host.Tests/TestLayoutTests.cs"];

    private static readonly char Sep = Path.DirectorySeparatorChar;

    private static IEnumerable<string> CsFiles(string dir) =>
        Directory.EnumerateFiles(dir, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Sep}bin{Sep}", StringComparison.Ordinal) && !f.Contains($"{Sep}obj{Sep}", StringComparison.Ordinal));

    [Fact]
    public void EveryTestFileSitsInAFolderMirroringASourceFolder()
    {
        Assert.True(Directory.GetDirectories(Path.Combine(TestPaths.RepoRoot, "tests"), "Compass.*.Tests").Length >= 12, "test projects not found");
        var offenders = Offenders(TestPaths.RepoRoot);
        Assert.True(offenders.Count == 0, string.Join(Environment.NewLine, offenders));
    }

    [Fact]
    public void TheLayoutCheckNamesAMisplacedTestAndAcceptsAMirroredOne()
    {
        var root = TestPaths.NewTempDir();
        void Write(string path, string text)
        {
            var full = Path.Combine(root, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, text);
        }
        Write("src/Compass.Demo/Graph/Builder.cs", "class Builder {}");
        Write("src/Compass.Demo/DemoPlugin.cs", "class DemoPlugin {}");
        Write("tests/Compass.Demo.Tests/Graph/BuilderTests.cs", "[Fact] void A() {}");
        Write("tests/Compass.Demo.Tests/DemoPluginTests.cs", "[Fact] void A() {}");
        Write("tests/Compass.Demo.Tests/Helpers.cs", "class Helpers {}");
        Assert.Empty(Offenders(root));

        Write("tests/Compass.Demo.Tests/BuilderTests.cs", "[Fact] void A() {}");
        Write("tests/Compass.Demo.Tests/Search/SearchTests.cs", "[Theory] void A() {}");
        Write("tests/Compass.Other.Tests/OtherTests.cs", "[Fact] void A() {}");
        var offenders = Offenders(root);
        Assert.Equal(3, offenders.Count);
        Assert.Contains(offenders, o => o.StartsWith("Compass.Demo.Tests/BuilderTests.cs: a test at the project root", StringComparison.Ordinal));
        Assert.Contains("Compass.Demo.Tests/Search/SearchTests.cs: src/Compass.Demo has no folder Search", offenders);
        Assert.Contains(offenders, o => o.StartsWith("Compass.Other.Tests: no source project", StringComparison.Ordinal));
    }

    /// <summary>Every test file of <paramref name="root"/>'s test projects that breaks the layout, one line each.</summary>
    private static List<string> Offenders(string root)
    {
        var projects = Directory.GetDirectories(Path.Combine(root, "tests"), "Compass.*.Tests");
        var offenders = new List<string>();
        foreach (var project in projects)
        {
            var name = Path.GetFileName(project);
            if (WithoutSourceProject.Contains(name)) continue;
            var source = SourceOf(root, name);
            if (source is null)
            {
                offenders.Add($"{name}: no source project src/{name[..^".Tests".Length]} or plugins/{name["Compass.".Length..^".Tests".Length]}");
                continue;
            }
            var sourceFolders = CsFiles(source).Select(f => Path.GetRelativePath(source, Path.GetDirectoryName(f)!)).ToHashSet(StringComparer.Ordinal);
            var rootSources = Directory.GetFiles(source, "*.cs").Select(Path.GetFileNameWithoutExtension).ToList();
            foreach (var file in CsFiles(project))
            {
                var folder = Path.GetRelativePath(project, Path.GetDirectoryName(file)!);
                var relative = $"{name}/{Path.GetRelativePath(project, file).Replace(Sep, '/')}";
                if (folder != ".")
                {
                    if (!sourceFolders.Contains(folder)) offenders.Add($"{relative}: {Path.GetRelativePath(root, source).Replace(Sep, '/')} has no folder {folder.Replace(Sep, '/')}");
                    continue;
                }
                var text = File.ReadAllText(file);
                var holdsTests = text.Contains("[Fact", StringComparison.Ordinal) || text.Contains("[Theory", StringComparison.Ordinal);
                if (!holdsTests || RepositoryChecks.Contains(relative)) continue;
                if (!rootSources.Any(s => Path.GetFileName(file).StartsWith(s!, StringComparison.Ordinal)))
                    offenders.Add($"{relative}: a test at the project root must test a root-level source file and be named after it ({string.Join(", ", rootSources.Select(s => s + ".cs"))}); move it into the folder of the source it tests");
            }
        }
        return offenders;
    }

    /// <summary>The source project a test project mirrors: <c>src/Compass.X</c>, else <c>plugins/X</c>, else null.</summary>
    private static string? SourceOf(string root, string testProject)
    {
        var compassName = testProject[..^".Tests".Length];
        var src = Path.Combine(root, "src", compassName);
        if (Directory.Exists(src)) return src;
        var plugin = Path.Combine(root, "plugins", compassName["Compass.".Length..]);
        return Directory.Exists(plugin) ? plugin : null;
    }
}
