using Compass.Abstractions.Search;

namespace Compass.Engine.Pipeline;

/// <summary>
/// A list of named stages run in order over one <see cref="PipelineRun"/>. <c>explore</c>, <c>compare</c> and
/// <c>replay</c> are stage lists over the same engine (see the factories below); a new command (a sweep, a
/// co-exploration) composes the standard stages of <see cref="PipelineStages"/>, and its own, without touching the
/// others.
/// </summary>
/// <param name="stages">The stages, in order.</param>
public sealed class ExplorationPipeline(IReadOnlyList<IPipelineStage> stages)
{
    /// <summary>The stages, in order.</summary>
    public IReadOnlyList<IPipelineStage> Stages { get; } = stages;

    /// <summary>Stage names, in order (what <c>--verbose</c> output and tests show).</summary>
    public IReadOnlyList<string> StageNames => [.. Stages.Select(s => s.Name)];

    /// <summary>Called with a stage's name before it runs.</summary>
    public Action<string>? OnStageStarting { get; init; }

    /// <summary>
    /// Runs every stage on <paramref name="run"/> and returns it. Each stage observes <paramref name="cancellationToken"/>
    /// itself: a search stopped before it starts returns a cancelled result, and the results stage is not cancellable
    /// (a stopped run still reports what it found).
    /// </summary>
    public PipelineRun Run(PipelineRun run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        foreach (var stage in Stages)
        {
            OnStageStarting?.Invoke(stage.Name);
            run.Time(stage.Name, () => stage.Run(run, cancellationToken));
        }
        return run;
    }

    /// <summary>This pipeline followed by <paramref name="more"/>.</summary>
    public ExplorationPipeline Then(params IPipelineStage[] more) => new([.. Stages, .. more]) { OnStageStarting = OnStageStarting };

    /// <summary>workload → graph → costing → mapping space: the problem over the search sample (what explore and compare search).</summary>
    /// <param name="searchIterations">Iterations the objective averages over.</param>
    public static ExplorationPipeline Problem(int searchIterations) => new(
    [
        PipelineStages.SampledWorkload(searchIterations), PipelineStages.Graph(), PipelineStages.Costing(), PipelineStages.MappingSpace(),
    ]);

    /// <summary>The whole exploration: the problem, then search → results.</summary>
    /// <param name="searchIterations">Iterations the objective averages over.</param>
    /// <param name="optimizer">Creates the optimizer.</param>
    /// <param name="options">Driver options of the run.</param>
    /// <param name="runSearch">Wraps the driver call (progress display), or null.</param>
    public static ExplorationPipeline Explore(int searchIterations, Func<PipelineRun, IOptimizer> optimizer, Func<PipelineRun, SearchDriverOptions> options, Func<Func<SearchRunResult>, SearchRunResult>? runSearch = null) =>
        Problem(searchIterations).Then(PipelineStages.Search(optimizer, options, runSearch), PipelineStages.Results());

    /// <summary>
    /// One run of a comparison study: the search stage alone on a problem built once (set
    /// <see cref="PipelineRun.Problem"/> on each run), so every optimizer and seed sees the same sample.
    /// </summary>
    /// <param name="optimizer">Creates the optimizer.</param>
    /// <param name="options">Driver options of the run.</param>
    /// <param name="runSearch">Wraps the driver call (progress display), or null.</param>
    public static ExplorationPipeline CompareRun(Func<PipelineRun, IOptimizer> optimizer, Func<PipelineRun, SearchDriverOptions> options, Func<Func<SearchRunResult>, SearchRunResult>? runSearch = null) =>
        new([PipelineStages.Search(optimizer, options, runSearch)]);

    /// <summary>
    /// Replay of a saved mapping: held-out workload → graph → costing → mapping space → replay (set
    /// <see cref="PipelineRun.Best"/> between the mapping space and replay, since the genome is read against the space).
    /// </summary>
    /// <param name="replayIterations">Held-out iterations.</param>
    public static ExplorationPipeline ReplayProblem(int replayIterations) => new(
    [
        PipelineStages.HeldOutWorkload(replayIterations), PipelineStages.Graph(), PipelineStages.Costing(), PipelineStages.MappingSpace(),
    ]);
}
