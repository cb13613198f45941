using Compass.Abstractions.Evaluation;
using Compass.Abstractions.Mapping;
using Compass.Abstractions.Search;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Compass.Optimizers.Tests;

/// <summary>A sequential, budget-checked <see cref="ISearchContext"/> over a <see cref="ToyProblem"/>.</summary>
internal sealed class ToySearchContext : ISearchContext
{
    private readonly Func<Genome, Fitness> _evaluate;

    public ToySearchContext(ToyProblem problem, int budget, int seed, bool seeded = false)
        : this(problem.Space, problem.Evaluate, budget, seed, seeded)
    {
    }

    /// <summary>A context over any space, evaluated by <paramref name="evaluate"/>.</summary>
    public ToySearchContext(MappingSpace space, Func<Genome, Fitness> evaluate, int budget, int seed, bool seeded = false)
    {
        Space = space;
        _evaluate = evaluate;
        Budget = new SearchBudget(budget);
        Seed = seed;
        Heuristics = new ToyHeuristics(space);
        StartingPoints = seeded ? Heuristics.Standard() : [];
    }

    public MappingSpace Space { get; }

    public SearchBudget Budget { get; }

    public int Seed { get; }

    public IReadOnlyList<NamedGenome> StartingPoints { get; init; }

    public IHeuristicMappings Heuristics { get; }

    public int EvaluationsDone { get; private set; }

    public int EvaluationsLeft => Math.Max(0, Budget.MaxEvaluations - EvaluationsDone);

    public bool ShouldStop => EvaluationsLeft == 0 || Cancellation.IsCancellationRequested;

    public ILogger Logger => NullLogger.Instance;

    /// <summary>Cancelled by the test (or after <see cref="CancelAfter"/> evaluations).</summary>
    public CancellationTokenSource Cancellation { get; } = new();

    /// <summary>Cancel once this many evaluations are done (0 = never).</summary>
    public int CancelAfter { get; init; }

    /// <summary>Calls to <see cref="Evaluate"/> made when nothing was left.</summary>
    public int CallsAfterBudget { get; private set; }

    /// <summary>Objective of every evaluation, in order.</summary>
    public List<double> History { get; } = [];

    public List<string> Progress { get; } = [];

    public int Evaluate(IReadOnlyList<Genome> genomes, Span<Fitness> results)
    {
        if (EvaluationsLeft == 0) CallsAfterBudget++;
        var n = Math.Min(genomes.Count, EvaluationsLeft);
        for (var i = 0; i < n; i++)
        {
            results[i] = _evaluate(genomes[i]);
            History.Add(results[i].Objective);
        }
        EvaluationsDone += n;
        if (CancelAfter > 0 && EvaluationsDone >= CancelAfter) Cancellation.Cancel();
        return n;
    }

    public void ReportProgress(string phase) => Progress.Add(phase);

    /// <summary>Evaluations until the running best first came within <paramref name="fraction"/> of <paramref name="target"/>, or −1.</summary>
    public int EvaluationsToReach(double target, double fraction)
    {
        var best = double.PositiveInfinity;
        for (var i = 0; i < History.Count; i++)
        {
            best = Math.Min(best, History[i]);
            if (best <= target * (1 + fraction)) return i + 1;
        }
        return -1;
    }
}

/// <summary>Standard strategies over the toy space (the engine provides the real ones).</summary>
internal sealed class ToyHeuristics(MappingSpace space) : IHeuristicMappings
{
    public Genome Pipeline(int stages) => PipelineTensor(stages, 1);

    public Genome PipelineTensor(int pipelineStages, int tensorDegree)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pipelineStages, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(tensorDegree, 1);
        if (pipelineStages * tensorDegree > space.ChipletCount) throw new ArgumentException("more chiplets than the package has");
        var g = space.CreateGenome();
        var genes = space.GeneCount;
        for (var gene = 0; gene < genes; gene++)
        {
            var stage = (int)((long)gene * pipelineStages / genes);
            if (gene < genes - 1 && (int)((long)(gene + 1) * pipelineStages / genes) != stage) g.Boundaries[gene] = 1;
            for (var b = 0; b < space.MicroBatchCount; b++)
                g[b, gene] = stage * tensorDegree + (b + gene) % tensorDegree;
        }
        return g;
    }

    public Genome MicroBatchParallel()
    {
        var g = space.CreateGenome();
        for (var b = 0; b < space.MicroBatchCount; b++)
            for (var gene = 0; gene < space.GeneCount; gene++) g[b, gene] = b % space.ChipletCount;
        return g;
    }

    public IReadOnlyList<NamedGenome> Standard() =>
    [
        new("pipeline", Pipeline(Math.Min(space.ChipletCount, space.GeneCount))),
        new("tensor-parallel", PipelineTensor(1, space.ChipletCount)),
        new("micro-batch-parallel", MicroBatchParallel()),
    ];
}
