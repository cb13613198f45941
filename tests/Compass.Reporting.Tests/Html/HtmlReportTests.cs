using System.Text.RegularExpressions;
using System.Xml.Linq;
using Compass.Reporting.Html;

namespace Compass.Reporting.Tests.Html;

public sealed partial class HtmlReportTests
{
    [GeneratedRegex("<svg.*?</svg>", RegexOptions.Singleline)]
    private static partial Regex SvgElement();

    private static void AssertSelfContained(string html)
    {
        Assert.DoesNotContain("http:", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("https:", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<link", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("@import", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(" src=", html, StringComparison.OrdinalIgnoreCase);
        Assert.All(Regex.Matches(html, @"url\(([^)]*)\)").Select(m => m.Groups[1].Value), u => Assert.StartsWith("#", u, StringComparison.Ordinal));
    }

    [Fact]
    public void RunReportIsSelfContainedAndHasEverySection()
    {
        var html = HtmlReport.Run(TestData.Run());
        AssertSelfContained(html);
        foreach (var id in new[] { "scenario", "metrics", "baselines", "convergence", "pareto", "energy", "utilisation", "schedule" })
            Assert.Contains("<section id=\"" + id + "\">", html, StringComparison.Ordinal);
        var svgs = SvgElement().Matches(html).Select(m => XDocument.Parse(m.Value)).ToList();
        Assert.Equal(5, svgs.Count); // convergence, scatter, energy bars, heatmap, Gantt
    }

    [Fact]
    public void RunReportEscapesTextAndFlattensTheScenario()
    {
        var html = HtmlReport.Run(TestData.Run());
        Assert.Contains("two chiplets &amp; &lt;friends&gt;", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<friends>", html, StringComparison.Ordinal);
        Assert.Contains("<td>optimizer.options.populationSize</td><td>4</td>", html, StringComparison.Ordinal);
        Assert.Contains("<td>hardware.package</td><td>mesh-2x2</td>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void BaselineTableShowsHandComputedEdpReduction()
    {
        // Best EDP = 1250.5 ns × 450 pJ; pipeline 2000 × 900 → 1 − 562725 / 1800000 = 68.7 %; tensor-parallel 1500 × 600 → 37.5 %.
        var html = HtmlReport.Run(TestData.Run());
        Assert.Matches("<td>pipeline</td>.*<td class=\"num\">68.7 %</td></tr>", html);
        Assert.Matches("<td>tensor-parallel</td>.*<td class=\"num\">37.5 %</td></tr>", html);
    }

    [Fact]
    public void ComparisonReportHasReductionTableBoxPlotAndSpreadBands()
    {
        var html = HtmlReport.Comparison(TestData.Comparison());
        AssertSelfContained(html);
        // ga: EDPs 1e-9 and 1.2e-9 → mean 1.1e-9, reduction vs 2e-9 = 45 %, best 50 %.
        Assert.Matches("<tr class=\"best\"><td>ga</td><td class=\"num\">2</td><td class=\"num\">1.1E-9</td>.*<td class=\"num\">45.0 %</td><td class=\"num\">50.0 %</td>", html);
        var svgs = SvgElement().Matches(html).Select(m => XDocument.Parse(m.Value)).ToList();
        Assert.Equal(2, svgs.Count);
        Assert.Equal(2, svgs[0].Descendants("path").Count(p => (string?)p.Attribute("class") == "band"));
        Assert.Equal(2, svgs[1].Descendants("g").Count(g => (string?)g.Attribute("class") == "box-group"));
        Assert.Single(svgs[1].Descendants("line"), l => (string?)l.Attribute("class") == "reference");
    }

    [Fact]
    public void SeedWithoutValidMappingDoesNotMakeTheMeanInfinite()
    {
        // A third ga seed that found no valid mapping (EDP ∞): counted as a seed, left out of the mean, like the console summary.
        var data = TestData.Comparison();
        var failed = data.Runs[0] with { Seed = 3, BestEdpJouleSeconds = double.PositiveInfinity };
        var html = HtmlReport.Comparison(data with { Runs = [.. data.Runs, failed] });
        Assert.Matches("<tr class=\"best\"><td>ga</td><td class=\"num\">3</td><td class=\"num\">1.1E-9</td>.*<td class=\"num\">45.0 %</td><td class=\"num\">50.0 %</td>", html);
    }

    [Fact]
    public void SameDataGivesIdenticalHtml()
    {
        Assert.Equal(HtmlReport.Run(TestData.Run()), HtmlReport.Run(TestData.Run()));
        Assert.Equal(HtmlReport.Comparison(TestData.Comparison()), HtmlReport.Comparison(TestData.Comparison()));
        Assert.DoesNotContain("2026", HtmlReport.Run(TestData.Run()), StringComparison.Ordinal);
    }
}
