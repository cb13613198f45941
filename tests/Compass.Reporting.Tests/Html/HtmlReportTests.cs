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
        foreach (var id in new[] { "summary", "convergence", "pareto", "energy", "utilisation", "schedule", "scenario" })
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
        // 95 % CI half-width: t(0.975, 1) = 12.706 × s (1.414E-10) / √2 = 1.27E-9.
        Assert.Matches("<tr class=\"best\"><td>ga</td><td class=\"num\">2/2</td><td class=\"num\">1.1E-9 ± 1.3E-9</td>.*<td class=\"num\">45.0 %</td><td class=\"num\">50.0 %</td><td class=\"num\">reference</td>", html);
        // random − ga by seed: (0.8, 0.4)E-9 → mean 6E-10, t = 3 with 1 df → p = 1 − 2·atan(3)/π = 0.205.
        Assert.Matches("<td>random</td>.*<td class=\"num\">\\+6E-10, p = 0.205</td>", html);
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
        Assert.Matches("<tr class=\"best\"><td>ga</td><td class=\"num\">2/3</td><td class=\"num\">1.1E-9 ± 1.3E-9</td>.*<td class=\"num\">45.0 %</td><td class=\"num\">50.0 %</td>", html);
    }

    [Fact]
    public void SameDataGivesIdenticalHtml()
    {
        Assert.Equal(HtmlReport.Run(TestData.Run()), HtmlReport.Run(TestData.Run()));
        Assert.Equal(HtmlReport.Comparison(TestData.Comparison()), HtmlReport.Comparison(TestData.Comparison()));
        Assert.DoesNotContain("2026", HtmlReport.Run(TestData.Run()), StringComparison.Ordinal);
    }

    [Fact]
    public void SummaryComesBeforeTheChartsAndSettingsAreFoldedAway()
    {
        var html = HtmlReport.Run(TestData.Run());
        var summary = html.IndexOf("<section id=\"summary\">", StringComparison.Ordinal);
        Assert.True(summary >= 0 && summary < html.IndexOf("<svg", StringComparison.Ordinal));
        // Best 1250.5 ns × 450 pJ = 5.627E-16 J·s; best baseline tensor-parallel 9E-16 → 37.5 % lower.
        Assert.Contains("EDP <b>5.627E-16 J·s</b>, <b>37.5 % lower</b> than the best baseline (tensor-parallel)", html, StringComparison.Ordinal);
        Assert.Contains("latency <b>0.00125 ms</b>", html, StringComparison.Ordinal);
        var details = html.IndexOf("<details>", StringComparison.Ordinal);
        Assert.True(details > html.LastIndexOf("<svg", StringComparison.Ordinal));
        Assert.True(html.IndexOf("<td>optimizer.options.populationSize</td>", StringComparison.Ordinal) > details);
        Assert.Contains("<td>repairs</td>", html[details..], StringComparison.Ordinal);
        // Units: one system on every column and axis.
        Assert.DoesNotContain("(ns)", html, StringComparison.Ordinal);
        Assert.DoesNotContain("(pJ)", html, StringComparison.Ordinal);
        Assert.DoesNotContain("ns·pJ", html, StringComparison.Ordinal);
        Assert.Contains("latency per iteration (ms)", html, StringComparison.Ordinal);
        Assert.Contains("best EDP (J·s)", html, StringComparison.Ordinal);
    }

    [Fact]
    public void LowerBoundFindingsAndServingMetricsAppearInTheSummary()
    {
        var data = TestData.Run() with
        {
            LowerBound = new Compass.Reporting.Model.BaselineResult("lower bound", 1000, 300, 1000e-9 * 300e-12),
            Findings = ["DRAM bandwidth bounds the iteration."],
            Serving = new Compass.Reporting.Model.ServingSummary(20, 0, 725, null, null, null, 1234.5, 99.5, 2e9, null, string.Empty, "n/a: none of the 725 requests completed"),
        };
        var html = HtmlReport.Run(data);
        var summary = html[html.IndexOf("<section id=\"summary\">", StringComparison.Ordinal)..html.IndexOf("<section id=\"convergence\">", StringComparison.Ordinal)];
        // Best 5.627E-16 over the bound's 3E-16 = 1.88×.
        Assert.Matches("<td>lower bound</td><td class=\"num\">0.001</td><td class=\"num\">3E-7</td><td class=\"num\">3E-16</td><td class=\"num\">best is 1.88× the bound</td>", summary);
        Assert.Contains("<li>DRAM bandwidth bounds the iteration.</li>", summary, StringComparison.Ordinal);
        Assert.Contains("<tr><td>TTFT</td><td class=\"num\">n/a</td>", summary, StringComparison.Ordinal);
        Assert.Contains("throughput over busy time (tokens/s)</td><td class=\"num\">1,234.5", summary, StringComparison.Ordinal);
        Assert.Contains("throughput over trace time, idle included (tokens/s)</td><td class=\"num\">99.5", summary, StringComparison.Ordinal);
        Assert.Contains("SLO attainment</td><td class=\"num\">n/a: no SLO given", summary, StringComparison.Ordinal);
    }

    [Fact]
    public void BoundSentenceNamesTheBusiestChipletAndTheDominantPart()
    {
        // Chiplet 0 busy 400 + 200 = 600 of 1250.5 ns (48.0 %); compute 300+600+150+200 = 1250 of 1250 + 570.5 + 550 = 2370.5 → 52.7 %.
        var sentence = HtmlReport.BoundSentence(TestData.Timeline());
        Assert.Equal("Sampled iteration 0 (the schedule below) takes 0.00125 ms; the busiest chiplet (0) works 48.0 % of it, so the iteration is bound by waiting between chiplets (dependencies, pipeline fill and drain) more than by any one resource; the tasks' time is 52.7 % compute, 24.1 % NoP, 23.2 % DRAM.", sentence);
    }
}
