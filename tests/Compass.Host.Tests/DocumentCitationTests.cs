using System.Text.RegularExpressions;

namespace Compass.Host.Tests;

/// <summary>Every citation of the reference notes in code and documents points at a file and a section of this repository.</summary>
public sealed partial class DocumentCitationTests
{
    [GeneratedRegex(@"(?<![\w/.-])(?:docs/)?reference/(?<file>[a-z-]+\.md)(?:\s*§\s*(?<section>\d+(?:\.\d+)?))?")]
    private static partial Regex Citation();

    [GeneratedRegex(@"shared/reference|\.\./shared/")]
    private static partial Regex OutsidePath();

    private static IEnumerable<string> SourcesAndDocuments()
    {
        var root = TestPaths.RepoRoot;
        foreach (var folder in (string[])["src", "plugins", "tests", "docs", "bench", "scenarios", "studies"])
        {
            var dir = Path.Combine(root, folder);
            if (!Directory.Exists(dir)) continue;
            foreach (var file in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories))
            {
                var sep = Path.DirectorySeparatorChar;
                if (file.Contains($"{sep}bin{sep}", StringComparison.Ordinal) || file.Contains($"{sep}obj{sep}", StringComparison.Ordinal)) continue;
                if (file.EndsWith(".cs", StringComparison.Ordinal) || file.EndsWith(".md", StringComparison.Ordinal) || file.EndsWith(".json", StringComparison.Ordinal)) yield return file;
            }
        }
        foreach (var top in (string[])["README.md", "BENCHMARKS.md"])
            if (File.Exists(Path.Combine(root, top))) yield return Path.Combine(root, top);
    }

    [Fact]
    public void EveryReferenceCitationResolvesToAFileAndASection()
    {
        var reference = Path.Combine(TestPaths.RepoRoot, "docs", "reference");
        var problems = new List<string>();
        var checkedCitations = 0;
        foreach (var file in SourcesAndDocuments())
        {
            if (file.EndsWith(nameof(DocumentCitationTests) + ".cs", StringComparison.Ordinal)) continue;
            var lines = File.ReadAllLines(file);
            for (var i = 0; i < lines.Length; i++)
            {
                var where = $"{Path.GetRelativePath(TestPaths.RepoRoot, file)}:{i + 1}";
                if (OutsidePath().IsMatch(lines[i])) problems.Add($"{where}: cites a file outside the repository");
                foreach (Match m in Citation().Matches(lines[i]))
                {
                    checkedCitations++;
                    var target = Path.Combine(reference, m.Groups["file"].Value);
                    if (!File.Exists(target)) { problems.Add($"{where}: {m.Value}: no such file"); continue; }
                    if (m.Groups["section"].Success && !HasSection(target, m.Groups["section"].Value))
                        problems.Add($"{where}: {m.Value}: no section {m.Groups["section"].Value}");
                }
            }
        }
        Assert.True(problems.Count == 0, string.Join('\n', problems));
        Assert.True(checkedCitations > 50, $"only {checkedCitations} citations found: is the pattern still right?");
    }

    private static bool HasSection(string file, string section) =>
        File.ReadLines(file).Any(l => l.StartsWith('#') && Regex.IsMatch(l, @"^#+\s+" + Regex.Escape(section) + @"[.\s]"));
}
