using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Compass.Abstractions.Mapping;
using Compass.Reporting.Html;
using Compass.Reporting.Model;
using Compass.Results;

namespace Compass.Reporting.Tests.Html;

/// <summary>The report at the size of the 70B scenario: 256 chiplets, 80 layers, ~80,000 tasks, 20,000 evaluations (synthetic, seeded).</summary>
public sealed class LargeReportTests
{
    private static RunReportData Large()
    {
        var random = new Random(70);
        const int width = 16, chiplets = width * width, layers = 80, genesPerLayer = 8, microBatches = 4;
        var genes = new List<TimelineGene>();
        for (var l = 0; l < layers; l++)
            for (var g = 0; g < genesPerLayer; g++)
                genes.Add(new TimelineGene(genes.Count, $"L{l}.g{g}", l, (NodeStage)(g % 12)));
        var tasks = new List<TaskRecord>();
        for (var b = 0; b < microBatches; b++)
        {
            var t = b * 1000.0;
            foreach (var gene in genes)
            {
                // Pipeline-like: layer l runs on chiplets 3l..3l+2; a few tasks go elsewhere.
                for (var shard = 0; shard < 30; shard++)
                {
                    var chiplet = (gene.Layer * 3 + shard) % chiplets;
                    var duration = 50 + random.NextDouble() * 400;
                    tasks.Add(new TaskRecord(0, b, gene.Index, chiplet, t, t + duration, duration * 0.7, duration * 0.2, duration * 0.1, 1e6, 1024, 2048, false));
                }
                t += 60;
            }
        }
        var log = new List<SearchLogRow>();
        var best = double.PositiveInfinity;
        for (var i = 0; i < 20000; i++)
        {
            var latency = 4e7 * (1 + random.NextDouble());
            var energy = 2e13 * (1 + random.NextDouble());
            best = Math.Min(best, latency * energy);
            log.Add(new SearchLogRow(i, latency, energy, latency * energy, latency * energy * 1e-21, best, i * 0.01, (ulong)i));
        }
        var usage = Enumerable.Range(0, chiplets).Select(c => new ChipletUsage(c, 1e6, random.NextDouble(), 1e9, 10)).ToList();
        return new RunReportData
        {
            Scenario = new ScenarioSummary("large-synthetic", "synthetic 70B-sized data", 1, "{\"graph\":{\"microBatchSize\":16,\"tensorParallel\":8}}"),
            OptimizerName = "ga",
            Best = new RunMetrics(4e7, new EnergyBreakdown(1e12, 5e12, 1e9, 1e13, 3e12, 0), 4e7 * 2e13 * 1e-21, 4e7 * 2e13, "edp", 20000, 100),
            Package = new PackageUsage(width, width, Enumerable.Repeat("tpu-like", chiplets).ToList(), usage),
            SearchLog = log,
            Timeline = new ScheduleTimeline(0, genes, [MicroBatchPhase.Decode, MicroBatchPhase.Decode, MicroBatchPhase.Prefill, MicroBatchPhase.Mixed], tasks),
        };
    }

    [Fact]
    public void SeventyBSizedReportStaysUnderThreeMegabytesAndSaysWhatItAggregated()
    {
        var data = Large();
        Assert.True(data.Timeline!.Tasks.Count > 70000);
        var html = HtmlReport.Run(data);
        Assert.True(html.Length < 3_000_000, $"report is {html.Length:N0} characters");
        var svgs = Regex.Matches(html, "<svg.*?</svg>", RegexOptions.Singleline).Select(m => XDocument.Parse(m.Value)).ToList();
        Assert.Equal(5, svgs.Count);

        // Scatter: 20,000 points drawn as a binned faint cloud, the front on top.
        var cloud = svgs[1].Descendants("path").Single(p => (string?)p.Attribute("class") == "cloud");
        Assert.Equal("20000", (string?)cloud.Attribute("data-points"));
        Assert.True(int.Parse((string)cloud.Attribute("data-cells")!, CultureInfo.InvariantCulture) < 20000);
        Assert.Contains(svgs[1].Descendants("text"), t => t.Value.Contains("20,000 points drawn as", StringComparison.Ordinal));

        // Heatmap: 256 cells whose text fits (font ≤ cell / 5.5, at most two lines).
        var cells = svgs[3].Descendants("g").Where(g => (string?)g.Attribute("class") == "cell").ToList();
        Assert.Equal(256, cells.Count);
        var cellSize = double.Parse((string)cells[0].Element("rect")!.Attribute("width")!, CultureInfo.InvariantCulture);
        foreach (var text in cells.SelectMany(c => c.Elements("text")))
            Assert.True(double.Parse((string)text.Attribute("font-size")!, CultureInfo.InvariantCulture) <= cellSize / 5.5);
        Assert.All(cells, c => Assert.True(c.Elements("text").Count() <= 2));

        // Gantt: coloured by at most ten layer groups with a legend, aggregated with a note.
        var gantt = svgs[4];
        var title = gantt.Descendants("text").First().Value;
        Assert.Contains("coloured by layer group (8 layers each)", title, StringComparison.Ordinal);
        var legend = gantt.Descendants("text").Where(t => (string?)t.Attribute("class") == "legend-label").Select(t => t.Value).ToList();
        Assert.Equal(10, legend.Count(l => l.StartsWith("layers ", StringComparison.Ordinal)));
        Assert.Contains("layers 72–79", legend);
        Assert.Contains(gantt.Descendants("text"), t => t.Value.StartsWith("Aggregated:", StringComparison.Ordinal));
        var fills = gantt.Descendants().Where(e => (string?)e.Attribute("class") is "task" or "task-group").Select(e => (string?)e.Attribute("fill")).Distinct().ToList();
        Assert.InRange(fills.Count, 2, 30); // ten colours, plain or hatched per phase
    }
}
