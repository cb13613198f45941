namespace Compass.Reporting.Charts;

/// <summary>Size of a chart and the margins around its plot area, pixels.</summary>
/// <param name="Width">SVG width.</param>
/// <param name="Height">SVG height.</param>
/// <param name="MarginLeft">Space for the y axis labels.</param>
/// <param name="MarginRight">Space right of the plot (the legend goes here).</param>
/// <param name="MarginTop">Space for the title.</param>
/// <param name="MarginBottom">Space for the x axis labels.</param>
public sealed record ChartLayout(double Width = 720, double Height = 360, double MarginLeft = 80, double MarginRight = 20, double MarginTop = 40, double MarginBottom = 50)
{
    /// <summary>Left edge of the plot area.</summary>
    public double PlotLeft => MarginLeft;

    /// <summary>Right edge of the plot area.</summary>
    public double PlotRight => Width - MarginRight;

    /// <summary>Top edge of the plot area.</summary>
    public double PlotTop => MarginTop;

    /// <summary>Bottom edge of the plot area.</summary>
    public double PlotBottom => Height - MarginBottom;

    /// <summary>The default layout with room for a legend on the right.</summary>
    public static ChartLayout WithLegend { get; } = new(Width: 900, MarginRight: 200);
}

/// <summary>A data point.</summary>
/// <param name="X">X value.</param>
/// <param name="Y">Y value.</param>
public readonly record struct ChartPoint(double X, double Y);

/// <summary>A band point: the range [Low, High] at X.</summary>
/// <param name="X">X value.</param>
/// <param name="Low">Lower edge.</param>
/// <param name="High">Upper edge.</param>
public readonly record struct BandPoint(double X, double Low, double High);

/// <summary>One line of a line chart.</summary>
/// <param name="Name">Legend entry.</param>
/// <param name="Points">Points in x order.</param>
/// <param name="Step">Draw as a step function (value holds until the next point), as a best-so-far curve is.</param>
/// <param name="Band">Optional shaded range (seed spread), drawn under the line with the same step rule.</param>
/// <param name="Markers">Draw a circle at every point.</param>
/// <param name="ColourIndex">Palette index; −1 = the series' position.</param>
public sealed record LineSeries(string Name, IReadOnlyList<ChartPoint> Points, bool Step = true, IReadOnlyList<BandPoint>? Band = null, bool Markers = false, int ColourIndex = -1);

/// <summary>A line chart (convergence curves).</summary>
/// <param name="Title">Title.</param>
/// <param name="XLabel">X axis label.</param>
/// <param name="YLabel">Y axis label.</param>
/// <param name="Series">Lines.</param>
/// <param name="LogY">Log-scale y axis (falls back to linear when a value is not positive).</param>
/// <param name="Layout">Size and margins (null = default, with a legend margin when there are several series).</param>
public sealed record LineChartSpec(string Title, string XLabel, string YLabel, IReadOnlyList<LineSeries> Series, bool LogY = false, ChartLayout? Layout = null);

/// <summary>A labelled, highlighted point of a scatter chart (the best mapping, a baseline).</summary>
/// <param name="Name">Label.</param>
/// <param name="Point">Position.</param>
public sealed record NamedPoint(string Name, ChartPoint Point);

/// <summary>A scatter chart with an optional Pareto front.</summary>
/// <param name="Title">Title.</param>
/// <param name="XLabel">X axis label.</param>
/// <param name="YLabel">Y axis label.</param>
/// <param name="Points">Every point (non-finite ones are skipped).</param>
/// <param name="Front">Pareto front, x ascending, drawn as a step line with markers.</param>
/// <param name="Highlights">Labelled points drawn on top.</param>
/// <param name="LogX">Log-scale x axis.</param>
/// <param name="LogY">Log-scale y axis.</param>
/// <param name="Layout">Size and margins.</param>
public sealed record ScatterChartSpec(
    string Title, string XLabel, string YLabel, IReadOnlyList<ChartPoint> Points,
    IReadOnlyList<ChartPoint>? Front = null, IReadOnlyList<NamedPoint>? Highlights = null,
    bool LogX = false, bool LogY = false, ChartLayout? Layout = null);

/// <summary>One series of a bar chart: a value per category.</summary>
/// <param name="Name">Legend entry.</param>
/// <param name="Values">Values, one per category (non-negative).</param>
public sealed record BarSeries(string Name, IReadOnlyList<double> Values);

/// <summary>A bar chart: grouped bars, or stacked when <see cref="Stacked"/>.</summary>
/// <param name="Title">Title.</param>
/// <param name="YLabel">Y axis label.</param>
/// <param name="Categories">Category labels along x.</param>
/// <param name="Series">Series.</param>
/// <param name="Stacked">Stack the series of a category into one bar.</param>
/// <param name="Layout">Size and margins.</param>
public sealed record BarChartSpec(string Title, string YLabel, IReadOnlyList<string> Categories, IReadOnlyList<BarSeries> Series, bool Stacked = false, ChartLayout? Layout = null);

/// <summary>A cell of a mesh heatmap.</summary>
/// <param name="Value">Value shown by colour, 0..1.</param>
/// <param name="Label">First line (e.g. <c>c7</c>).</param>
/// <param name="ValueText">Second line (e.g. <c>83.2 %</c>).</param>
/// <param name="SubLabel">Third line (e.g. the chiplet type).</param>
public sealed record HeatmapCell(double Value, string Label, string ValueText, string SubLabel);

/// <summary>A heatmap laid out as a mesh: cell id = y × width + x, row 0 at the top.</summary>
/// <param name="Title">Title.</param>
/// <param name="Columns">Mesh width.</param>
/// <param name="Rows">Mesh height.</param>
/// <param name="Cells">Columns × rows cells in id order.</param>
/// <param name="CellSizePx">Cell edge, pixels.</param>
public sealed record HeatmapSpec(string Title, int Columns, int Rows, IReadOnlyList<HeatmapCell> Cells, double CellSizePx = 96);

/// <summary>How a Gantt bar is filled on top of its colour.</summary>
public enum BarPattern
{
    /// <summary>Solid colour.</summary>
    Solid,

    /// <summary>Diagonal hatching.</summary>
    Hatched,

    /// <summary>Cross hatching.</summary>
    CrossHatched,
}

/// <summary>A row of a Gantt chart.</summary>
/// <param name="Label">Row label.</param>
public sealed record GanttRow(string Label);

/// <summary>A bar of a Gantt chart.</summary>
/// <param name="Row">Row index.</param>
/// <param name="Start">Start (x units).</param>
/// <param name="End">End (x units).</param>
/// <param name="ColourIndex">Palette index.</param>
/// <param name="Pattern">Overlay pattern.</param>
/// <param name="Tooltip">Native tooltip text.</param>
public sealed record GanttBar(int Row, double Start, double End, int ColourIndex, BarPattern Pattern, string Tooltip);

/// <summary>A legend entry.</summary>
/// <param name="Name">Text.</param>
/// <param name="ColourIndex">Palette index, or −1 for a neutral swatch.</param>
/// <param name="Pattern">Overlay pattern.</param>
public sealed record LegendEntry(string Name, int ColourIndex, BarPattern Pattern = BarPattern.Solid);

/// <summary>A Gantt chart.</summary>
/// <param name="Title">Title.</param>
/// <param name="XLabel">Time axis label.</param>
/// <param name="Rows">Rows, top to bottom.</param>
/// <param name="Bars">Bars.</param>
/// <param name="Legend">Legend entries.</param>
/// <param name="Width">SVG width; the height follows from the rows.</param>
/// <param name="RowHeightPx">Row height.</param>
/// <param name="Note">A line under the title saying what was aggregated (empty for none).</param>
public sealed record GanttSpec(string Title, string XLabel, IReadOnlyList<GanttRow> Rows, IReadOnlyList<GanttBar> Bars, IReadOnlyList<LegendEntry> Legend, double Width = 1000, double RowHeightPx = 18, string Note = "");

/// <summary>One box of a box plot.</summary>
/// <param name="Name">Category label.</param>
/// <param name="Values">Sample (at least one value).</param>
public sealed record BoxGroup(string Name, IReadOnlyList<double> Values);

/// <summary>A box plot: box from the lower to the upper quartile, a line at the median, whiskers to min and max, every value as a dot.</summary>
/// <param name="Title">Title.</param>
/// <param name="YLabel">Y axis label.</param>
/// <param name="Groups">Boxes.</param>
/// <param name="LogY">Log-scale y axis.</param>
/// <param name="ReferenceLine">Optional horizontal reference (the best baseline) with its label.</param>
/// <param name="Layout">Size and margins.</param>
public sealed record BoxPlotSpec(string Title, string YLabel, IReadOnlyList<BoxGroup> Groups, bool LogY = false, NamedPoint? ReferenceLine = null, ChartLayout? Layout = null);
