using System.Text.Json.Nodes;

namespace Compass.Studies.Definition;

/// <summary>How the axes of a study combine into points.</summary>
public enum AxisCombination
{
    /// <summary>Every combination of every axis value (the Cartesian product; the first axis varies slowest).</summary>
    Cross,

    /// <summary>The i-th value of every axis together (all axes must have the same length).</summary>
    Zip,
}

/// <summary>One swept scenario path and its values.</summary>
/// <param name="Name">Short name used in tables, CSV column headers and charts (defaults to the last path segment).</param>
/// <param name="Path">Dotted scenario path (<c>hardware.package.link.bandwidthGBps</c>; <c>*</c> and <c>a:b</c> select array elements).</param>
/// <param name="Values">The values in order (numbers, strings, booleans or JSON objects).</param>
/// <param name="Field">Where the axis is in the study file (<c>axes[1]</c>), for error messages.</param>
public sealed record StudyAxis(string Name, string Path, IReadOnlyList<JsonNode> Values, string Field)
{
    /// <summary>True when every value is a JSON number (the axis can be drawn on a numeric x axis).</summary>
    public bool IsNumeric => Values.All(v => v is JsonValue jv && jv.TryGetValue<double>(out _));
}

/// <summary>The outer hardware search of <c>compass codesign</c> (the <c>codesign</c> section of a study file).</summary>
public sealed record CodesignSettings
{
    /// <summary>Hardware points (packages) the outer search proposes in total (rung 0), including the first population.</summary>
    public int HardwarePoints { get; init; } = 200;

    /// <summary>NSGA-II population size (packages per generation).</summary>
    public int PopulationSize { get; init; } = 20;

    /// <summary>Inner mapping-search budgets (evaluations), one per successive-halving rung, increasing.</summary>
    public IReadOnlyList<int> RungBudgets { get; init; } = [500, 2000];

    /// <summary>Successive-halving factor: the best 1/η of a rung's packages are re-searched at the next rung.</summary>
    public int Eta { get; init; } = 4;

    /// <summary>Optional monetary-cost limit, USD: packages above it are infeasible (ranked after every feasible one).</summary>
    public double? CostLimitUsd { get; init; }

    /// <summary>Crossover probability per pair of parents.</summary>
    public double CrossoverProbability { get; init; } = 0.9;

    /// <summary>Mutation probability per axis (0 = 1 / number of axes).</summary>
    public double MutationProbability { get; init; }
}

/// <summary>A parsed and checked study file.</summary>
public sealed record StudyDefinition
{
    /// <summary>Study name (the default output folder and database are named after it).</summary>
    public required string Name { get; init; }

    /// <summary>Free text.</summary>
    public string Description { get; init; } = string.Empty;

    /// <summary>Absolute path of the study file, or null when built in code.</summary>
    public string? SourcePath { get; init; }

    /// <summary>Absolute path of the base scenario file, or null for the embedded default scenario.</summary>
    public string? ScenarioPath { get; init; }

    /// <summary>Fixed values applied to every point (path → value), after preset expansion, before the axes.</summary>
    public IReadOnlyList<KeyValuePair<string, JsonNode>> Set { get; init; } = [];

    /// <summary>The swept axes.</summary>
    public required IReadOnlyList<StudyAxis> Axes { get; init; }

    /// <summary>How the axes combine.</summary>
    public AxisCombination Combine { get; init; } = AxisCombination.Cross;

    /// <summary>Seeds every combination runs with; empty = the scenario's own seed.</summary>
    public IReadOnlyList<int> Seeds { get; init; } = [];

    /// <summary>Points explored at the same time (0 = processor count / threads per point).</summary>
    public int Parallel { get; init; }

    /// <summary>Search threads inside one point (written into each point's scenario as <c>search.threads</c>).</summary>
    public int ThreadsPerPoint { get; init; } = 1;

    /// <summary>The <c>codesign</c> section, or null when absent.</summary>
    public CodesignSettings? Codesign { get; init; }

    /// <summary>The study file's text as read (stored in the database).</summary>
    public string SourceText { get; init; } = "{}";

    /// <summary>Number of axis combinations (before seeds).</summary>
    public int CombinationCount => Axes.Count == 0 ? 1 : Combine == AxisCombination.Zip ? Axes[0].Values.Count : Axes.Aggregate(1, (n, a) => checked(n * a.Values.Count));

    /// <summary>The number of points of a sweep: combinations × seeds.</summary>
    public int PointCount => checked(CombinationCount * Math.Max(1, Seeds.Count));

    /// <summary>Points explored at the same time for <paramref name="processorCount"/> cores.</summary>
    public int EffectiveParallel(int processorCount) => Parallel > 0 ? Parallel : Math.Max(1, processorCount / Math.Max(1, ThreadsPerPoint));
}
