using System.Globalization;
using System.Text;
using Compass.Reporting.Analysis;

namespace Compass.Reporting.Charts;

/// <summary>
/// The chart module: each method turns a spec into an SVG fragment (an <c>&lt;svg&gt;</c> element without an XML
/// namespace declaration, for inline HTML). Output depends only on the spec: same spec, same string.
/// </summary>
public static class SvgCharts
{
    private const string Font = "font-family=\"DejaVu Sans, Arial, sans-serif\" font-size=\"12\"";

    /// <summary>Scale for one axis over [min, max]: log when requested and every value is positive, else linear.</summary>
    public static IScale AxisScale(double min, double max, double rangeMin, double rangeMax, bool log) =>
        log && min > 0 && double.IsFinite(max) ? Scale.Log(min, max, rangeMin, rangeMax) : Scale.Linear(min, max, rangeMin, rangeMax);

    /// <summary>A line chart: one (step) line per series, optional min–max bands, legend.</summary>
    public static string LineChart(LineChartSpec spec)
    {
        var layout = spec.Layout ?? (spec.Series.Count > 1 ? ChartLayout.WithLegend : new ChartLayout());
        var xs = new List<double>();
        var ys = new List<double>();
        foreach (var s in spec.Series)
        {
            foreach (var p in s.Points) AddFinite(xs, ys, p.X, p.Y);
            if (s.Band is null) continue;
            foreach (var b in s.Band) { AddFinite(xs, ys, b.X, b.Low); AddFinite(xs, ys, b.X, b.High); }
        }
        var w = Begin(layout.Width, layout.Height, spec.Title);
        if (xs.Count == 0)
        {
            NoData(w, layout);
            return End(w);
        }
        var logY = spec.LogY && ys.Min() > 0;
        var x = Scale.Linear(xs.Min(), xs.Max(), layout.PlotLeft, layout.PlotRight);
        var y = AxisScale(ys.Min(), ys.Max(), layout.PlotBottom, layout.PlotTop, logY);
        Axes(w, layout, x, y, spec.XLabel, spec.YLabel);
        for (var i = 0; i < spec.Series.Count; i++)
        {
            var s = spec.Series[i];
            var colour = Palette.Colour(s.ColourIndex >= 0 ? s.ColourIndex : i);
            if (s.Band is { Count: > 0 })
            {
                var upper = s.Band.Select(b => new ChartPoint(b.X, b.High)).ToList();
                var lower = s.Band.Select(b => new ChartPoint(b.X, b.Low)).ToList();
                var d = new StringBuilder(PathThrough(upper, x, y, s.Step, moveFirst: true));
                var back = StepVertices(lower, s.Step);
                back.Reverse();
                foreach (var p in back) d.Append(" L").Append(Format.Pixel(x.Map(p.X))).Append(' ').Append(Format.Pixel(y.Map(p.Y)));
                d.Append(" Z");
                w.Start("path").Attr("class", "band").Attr("d", d.ToString()).Attr("fill", colour).Attr("fill-opacity", "0.18").Attr("stroke", "none").End();
            }
            var finite = s.Points.Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)).ToList();
            if (finite.Count == 0) continue;
            w.Start("path").Attr("class", "series").Attr("data-series", s.Name).Attr("d", PathThrough(finite, x, y, s.Step, moveFirst: true))
                .Attr("fill", "none").Attr("stroke", colour).Attr("stroke-width", "2").End();
            if (!s.Markers) continue;
            foreach (var p in finite)
            {
                w.Start("circle").Attr("class", "marker").Attr("data-series", s.Name).Data("x", p.X).Data("y", p.Y)
                    .Px("cx", x.Map(p.X)).Px("cy", y.Map(p.Y)).Attr("r", "3").Attr("fill", colour).End();
            }
        }
        if (layout.MarginRight >= 100)
            Legend(w, layout, spec.Series.Select((s, i) => new LegendEntry(s.Name, s.ColourIndex >= 0 ? s.ColourIndex : i)).ToList());
        return End(w);
    }

    /// <summary>Most points a scatter chart draws as individual circles; above it the cloud is binned to 2-pixel cells.</summary>
    public const int MaxScatterDots = 3000;

    /// <summary>A scatter chart: every point as a faint grey dot, the Pareto front as a bold step line, labelled highlights on top.</summary>
    public static string Scatter(ScatterChartSpec spec)
    {
        var layout = spec.Layout ?? ChartLayout.WithLegend;
        bool Usable(ChartPoint p) => double.IsFinite(p.X) && double.IsFinite(p.Y) && (!spec.LogX || p.X > 0) && (!spec.LogY || p.Y > 0);
        var points = spec.Points.Where(Usable).ToList();
        var front = (spec.Front ?? []).Where(Usable).ToList();
        var highlights = (spec.Highlights ?? []).Where(h => Usable(h.Point)).ToList();
        var all = points.Concat(front).Concat(highlights.Select(h => h.Point)).ToList();
        var w = Begin(layout.Width, layout.Height, spec.Title);
        if (all.Count == 0)
        {
            NoData(w, layout);
            return End(w);
        }
        var x = AxisScale(all.Min(p => p.X), all.Max(p => p.X), layout.PlotLeft, layout.PlotRight, spec.LogX);
        var y = AxisScale(all.Min(p => p.Y), all.Max(p => p.Y), layout.PlotBottom, layout.PlotTop, spec.LogY);
        Axes(w, layout, x, y, spec.XLabel, spec.YLabel);
        const string cloud = "#8c8c8c";
        if (points.Count <= MaxScatterDots)
        {
            w.Start("g").Attr("class", "points").Attr("fill", cloud).Attr("fill-opacity", "0.3");
            foreach (var p in points)
                w.Start("circle").Attr("class", "pt").Px("cx", x.Map(p.X)).Px("cy", y.Map(p.Y)).Attr("r", "2").End();
            w.Close("g");
        }
        else
        {
            // A large cloud is drawn as one dot per occupied 2-pixel cell (one path of zero-length round-capped strokes): same look, bounded size.
            var cells = new SortedSet<(int, int)>();
            foreach (var p in points) cells.Add(((int)Math.Floor(x.Map(p.X) / 2), (int)Math.Floor(y.Map(p.Y) / 2)));
            var d = new StringBuilder(cells.Count * 12);
            foreach (var (cx, cy) in cells) d.Append('M').Append(Format.Pixel(cx * 2 + 1)).Append(' ').Append(Format.Pixel(cy * 2 + 1)).Append("h0");
            w.Start("path").Attr("class", "cloud").Attr("data-points", points.Count.ToString(CultureInfo.InvariantCulture)).Attr("data-cells", cells.Count.ToString(CultureInfo.InvariantCulture))
                .Attr("d", d.ToString()).Attr("stroke", cloud).Attr("stroke-opacity", "0.35").Attr("stroke-width", "3.5").Attr("stroke-linecap", "round").Attr("fill", "none").End();
            TextAt(w, layout.PlotRight - 4, layout.PlotTop + 14, string.Create(CultureInfo.InvariantCulture, $"{points.Count:N0} points drawn as {cells.Count:N0} 2-px cells"), "end", "note", fill: "#666666", size: 11);
        }
        var legend = new List<LegendEntry> { new("evaluated mapping", -1) };
        if (front.Count > 0)
        {
            w.Start("path").Attr("class", "front").Attr("d", PathThrough(front, x, y, step: true, moveFirst: true))
                .Attr("fill", "none").Attr("stroke", Palette.Colour(1)).Attr("stroke-width", "2.5").End();
            foreach (var p in front)
                w.Start("circle").Attr("class", "front-pt").Px("cx", x.Map(p.X)).Px("cy", y.Map(p.Y)).Attr("r", "3.5").Attr("fill", Palette.Colour(1)).Attr("stroke", "#ffffff").Attr("stroke-width", "0.8").End();
            legend.Add(new LegendEntry("Pareto front", 1));
        }
        for (var i = 0; i < highlights.Count; i++)
        {
            var h = highlights[i];
            var colourIndex = i == 0 ? 0 : 2 + i;
            var (px, py) = (x.Map(h.Point.X), y.Map(h.Point.Y));
            w.Start("rect").Attr("class", "highlight").Attr("data-name", h.Name).Px("x", px - 5).Px("y", py - 5).Attr("width", "10").Attr("height", "10")
                .Attr("transform", "rotate(45 " + Format.Pixel(px) + " " + Format.Pixel(py) + ")")
                .Attr("fill", Palette.Colour(colourIndex)).Attr("stroke", "#222").WithTitle("rect", h.Name);
            legend.Add(new LegendEntry(h.Name, colourIndex));
        }
        if (layout.MarginRight >= 100) Legend(w, layout, legend);
        return End(w);
    }

    /// <summary>A bar chart, grouped or stacked; bar heights are proportional to values (the value axis starts at 0).</summary>
    public static string BarChart(BarChartSpec spec)
    {
        var layout = spec.Layout ?? (spec.Series.Count > 1 ? ChartLayout.WithLegend : new ChartLayout());
        var w = Begin(layout.Width, layout.Height, spec.Title);
        var categories = spec.Categories.Count;
        if (categories == 0 || spec.Series.Count == 0)
        {
            NoData(w, layout);
            return End(w);
        }
        double Value(int series, int category) =>
            category < spec.Series[series].Values.Count && double.IsFinite(spec.Series[series].Values[category]) ? Math.Max(0, spec.Series[series].Values[category]) : 0;
        var max = 0.0;
        for (var c = 0; c < categories; c++)
        {
            var sum = 0.0;
            for (var s = 0; s < spec.Series.Count; s++) { sum += Value(s, c); max = Math.Max(max, Value(s, c)); }
            if (spec.Stacked) max = Math.Max(max, sum);
        }
        var y = Scale.Linear(0, max > 0 ? max : 1, layout.PlotBottom, layout.PlotTop);
        var band = (layout.PlotRight - layout.PlotLeft) / categories;
        Axes(w, layout, null, y, string.Empty, spec.YLabel);
        var barWidth = band * 0.7 / (spec.Stacked ? 1 : spec.Series.Count);
        for (var c = 0; c < categories; c++)
        {
            var left = layout.PlotLeft + c * band + band * 0.15;
            var stackedBelow = 0.0;
            for (var s = 0; s < spec.Series.Count; s++)
            {
                var v = Value(s, c);
                var bx = spec.Stacked ? left : left + s * barWidth;
                var baseValue = spec.Stacked ? stackedBelow : 0;
                var y0 = y.Map(baseValue);
                var y1 = y.Map(baseValue + v);
                var height = y0 - y1;
                var colour = spec.Series.Count > 1 ? Palette.Colour(s) : Palette.Colour(c);
                w.Start("rect").Attr("class", "bar").Attr("data-category", spec.Categories[c]).Attr("data-series", spec.Series[s].Name).Data("value", v)
                    .Px("x", bx).Px("y", y1).Px("width", barWidth).Px("height", height).Attr("fill", colour)
                    .WithTitle("rect", spec.Categories[c] + " · " + spec.Series[s].Name + ": " + Format.Number(v));
                if (!spec.Stacked)
                    TextAt(w, bx + barWidth / 2, y1 - 4, Format.Number(v), "middle", "value-label");
                stackedBelow += v;
            }
            TextAt(w, layout.PlotLeft + (c + 0.5) * band, layout.PlotBottom + 16, spec.Categories[c], "middle", "tick-label");
        }
        if (spec.Series.Count > 1) Legend(w, layout, spec.Series.Select((s, i) => new LegendEntry(s.Name, i)).ToList());
        return End(w);
    }

    /// <summary>A heatmap laid out as the mesh: cell (x, y) is id y × columns + x, row 0 at the top; three text lines per cell.</summary>
    public static string Heatmap(HeatmapSpec spec)
    {
        const double left = 20, top = 40, legendHeight = 44;
        var cell = spec.CellSizePx;
        var width = Math.Max(left * 2 + spec.Columns * cell, 400);
        var height = top + spec.Rows * cell + legendHeight;
        var w = Begin(width, height, spec.Title);
        // About seven characters ("100.0 %") must fit across a cell at roughly 0.6 em per character.
        var font = (int)Math.Clamp(Math.Floor(cell / 5.5), 6, 12);
        for (var id = 0; id < spec.Columns * spec.Rows; id++)
        {
            var cx = id % spec.Columns;
            var cy = id / spec.Columns;
            var c = id < spec.Cells.Count ? spec.Cells[id] : new HeatmapCell(0, "c" + id, "–", string.Empty);
            var (x0, y0) = (left + cx * cell, top + cy * cell);
            w.Start("g").Attr("class", "cell").Attr("data-id", id.ToString(CultureInfo.InvariantCulture))
                .Attr("data-x", cx.ToString(CultureInfo.InvariantCulture)).Attr("data-y", cy.ToString(CultureInfo.InvariantCulture)).Data("value", c.Value);
            w.Start("rect").Px("x", x0).Px("y", y0).Px("width", cell).Px("height", cell).Attr("fill", Palette.Ramp(c.Value)).Attr("stroke", "#ffffff").Attr("stroke-width", "2")
                .WithTitle("rect", c.Label + " " + c.ValueText + " " + c.SubLabel);
            var ink = Palette.TextOn(c.Value);
            // Text scales with the cell: three lines on large cells, id and value on medium ones, the value alone on small ones.
            if (cell >= 80)
            {
                TextAt(w, x0 + cell / 2, y0 + cell * 0.3, c.Label, "middle", "cell-label", ink, size: font);
                TextAt(w, x0 + cell / 2, y0 + cell * 0.56, c.ValueText, "middle", "cell-value", ink, bold: true, size: font);
                TextAt(w, x0 + cell / 2, y0 + cell * 0.8, Shorten(c.SubLabel, (int)(cell / (font * 0.6))), "middle", "cell-type", ink, size: font);
            }
            else if (cell >= 36)
            {
                TextAt(w, x0 + cell / 2, y0 + cell * 0.42, c.Label, "middle", "cell-label", ink, size: font);
                TextAt(w, x0 + cell / 2, y0 + cell * 0.74, c.ValueText, "middle", "cell-value", ink, bold: true, size: font);
            }
            else
            {
                TextAt(w, x0 + cell / 2, y0 + cell * 0.6, c.ValueText, "middle", "cell-value", ink, size: font);
            }
            w.Close("g");
        }
        var ly = top + spec.Rows * cell + 14;
        for (var k = 0; k <= 4; k++)
        {
            var v = k / 4.0;
            w.Start("rect").Attr("class", "ramp").Px("x", left + k * 72).Px("y", ly).Attr("width", "14").Attr("height", "14").Attr("fill", Palette.Ramp(v)).Attr("stroke", "#999").End();
            TextAt(w, left + k * 72 + 18, ly + 11, Format.Percent(v), "start", "legend-label");
        }
        return End(w);
    }

    /// <summary>Bars above which a Gantt chart draws each row's bars of one colour and pattern as one path (one tooltip per path).</summary>
    public const int GanttCompactAbove = 5000;

    private static void GanttCompact(SvgWriter w, GanttSpec spec, ChartLayout layout, LinearScale x)
    {
        var gap = spec.RowHeightPx >= 12 ? 2 : 0.5;
        var bh = spec.RowHeightPx - 2 * gap;
        foreach (var group in spec.Bars.GroupBy(b => (b.Row, b.ColourIndex, b.Pattern)).OrderBy(g => g.Key))
        {
            var (row, colour, pattern) = group.Key;
            var by = Format.Pixel(layout.PlotTop + row * spec.RowHeightPx + gap);
            var d = new StringBuilder();
            foreach (var b in group)
            {
                var bx = x.Map(b.Start);
                var bw = Math.Max(0.5, x.Map(b.End) - bx);
                d.Append('M').Append(Format.Pixel(bx)).Append(' ').Append(by).Append('h').Append(Format.Pixel(bw)).Append('v').Append(Format.Pixel(bh)).Append('h').Append(Format.Pixel(-bw)).Append('z');
            }
            var legendName = spec.Legend.FirstOrDefault(e => e.ColourIndex == colour)?.Name ?? string.Empty;
            var title = (row < spec.Rows.Count ? spec.Rows[row].Label : string.Empty) + " · " + legendName + " · " + group.Count().ToString(CultureInfo.InvariantCulture) + " bars";
            w.Start("path").Attr("class", "task-group").Attr("data-bars", group.Count().ToString(CultureInfo.InvariantCulture)).Attr("d", d.ToString())
                .Attr("fill", pattern == BarPattern.Solid ? Palette.Colour(colour) : "url(#" + PatternId(colour, pattern) + ")").WithTitle("path", title);
        }
    }

    /// <summary>A Gantt chart: one row per resource, bars coloured by palette index, hatched or cross-hatched when asked.</summary>
    public static string Gantt(GanttSpec spec)
    {
        var legendRows = (spec.Legend.Count + 5) / 6;
        var top = spec.Note.Length > 0 ? 56 : 40;
        var layout = new ChartLayout(spec.Width, top + Math.Max(1, spec.Rows.Count) * spec.RowHeightPx + 50 + legendRows * 20 + 10,
            MarginLeft: 150, MarginRight: 20, MarginTop: top, MarginBottom: 50 + legendRows * 20 + 10);
        var w = Begin(layout.Width, layout.Height, spec.Title);
        if (spec.Note.Length > 0) TextAt(w, layout.Width / 2, 42, spec.Note, "middle", "chart-note", fill: "#555555", size: 12);
        // Hatched bars use one pattern per (colour, pattern) with the colour as its background: one element per bar.
        var defs = new StringBuilder("<defs>");
        defs.Append(PatternDef("compass-hatch", null, BarPattern.Hatched)).Append(PatternDef("compass-cross", null, BarPattern.CrossHatched));
        foreach (var (colour, pattern) in spec.Bars.Where(b => b.Pattern != BarPattern.Solid).Select(b => (b.ColourIndex, b.Pattern)).Distinct().Order())
            defs.Append(PatternDef(PatternId(colour, pattern), Palette.Colour(colour), pattern));
        w.Raw(defs.Append("</defs>\n").ToString());
        if (spec.Bars.Count == 0)
        {
            NoData(w, layout);
            return End(w);
        }
        var x = Scale.Linear(Math.Min(0, spec.Bars.Min(b => b.Start)), spec.Bars.Max(b => b.End), layout.PlotLeft, layout.PlotRight, 8);
        Axes(w, layout, x, null, spec.XLabel, string.Empty);
        var labelEvery = spec.RowHeightPx >= 12 ? 1 : (int)Math.Ceiling(12 / spec.RowHeightPx);
        for (var r = 0; r < spec.Rows.Count; r++)
        {
            var ry = layout.PlotTop + r * spec.RowHeightPx;
            if (r % 2 == 1)
                w.Start("rect").Attr("class", "row-band").Px("x", layout.PlotLeft).Px("y", ry).Px("width", layout.PlotRight - layout.PlotLeft).Px("height", spec.RowHeightPx).Attr("fill", "#f2f2f2").End();
            // Rows thinner than a line of text: label every k-th row so the labels do not overlap.
            if (r % labelEvery == 0) TextAt(w, layout.PlotLeft - 6, ry + Math.Max(spec.RowHeightPx * 0.7, 4), spec.Rows[r].Label, "end", "row-label", size: spec.RowHeightPx < 14 ? 10 : 0);
        }
        if (spec.Bars.Count > GanttCompactAbove)
        {
            GanttCompact(w, spec, layout, x);
            spec = spec with { Bars = [] };
        }
        foreach (var b in spec.Bars)
        {
            var bx = x.Map(b.Start);
            var bw = Math.Max(0.5, x.Map(b.End) - bx);
            var gap = spec.RowHeightPx >= 12 ? 2 : 0.5;
            var by = layout.PlotTop + b.Row * spec.RowHeightPx + gap;
            var bh = spec.RowHeightPx - 2 * gap;
            w.Start("rect").Attr("class", "task").Px("x", bx).Px("y", by).Px("width", bw).Px("height", bh)
                .Attr("fill", b.Pattern == BarPattern.Solid ? Palette.Colour(b.ColourIndex) : "url(#" + PatternId(b.ColourIndex, b.Pattern) + ")");
            if (spec.RowHeightPx >= 12) w.Attr("stroke", "#333333").Attr("stroke-width", "0.4");
            w.WithTitle("rect", b.Tooltip);
        }
        var legendTop = layout.PlotBottom + 40;
        for (var i = 0; i < spec.Legend.Count; i++)
        {
            var e = spec.Legend[i];
            var (lx, ly) = (layout.PlotLeft + i % 6 * 140, legendTop + i / 6 * 20);
            Swatch(w, lx, ly, e);
            TextAt(w, lx + 18, ly + 11, e.Name, "start", "legend-label");
        }
        return End(w);
    }

    private static string PatternId(int colour, BarPattern pattern) =>
        string.Create(CultureInfo.InvariantCulture, $"compass-{(pattern == BarPattern.Hatched ? "h" : "x")}{colour}");

    private static string PatternDef(string id, string? background, BarPattern pattern)
    {
        var sb = new StringBuilder("<pattern id=\"").Append(id).Append("\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">");
        if (background is not null) sb.Append("<rect width=\"6\" height=\"6\" fill=\"").Append(background).Append("\"/>");
        sb.Append(pattern == BarPattern.Hatched
            ? "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#000000\" stroke-width=\"2\" stroke-opacity=\"0.5\"/>"
            : "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#000000\" stroke-width=\"1.5\" stroke-opacity=\"0.5\"/><line x1=\"0\" y1=\"3\" x2=\"6\" y2=\"3\" stroke=\"#000000\" stroke-width=\"1.5\" stroke-opacity=\"0.5\"/>");
        return sb.Append("</pattern>").ToString();
    }

    /// <summary>A box plot per group, with every value drawn as a dot and an optional reference line.</summary>
    public static string BoxPlot(BoxPlotSpec spec)
    {
        var layout = spec.Layout ?? new ChartLayout();
        var w = Begin(layout.Width, layout.Height, spec.Title);
        var groups = spec.Groups.Select(g => (g.Name, Values: g.Values.Where(v => double.IsFinite(v) && (!spec.LogY || v > 0)).ToList())).Where(g => g.Values.Count > 0).ToList();
        if (groups.Count == 0)
        {
            NoData(w, layout);
            return End(w);
        }
        var values = groups.SelectMany(g => g.Values).ToList();
        if (spec.ReferenceLine is { } reference && double.IsFinite(reference.Point.Y) && (!spec.LogY || reference.Point.Y > 0)) values.Add(reference.Point.Y);
        var y = AxisScale(values.Min(), values.Max(), layout.PlotBottom, layout.PlotTop, spec.LogY);
        Axes(w, layout, null, y, string.Empty, spec.YLabel);
        var band = (layout.PlotRight - layout.PlotLeft) / groups.Count;
        for (var i = 0; i < groups.Count; i++)
        {
            var (name, sample) = groups[i];
            var s = Summary.Of(sample);
            var centre = layout.PlotLeft + (i + 0.5) * band;
            var half = Math.Min(40, band * 0.3);
            var colour = Palette.Colour(i);
            w.Start("g").Attr("class", "box-group").Attr("data-name", name);
            w.Start("line").Attr("class", "whisker").Px("x1", centre).Px("x2", centre).Px("y1", y.Map(s.Min)).Px("y2", y.Map(s.Max)).Attr("stroke", "#333").End();
            w.Start("line").Attr("class", "whisker-cap").Px("x1", centre - half / 2).Px("x2", centre + half / 2).Px("y1", y.Map(s.Min)).Px("y2", y.Map(s.Min)).Attr("stroke", "#333").End();
            w.Start("line").Attr("class", "whisker-cap").Px("x1", centre - half / 2).Px("x2", centre + half / 2).Px("y1", y.Map(s.Max)).Px("y2", y.Map(s.Max)).Attr("stroke", "#333").End();
            w.Start("rect").Attr("class", "box").Px("x", centre - half).Px("y", y.Map(s.UpperQuartile)).Px("width", 2 * half)
                .Px("height", Math.Max(0.5, y.Map(s.LowerQuartile) - y.Map(s.UpperQuartile))).Attr("fill", colour).Attr("fill-opacity", "0.35").Attr("stroke", colour)
                .WithTitle("rect", string.Create(CultureInfo.InvariantCulture, $"{name}: min {Format.Number(s.Min)}, Q1 {Format.Number(s.LowerQuartile)}, median {Format.Number(s.Median)}, Q3 {Format.Number(s.UpperQuartile)}, max {Format.Number(s.Max)} (n = {s.Count})"));
            w.Start("line").Attr("class", "median").Px("x1", centre - half).Px("x2", centre + half).Px("y1", y.Map(s.Median)).Px("y2", y.Map(s.Median)).Attr("stroke", "#111").Attr("stroke-width", "2").End();
            for (var k = 0; k < sample.Count; k++)
                w.Start("circle").Attr("class", "dot").Data("value", sample[k]).Px("cx", centre + (k % 5 - 2) * 3).Px("cy", y.Map(sample[k])).Attr("r", "2.5").Attr("fill", "#222").End();
            w.Close("g");
            TextAt(w, centre, layout.PlotBottom + 16, name, "middle", "tick-label");
        }
        if (spec.ReferenceLine is { } line && double.IsFinite(line.Point.Y) && (!spec.LogY || line.Point.Y > 0))
        {
            var ry = y.Map(line.Point.Y);
            w.Start("line").Attr("class", "reference").Px("x1", layout.PlotLeft).Px("x2", layout.PlotRight).Px("y1", ry).Px("y2", ry)
                .Attr("stroke", Palette.Colour(2)).Attr("stroke-dasharray", "6 4").Attr("stroke-width", "1.5").End();
            TextAt(w, layout.PlotRight - 4, ry - 5, line.Name, "end", "reference-label");
        }
        return End(w);
    }

    private static void AddFinite(List<double> xs, List<double> ys, double x, double y)
    {
        if (!double.IsFinite(x) || !double.IsFinite(y)) return;
        xs.Add(x);
        ys.Add(y);
    }

    private static List<ChartPoint> StepVertices(IReadOnlyList<ChartPoint> points, bool step)
    {
        var list = new List<ChartPoint>(points.Count * 2);
        for (var i = 0; i < points.Count; i++)
        {
            if (step && i > 0) list.Add(new ChartPoint(points[i].X, points[i - 1].Y));
            list.Add(points[i]);
        }
        return list;
    }

    private static string PathThrough(IReadOnlyList<ChartPoint> points, IScale x, IScale y, bool step, bool moveFirst)
    {
        var sb = new StringBuilder();
        var vertices = StepVertices(points, step);
        for (var i = 0; i < vertices.Count; i++)
        {
            sb.Append(i == 0 && moveFirst ? "M" : " L").Append(Format.Pixel(x.Map(vertices[i].X))).Append(' ').Append(Format.Pixel(y.Map(vertices[i].Y)));
        }
        return sb.ToString();
    }

    private static SvgWriter Begin(double width, double height, string title)
    {
        var w = new SvgWriter();
        w.Raw("<svg width=\"" + Format.Pixel(width) + "\" height=\"" + Format.Pixel(height) + "\" viewBox=\"0 0 " + Format.Pixel(width) + " " + Format.Pixel(height)
            + "\" class=\"chart\" role=\"img\" aria-label=\"" + Format.Escape(title) + "\" " + Font + ">\n");
        w.Start("rect").Attr("class", "background").Attr("width", Format.Pixel(width)).Attr("height", Format.Pixel(height)).Attr("fill", "#ffffff").End();
        TextAt(w, width / 2, 24, title, "middle", "title", bold: true, size: 15);
        return w;
    }

    private static string End(SvgWriter w)
    {
        w.Raw("</svg>\n");
        return w.ToString();
    }

    private static void NoData(SvgWriter w, ChartLayout layout) =>
        TextAt(w, (layout.PlotLeft + layout.PlotRight) / 2, (layout.PlotTop + layout.PlotBottom) / 2, "no data", "middle", "no-data");

    private static void TextAt(SvgWriter w, double x, double y, string text, string anchor, string cssClass, string? fill = null, bool bold = false, int size = 0)
    {
        w.Start("text").Attr("class", cssClass).Px("x", x).Px("y", y).Attr("text-anchor", anchor);
        if (fill is not null) w.Attr("fill", fill);
        if (bold) w.Attr("font-weight", "bold");
        if (size > 0) w.Attr("font-size", size.ToString(CultureInfo.InvariantCulture));
        w.Text("text", text);
    }

    private static void Axes(SvgWriter w, ChartLayout l, IScale? x, IScale? y, string xLabel, string yLabel)
    {
        if (y is not null)
        {
            foreach (var t in y.Ticks())
            {
                var py = y.Map(t);
                w.Start("line").Attr("class", "grid").Px("x1", l.PlotLeft).Px("x2", l.PlotRight).Px("y1", py).Px("y2", py).Attr("stroke", "#e3e3e3").End();
                TextAt(w, l.PlotLeft - 6, py + 4, Format.Number(t), "end", "tick-label");
            }
        }
        if (x is not null)
        {
            foreach (var t in x.Ticks())
            {
                var px = x.Map(t);
                w.Start("line").Attr("class", "grid").Px("x1", px).Px("x2", px).Px("y1", l.PlotTop).Px("y2", l.PlotBottom).Attr("stroke", "#e3e3e3").End();
                TextAt(w, px, l.PlotBottom + 16, Format.Number(t), "middle", "tick-label");
            }
        }
        w.Start("rect").Attr("class", "frame").Px("x", l.PlotLeft).Px("y", l.PlotTop).Px("width", l.PlotRight - l.PlotLeft).Px("height", l.PlotBottom - l.PlotTop)
            .Attr("fill", "none").Attr("stroke", "#555555").End();
        if (xLabel.Length > 0) TextAt(w, (l.PlotLeft + l.PlotRight) / 2, l.PlotBottom + 36, xLabel, "middle", "axis-label");
        if (yLabel.Length > 0)
        {
            var (px, py) = (18.0, (l.PlotTop + l.PlotBottom) / 2);
            w.Start("text").Attr("class", "axis-label").Px("x", px).Px("y", py).Attr("text-anchor", "middle")
                .Attr("transform", "rotate(-90 " + Format.Pixel(px) + " " + Format.Pixel(py) + ")").Text("text", yLabel);
        }
    }

    private static void Legend(SvgWriter w, ChartLayout l, List<LegendEntry> entries)
    {
        for (var i = 0; i < entries.Count; i++)
        {
            var (lx, ly) = (l.PlotRight + 12, l.PlotTop + i * 20);
            Swatch(w, lx, ly, entries[i]);
            TextAt(w, lx + 18, ly + 11, Shorten(entries[i].Name, (int)((l.MarginRight - 34) / 6.5)), "start", "legend-label");
        }
    }

    private static void Swatch(SvgWriter w, double x, double y, LegendEntry e)
    {
        w.Start("rect").Attr("class", "swatch").Px("x", x).Px("y", y).Attr("width", "13").Attr("height", "13")
            .Attr("fill", e.ColourIndex >= 0 ? Palette.Colour(e.ColourIndex) : "#dddddd").Attr("stroke", "#333333").Attr("stroke-width", "0.5").End();
        if (e.Pattern != BarPattern.Solid)
            w.Start("rect").Px("x", x).Px("y", y).Attr("width", "13").Attr("height", "13").Attr("fill", e.Pattern == BarPattern.Hatched ? "url(#compass-hatch)" : "url(#compass-cross)").End();
    }

    private static string Shorten(string text, int maxChars) =>
        maxChars < 4 || text.Length <= maxChars ? text : string.Concat(text.AsSpan(0, maxChars - 1), "…");
}
