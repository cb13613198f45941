using Compass.Abstractions.Search;
using Compass.Abstractions.Workload;
using Compass.Engine.Pipeline;

namespace Compass.Engine.Tests.Pipeline;

/// <summary>A workload source over fixed iterations (what the host implements over the trace and scheduler plugins).</summary>
internal sealed class FixedWorkload(IReadOnlyList<Iteration> iterations) : IWorkloadSource
{
    public List<(string Call, int Seed)> Calls { get; } = [];

    public IReadOnlyList<Iteration> Sample(int seed, int count, CancellationToken cancellationToken)
    {
        Calls.Add(("sample", seed));
        return [.. iterations.Take(count)];
    }

    public IReadOnlyList<TraceRequest> ReadTrace(int seed, CancellationToken cancellationToken)
    {
        Calls.Add(("trace", seed));
        return [.. iterations.SelectMany(i => i.Requests).Select(r => r.RequestId).Distinct().Select(id => new TraceRequest(id, id * 0.01, 8, 2))];
    }

    public IReadOnlyList<Iteration> HeldOut(IReadOnlyList<TraceRequest> requests, int seed, int count, CancellationToken cancellationToken)
    {
        Calls.Add(("held-out", seed));
        return [.. iterations.Take(count)];
    }
}

public sealed class ExplorationPipelineTests
{
    private static PipelineInputs Inputs(FixedWorkload workload)
    {
        var d = Fixtures.MeshDefinition();
        return new PipelineInputs
        {
            Package = d.Package, Interconnect = d.Interconnect, ComputeModel = d.ComputeModel, Model = d.Model,
            Precision = d.Precision, Graph = d.Graph, Objective = d.Objective, Workload = workload,
        };
    }

    private static SearchDriverOptions Options(PipelineRun run) => new() { Budget = new SearchBudget(25), Seed = run.Seed, Threads = 1 };

    [Fact]
    public void ExploreIsTheNamedStagesInOrder()
    {
        var pipeline = ExplorationPipeline.Explore(2, _ => new TestRandomSearch(), Options);
        Assert.Equal(["workload", "graph", "costing", "mapping space", "search", "results"], pipeline.StageNames);
        Assert.Equal(["workload", "graph", "costing", "mapping space"], ExplorationPipeline.ReplayProblem(2).StageNames);
        Assert.Equal(["search"], ExplorationPipeline.CompareRun(_ => new TestRandomSearch(), Options).StageNames);
    }

    [Fact]
    public void ExplorePipelineGivesTheSameBitsAsBuildingAndSearchingByHand()
    {
        var workload = new FixedWorkload(Fixtures.MeshDefinition().Iterations);
        var started = new List<string>();
        var pipeline = new ExplorationPipeline(ExplorationPipeline.Explore(2, _ => new TestRandomSearch(), Options).Stages) { OnStageStarting = started.Add };
        var run = pipeline.Run(new PipelineRun(Inputs(workload), 7), CancellationToken.None);

        var problem = ExplorationProblem.Create(Fixtures.MeshDefinition(), CancellationToken.None);
        var byHand = new SearchDriver(problem, new SearchDriverOptions { Budget = new SearchBudget(25), Seed = 7, Threads = 1 }).Run(new TestRandomSearch(), CancellationToken.None);

        Assert.Equal(pipeline.StageNames, started);
        Assert.Equal(pipeline.StageNames, run.Timings.Select(t => t.Stage));
        Assert.Equal([("sample", 7)], workload.Calls);
        Assert.Equal(problem.CostEstimates, run.CostEstimates);
        Assert.Equal(BitConverter.DoubleToInt64Bits(byHand.Outcome.BestFitness.EdpJouleSeconds), BitConverter.DoubleToInt64Bits(run.Search!.Outcome.BestFitness.EdpJouleSeconds));
        var measured = run.Measurement!;
        Assert.Equal(run.Best!.Value.Fitness, measured.Fitness);
        // The mean energy of the measurement is the fitness's energy, part by part summed.
        Assert.Equal(measured.Fitness.EnergyPj, measured.Energy.TotalPj, measured.Fitness.EnergyPj * 1e-12);
        Assert.Equal(problem.Heuristics.Standard().Count, run.Baselines!.Count);
    }

    [Fact]
    public void MeasurementCarriesTheEnginesOwnMicroBatchSplit()
    {
        var workload = new FixedWorkload(Fixtures.MeshDefinition().Iterations);
        var run = ExplorationPipeline.Explore(2, _ => new TestRandomSearch(), Options).Run(new PipelineRun(Inputs(workload), 7), CancellationToken.None);
        var split = run.Measurement!.MicroBatches;
        Assert.Equal(run.Problem!.MicroBatchRequests(0), split);
        Assert.Equal(Graph.MicroBatcher.Split(run.Iterations![0].Requests, 1).Select(g => g.Select(r => r.RequestId)), split.Select(g => g.Select(r => r.RequestId)));
        // Every task of the timeline belongs to one of those micro-batches.
        Assert.All(run.Measurement.FirstIteration.Tasks, t => Assert.InRange(t.MicroBatch, 0, split.Count - 1));
    }

    [Fact]
    public void StageRunBeforeItsInputNamesTheMissingStage()
    {
        var run = new PipelineRun(Inputs(new FixedWorkload(Fixtures.MeshDefinition().Iterations)), 1);
        var e = Assert.Throws<InvalidOperationException>(() => new ExplorationPipeline([PipelineStages.Graph()]).Run(run, CancellationToken.None));
        Assert.Contains("stage 'workload' must run before this one", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReplayPipelineReadsTheHeldOutWindowWithItsSeed()
    {
        var workload = new FixedWorkload(Fixtures.MeshDefinition().Iterations);
        var run = ExplorationPipeline.ReplayProblem(2).Run(new PipelineRun(Inputs(workload), 43), CancellationToken.None);
        Assert.Equal([("trace", 43), ("held-out", 43)], workload.Calls);
        Assert.NotNull(run.Requests);
        Assert.Equal(2, run.Problem!.IterationCount);
    }
}
