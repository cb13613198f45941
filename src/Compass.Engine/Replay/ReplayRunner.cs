using Compass.Abstractions.Mapping;
using Compass.Abstractions.Workload;

namespace Compass.Engine.Replay;

/// <summary>Serving metrics of one request in a replay, milliseconds.</summary>
/// <param name="RequestId">Trace request id.</param>
/// <param name="ArrivalSeconds">Arrival, seconds from the start of the trace.</param>
/// <param name="TtftMs">Time to first token: end of the iteration that finishes its prefill − arrival.</param>
/// <param name="TpotMs">Time per output token: (E2E − TTFT) / (n_out − 1); 0 for a single output token.</param>
/// <param name="EndToEndMs">End of the iteration that produced its last token − arrival.</param>
/// <param name="OutputTokens">Output tokens.</param>
public sealed record RequestMetrics(long RequestId, double ArrivalSeconds, double TtftMs, double TpotMs, double EndToEndMs, int OutputTokens);

/// <summary>Mean and percentiles (linear interpolation between order statistics) of a metric.</summary>
/// <param name="Mean">Mean.</param>
/// <param name="P50">Median.</param>
/// <param name="P90">90th percentile.</param>
/// <param name="P99">99th percentile.</param>
public sealed record PercentileSummary(double Mean, double P50, double P90, double P99)
{
    /// <summary>Summary of <paramref name="values"/> (all zero when empty).</summary>
    public static PercentileSummary Of(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0) return new PercentileSummary(0, 0, 0, 0);
        var sorted = values.ToArray();
        Array.Sort(sorted);
        double sum = 0;
        foreach (var v in sorted) sum += v;
        return new PercentileSummary(sum / sorted.Length, Percentile(sorted, 0.50), Percentile(sorted, 0.90), Percentile(sorted, 0.99));
    }

    /// <summary>The <paramref name="q"/>-quantile of sorted values, interpolating linearly (Hyndman–Fan type 7).</summary>
    public static double Percentile(double[] sorted, double q)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        if (sorted.Length == 0) return 0;
        var h = (sorted.Length - 1) * q;
        var lo = (int)Math.Floor(h);
        var hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }
}

/// <summary>The serving metrics of a mapping replayed on held-out iterations.</summary>
/// <param name="Requests">Requests that arrived and finished inside the replayed iterations.</param>
/// <param name="IncompleteRequests">Requests seen but not followed from prefill to last token inside the window.</param>
/// <param name="IterationLatencyNs">Latency of every replayed iteration, ns.</param>
/// <param name="IterationEnergyPj">Energy of every replayed iteration, pJ.</param>
/// <param name="WallNs">Trace time: from the first iteration's start to the last one's end, ns (includes idle gaps waiting for arrivals).</param>
/// <param name="BusyNs">Busy time: the sum of the iteration latencies, ns.</param>
/// <param name="TotalEnergyPj">Energy of all iterations, pJ.</param>
/// <param name="GeneratedTokens">Output tokens produced (prefill completions plus decodes).</param>
/// <param name="ThroughputBusyTokensPerSecond">Generated tokens per second of busy time (what the package sustains while working).</param>
/// <param name="ThroughputTraceTokensPerSecond">Generated tokens per second of trace time (what the arrivals let it deliver).</param>
/// <param name="EnergyPerTokenPj">Total energy per generated token, pJ.</param>
/// <param name="Ttft">TTFT summary, ms; null when no request completed.</param>
/// <param name="Tpot">TPOT summary over completed requests with more than one output token, ms; null when there is none.</param>
/// <param name="EndToEnd">End-to-end latency summary, ms; null when no request completed.</param>
/// <param name="TtftSloMs">TTFT SLO used (0 = none).</param>
/// <param name="TpotSloMs">TPOT SLO used (0 = none).</param>
/// <param name="SloAttainment">Fraction of completed requests meeting every SLO given; null when no SLO was given or no request completed.</param>
/// <param name="RequestMetricsNote">Why per-request metrics are missing or partial (null when every request seen completed).</param>
public sealed record ReplayReport(
    IReadOnlyList<RequestMetrics> Requests,
    int IncompleteRequests,
    IReadOnlyList<double> IterationLatencyNs,
    IReadOnlyList<double> IterationEnergyPj,
    double WallNs,
    double BusyNs,
    double TotalEnergyPj,
    long GeneratedTokens,
    double ThroughputBusyTokensPerSecond,
    double ThroughputTraceTokensPerSecond,
    double EnergyPerTokenPj,
    PercentileSummary? Ttft,
    PercentileSummary? Tpot,
    PercentileSummary? EndToEnd,
    double TtftSloMs,
    double TpotSloMs,
    double? SloAttainment,
    string? RequestMetricsNote)
{
    /// <summary>Mean iteration latency over the replayed iterations, ns (the published "exec" mode result).</summary>
    public double MeanIterationLatencyNs => Mean(IterationLatencyNs);

    /// <summary>Mean iteration energy over the replayed iterations, pJ.</summary>
    public double MeanIterationEnergyPj => Mean(IterationEnergyPj);

    /// <summary>Mean latency × mean energy of the replayed iterations in J·s: the EDP the search objective estimates on its sample.</summary>
    public double IterationEdpJs => MeanIterationLatencyNs * 1e-9 * MeanIterationEnergyPj * 1e-12;

    private static double Mean(IReadOnlyList<double> values)
    {
        if (values.Count == 0) return 0;
        double sum = 0;
        foreach (var v in values) sum += v;
        return sum / values.Count;
    }
}

/// <summary>
/// Runs a mapping over a held-out sequence of iterations (each knows its requests) and derives per-request serving
/// metrics. The iterations run back to back; an iteration cannot start before the requests it admits have
/// arrived; a request's clock starts at its arrival. TPOT = (E2E − TTFT)/(n_out − 1) (docs/reference/formulas.md §12).
/// </summary>
public static class ReplayRunner
{
    /// <summary>Replays <paramref name="genome"/> (rows reused as micro-batch b mod rows) on <paramref name="iterations"/>, building their problem.</summary>
    public static ReplayReport Run(ProblemDefinition definition, Genome genome, IReadOnlyList<Iteration> iterations, IReadOnlyList<TraceRequest> requests, double ttftSloMs, double tpotSloMs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(genome);
        ArgumentNullException.ThrowIfNull(iterations);
        ArgumentNullException.ThrowIfNull(requests);
        var problem = ExplorationProblem.Create(definition with { Iterations = iterations }, cancellationToken);
        return Run(problem, genome, requests, ttftSloMs, tpotSloMs, cancellationToken);
    }

    /// <summary>
    /// Replays <paramref name="genome"/> (rows reused as micro-batch b mod rows) on the iterations
    /// <paramref name="problem"/> was built from, for callers that already hold that problem (no second build).
    /// </summary>
    public static ReplayReport Run(ExplorationProblem problem, Genome genome, IReadOnlyList<TraceRequest> requests, double ttftSloMs, double tpotSloMs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(genome);
        ArgumentNullException.ThrowIfNull(requests);
        problem.CheckRunnable(genome);
        var iterations = problem.Definition.Iterations;
        var byId = new Dictionary<long, TraceRequest>(requests.Count);
        foreach (var r in requests) byId[r.Id] = r;

        var states = new Dictionary<long, State>();
        var latencies = new double[iterations.Count];
        var energies = new double[iterations.Count];
        double clock = 0, firstStart = double.NaN, totalEnergy = 0;
        long generated = 0;
        for (var i = 0; i < iterations.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var totals = problem.RunFiniteIteration(genome, i, null, "replay iteration");
            latencies[i] = totals.LatencyNs;
            energies[i] = totals.Energy.TotalPj;
            totalEnergy += totals.Energy.TotalPj;

            var start = clock;
            foreach (var q in iterations[i].Requests)
            {
                if (!states.ContainsKey(q.RequestId) && byId.TryGetValue(q.RequestId, out var tr))
                    start = Math.Max(start, tr.ArrivalSeconds * 1e9);
            }
            var end = start + totals.LatencyNs;
            if (double.IsNaN(firstStart)) firstStart = start;
            foreach (var q in iterations[i].Requests)
            {
                if (!states.TryGetValue(q.RequestId, out var state))
                {
                    state = new State { StartsWithPrefill = q.Phase != RequestPhase.Decode && q.HistoryTokens == 0 };
                    states.Add(q.RequestId, state);
                }
                byId.TryGetValue(q.RequestId, out var trace);
                switch (q.Phase)
                {
                    case RequestPhase.Prefill:
                        state.FirstTokenNs = end;
                        generated++;
                        break;
                    case RequestPhase.ChunkedPrefill:
                        if (trace.PromptTokens > 0 && q.HistoryTokens + q.NewTokens >= trace.PromptTokens)
                        {
                            state.FirstTokenNs = end;
                            generated++;
                        }
                        break;
                    default:
                        state.Decodes++;
                        generated++;
                        break;
                }
                state.LastNs = end;
            }
            clock = end;
        }

        var metrics = new List<RequestMetrics>();
        var incomplete = 0;
        foreach (var (id, state) in states)
        {
            if (!byId.TryGetValue(id, out var trace) || !state.StartsWithPrefill || double.IsNaN(state.FirstTokenNs) || state.Decodes != trace.OutputTokens - 1)
            {
                incomplete++;
                continue;
            }
            var arrival = trace.ArrivalSeconds * 1e9;
            var ttft = (state.FirstTokenNs - arrival) / 1e6;
            var e2e = (state.LastNs - arrival) / 1e6;
            var tpot = trace.OutputTokens > 1 ? (e2e - ttft) / (trace.OutputTokens - 1) : 0;
            metrics.Add(new RequestMetrics(id, trace.ArrivalSeconds, ttft, tpot, e2e, trace.OutputTokens));
        }
        metrics.Sort(static (a, b) => a.RequestId.CompareTo(b.RequestId));

        var ttfts = new List<double>();
        var tpots = new List<double>();
        var e2es = new List<double>();
        var met = 0;
        foreach (var m in metrics)
        {
            ttfts.Add(m.TtftMs);
            e2es.Add(m.EndToEndMs);
            if (m.OutputTokens > 1) tpots.Add(m.TpotMs);
            var ok = (ttftSloMs <= 0 || m.TtftMs <= ttftSloMs) && (tpotSloMs <= 0 || m.OutputTokens <= 1 || m.TpotMs <= tpotSloMs);
            if (ok) met++;
        }
        var wall = iterations.Count == 0 ? 0 : clock - firstStart;
        double busy = 0;
        foreach (var l in latencies) busy += l;
        var sloGiven = ttftSloMs > 0 || tpotSloMs > 0;
        var seen = metrics.Count + incomplete;
        string? note = incomplete == 0 ? null
            : metrics.Count == 0
                ? $"n/a: none of the {seen} requests seen in the {iterations.Count} replayed iterations was followed from arrival to its last token inside the window (raise workload.replayIterations); iteration-level results and throughput remain valid"
                : $"{metrics.Count} of {seen} requests completed inside the {iterations.Count} replayed iterations; request metrics cover those (the longest requests are under-represented)";
        return new ReplayReport(
            metrics, incomplete, latencies, energies, wall, busy, totalEnergy, generated,
            busy > 0 ? generated / (busy * 1e-9) : 0,
            wall > 0 ? generated / (wall * 1e-9) : 0,
            generated > 0 ? totalEnergy / generated : 0,
            ttfts.Count > 0 ? PercentileSummary.Of(ttfts) : null, tpots.Count > 0 ? PercentileSummary.Of(tpots) : null, e2es.Count > 0 ? PercentileSummary.Of(e2es) : null,
            ttftSloMs, tpotSloMs, sloGiven && metrics.Count > 0 ? (double)met / metrics.Count : null, note);
    }

    private sealed class State
    {
        public bool StartsWithPrefill;
        public double FirstTokenNs = double.NaN;
        public double LastNs;
        public int Decodes;
    }
}
