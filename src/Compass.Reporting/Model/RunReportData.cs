using Compass.Abstractions.Evaluation;
using Compass.Abstractions.Mapping;
using Compass.Results;

namespace Compass.Reporting.Model;

/// <summary>Everything the report of one exploration (or replay) shows. Plain data: the same value renders the same bytes.</summary>
public sealed record RunReportData
{
    /// <summary>The scenario that was run.</summary>
    public required ScenarioSummary Scenario { get; init; }

    /// <summary>Name of the optimizer (<c>ga</c>, <c>random</c>, <c>replay</c> ...).</summary>
    public required string OptimizerName { get; init; }

    /// <summary>Metrics of the best mapping.</summary>
    public required RunMetrics Best { get; init; }

    /// <summary>The package and how the best mapping used its chiplets.</summary>
    public required PackageUsage Package { get; init; }

    /// <summary>
    /// One row per evaluation, in index order (empty for a replay); or, when <see cref="SearchLogRows"/> is larger than
    /// its count, the rows a <see cref="Analysis.SearchLogSummary"/> kept of a longer log.
    /// </summary>
    public IReadOnlyList<SearchLogRow> SearchLog { get; init; } = [];

    /// <summary>
    /// Rows of the whole search log when <see cref="SearchLog"/> is a summary of it (the full log is then the
    /// <c>search-log.csv</c> the run streamed, and is not rewritten); 0 when <see cref="SearchLog"/> is the whole log.
    /// </summary>
    public int SearchLogRows { get; init; }

    /// <summary>Baseline mappings evaluated on the same problem (pipeline, tensor-parallel ...).</summary>
    public IReadOnlyList<BaselineResult> Baselines { get; init; } = [];

    /// <summary>The best mapping's task timeline of one iteration, or null when it was not recorded.</summary>
    public ScheduleTimeline? Timeline { get; init; }

    /// <summary>Non-dominated (latency, energy) points returned by a multi-objective optimizer, else empty.</summary>
    public IReadOnlyList<ParetoPoint> ParetoSet { get; init; } = [];

    /// <summary>Named optimizer counters (repairs, restarts ...); rendered sorted by name.</summary>
    public IReadOnlyDictionary<string, double> Statistics { get; init; } = new Dictionary<string, double>();

    /// <summary>A label such as a timestamp, shown in the report header; null shows none (keeps reports byte-identical).</summary>
    public string? GeneratedAt { get; init; }

    /// <summary>What padding cost the best mapping (<c>workload.padding</c>), or null when requests were not padded.</summary>
    public PaddingSummary? Padding { get; init; }
    /// <summary>Monetary cost of the package from the scenario's cost model, or null when the scenario names none.</summary>
    public PackageCostSummary? PackageCost { get; init; }

    /// <summary>
    /// Lower bounds of the iteration's latency, energy and EDP (no mapping can do better), shown beside the best
    /// mapping and the baselines in the report's summary; null when none was computed.
    /// </summary>
    public BaselineResult? LowerBound { get; init; }

    /// <summary>Serving metrics of a replay (TTFT, TPOT, E2E, throughput), shown in the summary; null for an exploration.</summary>
    public ServingSummary? Serving { get; init; }

    /// <summary>Sentences about the best mapping (what bounds the iteration, how far from the bound ...), shown first in the summary.</summary>
    public IReadOnlyList<string> Findings { get; init; } = [];
}

/// <summary>
/// Padding's share of the best mapping's latency and energy: the mapping evaluated on the padded requests (what the
/// search saw, the run's latency and energy) and on the real requests; the difference is the wasted work.
/// </summary>
/// <param name="Mode">Padding mode (<c>batch-max</c>, <c>fixed</c>).</param>
/// <param name="PaddedLength">Fixed length (0 for batch-max).</param>
/// <param name="RealNewTokens">New tokens of the real requests, summed over the iterations.</param>
/// <param name="PaddedNewTokens">New tokens after padding.</param>
/// <param name="RealHistoryTokens">Attended history (KV) tokens of the real requests.</param>
/// <param name="PaddedHistoryTokens">Attended history tokens after padding.</param>
/// <param name="RealLatencyNs">Mean latency of the mapping on the real requests, ns.</param>
/// <param name="RealEnergyPj">Mean energy on the real requests, pJ.</param>
/// <param name="WastedLatencyNs">Latency spent on padding (padded − real), ns.</param>
/// <param name="WastedEnergyPj">Energy spent on padding (padded − real), pJ.</param>
public sealed record PaddingSummary(string Mode, int PaddedLength, long RealNewTokens, long PaddedNewTokens, long RealHistoryTokens, long PaddedHistoryTokens,
    double RealLatencyNs, double RealEnergyPj, double WastedLatencyNs, double WastedEnergyPj);
/// <summary>The package's monetary cost as a cost model priced it.</summary>
/// <param name="Model">The cost model's registered name (<c>chiplet-actuary</c>, <c>compass-simple</c>).</param>
/// <param name="Report">Areas, die, packaging and memory costs, and the model's named details.</param>
public sealed record PackageCostSummary(string Model, Compass.Abstractions.Costs.PackageCostReport Report);

/// <summary>The scenario of a run.</summary>
/// <param name="Name">Scenario name.</param>
/// <param name="Description">Free text.</param>
/// <param name="Seed">Seed of the run.</param>
/// <param name="ResolvedScenarioJson">The resolved scenario file text (every value used), shown verbatim and flattened into a table.</param>
public sealed record ScenarioSummary(string Name, string Description, int Seed, string ResolvedScenarioJson);

/// <summary>Metrics of one mapping (the best one of a run).</summary>
/// <param name="LatencyNs">Mean iteration latency, ns.</param>
/// <param name="Energy">Mean iteration energy by part, pJ.</param>
/// <param name="EdpJouleSeconds">Energy-delay product, J·s.</param>
/// <param name="Objective">Objective value the search minimised.</param>
/// <param name="ObjectiveKind">Objective name (<c>edp</c>, <c>latency</c>, <c>energy</c>, <c>weighted</c>).</param>
/// <param name="Evaluations">Evaluations done.</param>
/// <param name="WallSeconds">Wall-clock seconds of the search.</param>
/// <param name="Cancelled">True when the search was cancelled before the optimizer finished.</param>
public sealed record RunMetrics(
    double LatencyNs,
    EnergyBreakdown Energy,
    double EdpJouleSeconds,
    double Objective,
    string ObjectiveKind,
    int Evaluations,
    double WallSeconds,
    bool Cancelled = false)
{
    /// <summary>Total energy, pJ.</summary>
    public double EnergyPj => Energy.TotalPj;

    /// <summary>The evaluator's lower bounds for the same iterations and what bounds the iteration, or null when not computed.</summary>
    public BoundSummary? Bounds { get; init; }

    /// <summary>Standard error of <see cref="EdpJouleSeconds"/> over the sampled iterations (delta method, docs/levers.md), J·s; null when not computed.</summary>
    public double? EdpStandardErrorJs { get; init; }

    /// <summary>The sampled iterations the mean runs over (0 when not recorded).</summary>
    public int Iterations { get; init; }

    /// <summary>The lever values of the mapping (<c>microBatchSize=4 tensorParallel=16</c>) when the scenario left levers to the search, else null.</summary>
    public string? Levers { get; init; }
}

/// <summary>The evaluator's lower bounds (mean over the sampled iterations) and the sentence naming what bounds the iteration.</summary>
/// <param name="LatencyNs">Latency lower bound, ns: max(compute at the fastest chiplets, unavoidable DRAM bytes / aggregate bandwidth).</param>
/// <param name="ComputeNs">Compute lower bound, ns.</param>
/// <param name="DramNs">DRAM lower bound, ns.</param>
/// <param name="EnergyPj">Energy lower bound, pJ: unavoidable DRAM bytes, MAC and vector energy, static power over the latency bound.</param>
/// <param name="Explanation">What bounds the iteration (<c>DRAM-bound: …</c>), for the first sampled iteration.</param>
public sealed record BoundSummary(double LatencyNs, double ComputeNs, double DramNs, double EnergyPj, string Explanation)
{
    /// <summary>A latency over <see cref="LatencyNs"/> (≥ 1).</summary>
    public double LatencyRatio(double latencyNs) => LatencyNs > 0 ? latencyNs / LatencyNs : double.PositiveInfinity;

    /// <summary>An energy over <see cref="EnergyPj"/> (≥ 1).</summary>
    public double EnergyRatio(double energyPj) => EnergyPj > 0 ? energyPj / EnergyPj : double.PositiveInfinity;

    /// <summary>The bounds as the summary's "lower bound" row (EDP bound = latency bound × energy bound).</summary>
    public BaselineResult AsLowerBound() => new("lower bound", LatencyNs, EnergyPj, LatencyNs * 1e-9 * EnergyPj * 1e-12);
}

/// <summary>The mesh and the per-chiplet totals of the best mapping.</summary>
/// <param name="MeshWidth">Mesh columns.</param>
/// <param name="MeshHeight">Mesh rows.</param>
/// <param name="ChipletTypeNames">Type name of every chiplet, indexed by chiplet id (id = y × width + x).</param>
/// <param name="Chiplets">Per-chiplet usage (any order; missing chiplets show as idle).</param>
public sealed record PackageUsage(int MeshWidth, int MeshHeight, IReadOnlyList<string> ChipletTypeNames, IReadOnlyList<ChipletUsage> Chiplets)
{
    /// <summary>Chiplets of the mesh.</summary>
    public int ChipletCount => MeshWidth * MeshHeight;

    /// <summary>Type name of chiplet <paramref name="chiplet"/>, or empty when unknown.</summary>
    public string TypeName(int chiplet) => chiplet >= 0 && chiplet < ChipletTypeNames.Count ? ChipletTypeNames[chiplet] : string.Empty;
}

/// <summary>One evaluation of the search, as in <c>search-log.csv</c>.</summary>
/// <param name="Index">0-based evaluation number.</param>
/// <param name="LatencyNs">Mean latency, ns (+∞ when invalid).</param>
/// <param name="EnergyPj">Mean energy, pJ (+∞ when invalid).</param>
/// <param name="Objective">Objective value (+∞ when invalid).</param>
/// <param name="EdpJouleSeconds">Energy-delay product, J·s.</param>
/// <param name="BestObjectiveSoFar">Best objective up to and including this evaluation.</param>
/// <param name="ElapsedSeconds">Wall seconds since the search started.</param>
/// <param name="GenomeHash">Content hash of the evaluated genome.</param>
public sealed record SearchLogRow(
    int Index, double LatencyNs, double EnergyPj, double Objective, double EdpJouleSeconds,
    double BestObjectiveSoFar, double ElapsedSeconds, ulong GenomeHash)
{
    /// <summary>True when latency and energy are finite (the mapping was valid).</summary>
    public bool IsValid => double.IsFinite(LatencyNs) && double.IsFinite(EnergyPj);

    /// <summary>A row from an evaluation's fitness (what the engine's evaluation log entry carries).</summary>
    public static SearchLogRow From(int index, Fitness fitness, double bestObjectiveSoFar, double elapsedSeconds, ulong genomeHash) =>
        new(index, fitness.LatencyNs, fitness.EnergyPj, fitness.Objective, fitness.IsValid ? fitness.EdpJouleSeconds : double.PositiveInfinity,
            bestObjectiveSoFar, elapsedSeconds, genomeHash);
}

/// <summary>A baseline mapping's result.</summary>
/// <param name="Name">Baseline name (<c>pipeline</c>, <c>tensor-parallel</c> ...).</param>
/// <param name="LatencyNs">Mean latency, ns.</param>
/// <param name="EnergyPj">Mean energy, pJ.</param>
/// <param name="EdpJouleSeconds">Energy-delay product, J·s.</param>
public sealed record BaselineResult(string Name, double LatencyNs, double EnergyPj, double EdpJouleSeconds);

/// <summary>A point of a Pareto set.</summary>
/// <param name="LatencyNs">Latency, ns.</param>
/// <param name="EnergyPj">Energy, pJ.</param>
public readonly record struct ParetoPoint(double LatencyNs, double EnergyPj);

/// <summary>Whether a micro-batch's requests are in prefill, in decode, or both.</summary>
public enum MicroBatchPhase
{
    /// <summary>Every request is in prefill (or chunked prefill).</summary>
    Prefill,

    /// <summary>Every request is decoding.</summary>
    Decode,

    /// <summary>Prefill and decode requests together.</summary>
    Mixed,
}

/// <summary>A gene as the timeline shows it.</summary>
/// <param name="Index">Gene index.</param>
/// <param name="Name">Readable name (<c>L0.ffn_up.s3</c>).</param>
/// <param name="Layer">Decoder layer.</param>
/// <param name="Stage">Role in the layer.</param>
public sealed record TimelineGene(int Index, string Name, int Layer, NodeStage Stage);

/// <summary>The task timeline of the best mapping over one sampled iteration.</summary>
/// <param name="Iteration">Sampled iteration index the tasks belong to.</param>
/// <param name="Genes">Genes indexed by <see cref="TaskRecord.Gene"/>.</param>
/// <param name="MicroBatchPhases">Phase of every micro-batch, indexed by <see cref="TaskRecord.MicroBatch"/>.</param>
/// <param name="Tasks">The tasks (the evaluator's timeline).</param>
public sealed record ScheduleTimeline(int Iteration, IReadOnlyList<TimelineGene> Genes, IReadOnlyList<MicroBatchPhase> MicroBatchPhases, IReadOnlyList<TaskRecord> Tasks)
{
    /// <summary>Every interval a link or DRAM channel carried a transfer (the bandwidth counters of the trace); empty when not recorded.</summary>
    public IReadOnlyList<ResourceInterval> ResourceIntervals { get; init; } = [];

    /// <summary>Gene of a task, or a placeholder for an unknown index.</summary>
    public TimelineGene GeneOf(in TaskRecord task) =>
        task.Gene >= 0 && task.Gene < Genes.Count ? Genes[task.Gene] : new TimelineGene(task.Gene, "gene " + task.Gene, 0, NodeStage.QkvProjection);

    /// <summary>Phase of a micro-batch (Mixed when unknown).</summary>
    public MicroBatchPhase PhaseOf(int microBatch) =>
        microBatch >= 0 && microBatch < MicroBatchPhases.Count ? MicroBatchPhases[microBatch] : MicroBatchPhase.Mixed;

    /// <summary>Builds the gene list from a mapping space's gene descriptions.</summary>
    public static IReadOnlyList<TimelineGene> GenesFrom(IReadOnlyList<GeneInfo> genes)
    {
        var list = new TimelineGene[genes.Count];
        for (var i = 0; i < list.Length; i++) list[i] = new TimelineGene(genes[i].Index, genes[i].Name, genes[i].Layer, genes[i].Stage);
        return list;
    }
}

/// <summary>Mean and percentiles of a serving metric, ms.</summary>
/// <param name="Mean">Mean.</param>
/// <param name="P50">Median.</param>
/// <param name="P90">90th percentile.</param>
/// <param name="P99">99th percentile.</param>
public sealed record PercentileRow(double Mean, double P50, double P90, double P99);

/// <summary>The serving metrics of a replay, shown in its report's summary.</summary>
/// <param name="Iterations">Replayed iterations.</param>
/// <param name="CompletedRequests">Requests followed from arrival to last token inside the window.</param>
/// <param name="IncompleteRequests">Requests seen but not completed inside the window.</param>
/// <param name="TtftMs">Time to first token, ms; null when no request completed.</param>
/// <param name="TpotMs">Time per output token, ms; null when no completed request had more than one output token.</param>
/// <param name="EndToEndMs">End-to-end latency, ms; null when no request completed.</param>
/// <param name="ThroughputBusyTokensPerSecond">Generated tokens per second of busy time (sum of iteration latencies).</param>
/// <param name="ThroughputTraceTokensPerSecond">Generated tokens per second of trace time (first start to last end, idle gaps included).</param>
/// <param name="EnergyPerTokenPj">Energy per generated token, pJ.</param>
/// <param name="SloAttainment">Fraction of completed requests meeting the SLOs; null when no SLO was given or none completed.</param>
/// <param name="SloText">The SLOs given (<c>TTFT ≤ 200 ms, TPOT ≤ 50 ms</c>), or empty.</param>
/// <param name="Note">Why request metrics are missing or partial, or null.</param>
public sealed record ServingSummary(
    int Iterations, int CompletedRequests, int IncompleteRequests, PercentileRow? TtftMs, PercentileRow? TpotMs, PercentileRow? EndToEndMs,
    double ThroughputBusyTokensPerSecond, double ThroughputTraceTokensPerSecond, double EnergyPerTokenPj, double? SloAttainment, string SloText, string? Note)
{
    /// <summary>The SLOs as text (<c>TTFT ≤ 200 ms, TPOT ≤ 50 ms</c>); empty when neither is set (0).</summary>
    public static string SloTextOf(double ttftSloMs, double tpotSloMs)
    {
        var parts = new List<string>();
        if (ttftSloMs > 0) parts.Add("TTFT ≤ " + Charts.Format.Number(ttftSloMs) + " ms");
        if (tpotSloMs > 0) parts.Add("TPOT ≤ " + Charts.Format.Number(tpotSloMs) + " ms");
        return string.Join(", ", parts);
    }
}
