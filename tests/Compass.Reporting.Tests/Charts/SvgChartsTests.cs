using System.Globalization;
using System.Xml.Linq;
using Compass.Reporting.Charts;
using Compass.Reporting.Html;

namespace Compass.Reporting.Tests.Charts;

public sealed class SvgChartsTests
{
    // Default layout: 720 × 360, margins left 80, right 20, top 40, bottom 50 → plot x 80..700, y 310 (bottom)..40 (top).
    private static readonly ChartLayout Plain = new();

    private static double Attr(XElement e, string name) => double.Parse(e.Attribute(name)!.Value, CultureInfo.InvariantCulture);

    private static List<XElement> ByClass(XDocument svg, string cssClass) =>
        svg.Descendants().Where(e => (string?)e.Attribute("class") == cssClass).ToList();

    [Fact]
    public void ScatterPlacesThreeLoggedPointsAtHandComputedPixels()
    {
        // x domain: nice step 500 → [1000, 3000] over 620 px; y domain: nice step 5 → [5, 20] over 270 px.
        var points = TestData.ThreePointLog().Select(r => new ChartPoint(r.LatencyNs, r.EnergyPj)).ToList();
        var svg = XDocument.Parse(SvgCharts.Scatter(new ScatterChartSpec("t", "latency", "energy", points, Layout: Plain)));
        var circles = ByClass(svg, "pt").Select(c => (X: Attr(c, "cx"), Y: Attr(c, "cy"))).ToList();
        Assert.Equal(3, circles.Count);
        Assert.Equal((700.0, 40.0), circles[0]);   // (3000 ns, 20 pJ): right edge, top edge
        Assert.Equal((390.0, 220.0), circles[1]);  // (2000 ns, 10 pJ): centre, one third up
        Assert.Equal((80.0, 310.0), circles[2]);   // (1000 ns, 5 pJ): origin corner
    }

    [Fact]
    public void ConvergenceMarkersOfThreePointLogSitAtHandComputedPixels()
    {
        // x domain [0, 2] (step 0.5); y domain [0, 60000] (step 20000).
        var series = new LineSeries("ga", TestData.ThreePointLog().Select(r => new ChartPoint(r.Index, r.BestObjectiveSoFar)).ToList(), Markers: true);
        var svg = XDocument.Parse(SvgCharts.LineChart(new LineChartSpec("t", "evaluation", "best", [series], Layout: Plain)));
        var markers = ByClass(svg, "marker").Select(c => (X: Attr(c, "cx"), Y: Attr(c, "cy"))).ToList();
        Assert.Equal([(80.0, 40.0), (390.0, 220.0), (700.0, 287.5)], markers);
        // The step line goes right at the old value, then down: M 80 40 L 390 40 L 390 220 L 700 220 L 700 287.5.
        Assert.Equal("M80 40 L390 40 L390 220 L700 220 L700 287.5", ByClass(svg, "series").Single().Attribute("d")!.Value);
    }

    [Fact]
    public void LogScaleConvergenceMarkersFollowLogTenSpacing()
    {
        // Log domain widened to whole decades [1e3, 1e5]: 135 px per decade above the bottom edge at 310.
        var series = new LineSeries("ga", TestData.ThreePointLog().Select(r => new ChartPoint(r.Index, r.BestObjectiveSoFar)).ToList(), Markers: true);
        var svg = XDocument.Parse(SvgCharts.LineChart(new LineChartSpec("t", "evaluation", "best", [series], LogY: true, Layout: Plain)));
        var ys = ByClass(svg, "marker").Select(c => Attr(c, "cy")).ToList();
        double[] expected = [310 - 135 * (Math.Log10(60000) - 3), 310 - 135 * (Math.Log10(20000) - 3), 310 - 135 * (Math.Log10(5000) - 3)];
        Assert.Equal(3, ys.Count);
        for (var i = 0; i < 3; i++) Assert.Equal(expected[i], ys[i], 0.006);
        Assert.Equal(69.95, ys[0], 0.006);
    }

    [Fact]
    public void BarHeightsAreProportionalToValues()
    {
        double[] values = [100, 50, 25, 12.5, 200, 62.5];
        var svg = XDocument.Parse(SvgCharts.BarChart(new BarChartSpec("t", "pJ", ["a", "b", "c", "d", "e", "f"], [new BarSeries("s", values)], Layout: Plain)));
        var bars = ByClass(svg, "bar");
        Assert.Equal(6, bars.Count);
        for (var i = 0; i < 6; i++)
        {
            // Value axis [0, 200] over 270 px: 1.35 px per unit, bars standing on the bottom edge.
            Assert.Equal(values[i] * 1.35, Attr(bars[i], "height"), 0.006);
            Assert.Equal(310, Attr(bars[i], "y") + Attr(bars[i], "height"), 0.011); // two values rounded to 0.01 px each
        }
    }

    [Fact]
    public void StackedBarsStackToTheCategoryTotal()
    {
        var svg = XDocument.Parse(SvgCharts.BarChart(new BarChartSpec("t", "pJ", ["x"], [new BarSeries("a", [30]), new BarSeries("b", [70])], Stacked: true, Layout: Plain)));
        var bars = ByClass(svg, "bar");
        Assert.Equal(2, bars.Count);
        // Domain [0, 100]: 2.7 px per unit; b sits on top of a.
        Assert.Equal(81, Attr(bars[0], "height"), 0.006);
        Assert.Equal(189, Attr(bars[1], "height"), 0.006);
        Assert.Equal(Attr(bars[0], "y"), Attr(bars[1], "y") + Attr(bars[1], "height"), 0.006);
        Assert.Equal(40, Attr(bars[1], "y"), 0.006);
    }

    [Fact]
    public void HeatmapHasWidthTimesHeightCellsInMeshOrder()
    {
        var cells = Enumerable.Range(0, 6).Select(i => new HeatmapCell(i / 5.0, "c" + i, i + "0 %", "t")).ToList();
        var svg = XDocument.Parse(SvgCharts.Heatmap(new HeatmapSpec("mesh", 3, 2, cells, CellSizePx: 50)));
        var groups = ByClass(svg, "cell");
        Assert.Equal(6, groups.Count);
        for (var id = 0; id < 6; id++)
        {
            var g = groups[id];
            Assert.Equal(id, (int)Attr(g, "data-id"));
            Assert.Equal(id % 3, (int)Attr(g, "data-x"));
            Assert.Equal(id / 3, (int)Attr(g, "data-y"));
            var rect = g.Element("rect")!;
            Assert.Equal(20 + id % 3 * 50, Attr(rect, "x"));
            Assert.Equal(40 + id / 3 * 50, Attr(rect, "y"));
            Assert.Contains("c" + id, g.Elements("text").Select(t => t.Value));
        }
        Assert.Equal("#f7fbff", ByClass(svg, "cell")[0].Element("rect")!.Attribute("fill")!.Value);
        Assert.Equal("#08306b", ByClass(svg, "cell")[5].Element("rect")!.Attribute("fill")!.Value);
    }

    [Fact]
    public void GanttDrawsOneBarPerTaskWithDecodeHatched()
    {
        var timeline = TestData.Timeline();
        var svg = XDocument.Parse(SvgCharts.Gantt(HtmlReport.GanttOf(timeline, TestData.Run().Package)));
        var tasks = ByClass(svg, "task");
        Assert.Equal(timeline.Tasks.Count, tasks.Count);
        // Decode bars (micro-batch 1) are filled with a hatch pattern drawn over their colour, the prefill ones plain.
        Assert.Equal(timeline.Tasks.Count(t => t.MicroBatch == 1), tasks.Count(r => ((string)r.Attribute("fill")!).StartsWith("url(#compass-h", StringComparison.Ordinal)));
        Assert.All(tasks.Where(r => ((string)r.Attribute("fill")!).StartsWith("url(", StringComparison.Ordinal)),
            r => Assert.Single(svg.Descendants("pattern"), p => "url(#" + (string?)p.Attribute("id") + ")" == (string)r.Attribute("fill")!));
        // Widths proportional to durations (time axis linear): px per ns is the same for every bar.
        var ratios = tasks.Zip(timeline.Tasks, (r, t) => Attr(r, "width") / (t.EndNs - t.StartNs)).ToList();
        Assert.All(ratios, r => Assert.Equal(ratios[0], r, 0.01));
        // Four chiplet rows, chiplet 3's bar in the last one.
        Assert.Equal(4, ByClass(svg, "row-label").Count);
        Assert.True(Attr(tasks[3], "y") > Attr(tasks[0], "y"));
    }

    [Fact]
    public void BoxPlotMedianLiesHalfwayBetweenTwoValues()
    {
        var svg = XDocument.Parse(SvgCharts.BoxPlot(new BoxPlotSpec("t", "EDP", [new BoxGroup("ga", [1.0, 3.0])], Layout: Plain)));
        var dots = ByClass(svg, "dot").Select(d => Attr(d, "cy")).ToList();
        var median = Attr(ByClass(svg, "median").Single(), "y1");
        Assert.Equal((dots[0] + dots[1]) / 2, median, 0.01);
    }

    [Fact]
    public void ChartsAreInvariantUnderACommaDecimalCulture()
    {
        var points = TestData.ThreePointLog().Select(r => new ChartPoint(r.LatencyNs / 3, r.EnergyPj / 7)).ToList();
        var spec = new ScatterChartSpec("t", "x", "y", points);
        var invariant = SvgCharts.Scatter(spec);
        var previous = CultureInfo.CurrentCulture;
        try
        {
            var comma = (CultureInfo)CultureInfo.InvariantCulture.Clone();
            comma.NumberFormat.NumberDecimalSeparator = ",";
            comma.NumberFormat.NumberGroupSeparator = ".";
            CultureInfo.CurrentCulture = comma;
            Assert.Equal(invariant, SvgCharts.Scatter(spec));
            Assert.Equal(HtmlReport.Run(TestData.Run()), HtmlReport.Run(TestData.Run()));
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
        Assert.DoesNotContain("cx=\"", invariant.Split("cx=\"").Skip(1).Select(s => s[..s.IndexOf('"', StringComparison.Ordinal)]).Where(s => s.Contains(',', StringComparison.Ordinal)));
    }

    [Fact]
    public void EmptyDataDrawsANoDataNote()
    {
        var svg = XDocument.Parse(SvgCharts.LineChart(new LineChartSpec("t", "x", "y", [])));
        Assert.Single(ByClass(svg, "no-data"));
    }
}
