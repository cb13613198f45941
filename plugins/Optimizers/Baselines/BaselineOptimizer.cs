using Compass.Abstractions.Evaluation;
using Compass.Abstractions.Mapping;
using Compass.Abstractions.Plugins;
using Compass.Abstractions.Search;
using Compass.Optimizers.Common;
using Microsoft.Extensions.Configuration;

namespace Compass.Optimizers.Baselines;

/// <summary>Options of the heuristic baseline.</summary>
/// <param name="IncludeStartingPoints">Also evaluate the context's starting points (and the heuristics' standard set).</param>
/// <param name="MaxGridDegree">Largest pipeline or tensor degree of the pipeline × tensor grid (powers of two up to it); 0 = the chiplet count.</param>
public sealed record BaselineOptions(bool IncludeStartingPoints = true, int MaxGridDegree = 0)
{
    /// <summary>Reads and validates the options.</summary>
    public static BaselineOptions Read(IConfiguration section)
    {
        section.RejectUnknownKeys("includeStartingPoints", "maxGridDegree");
        return new BaselineOptions(section.GetBoolean("includeStartingPoints", true), section.GetInt32("maxGridDegree", 0, 0, 1_000_000));
    }
}

/// <summary>
/// The heuristic baselines: a round-robin layer pipeline over all chiplets, tensor parallelism over all chiplets,
/// micro-batch parallelism, and a grid of pipeline × tensor degrees (powers of two with product ≤ chiplets), built by
/// <see cref="ISearchContext.Heuristics"/>; each is evaluated once and the best is returned. Statistics name the
/// winner (<c>winner.&lt;name&gt;</c> = 1) and every candidate's objective (<c>objective.&lt;name&gt;</c>).
/// </summary>
public sealed class BaselineOptimizer : IOptimizer
{
    /// <summary>Creates the optimizer.</summary>
    public BaselineOptimizer(BaselineOptions options) => Options = options;

    /// <summary>The options.</summary>
    public BaselineOptions Options { get; }

    /// <summary>The named candidate mappings for a context, deduplicated, in evaluation order.</summary>
    public IReadOnlyList<NamedGenome> Candidates(ISearchContext context, out int skipped)
    {
        var space = context.Space;
        var h = context.Heuristics;
        var list = new List<NamedGenome>();
        var seen = new HashSet<ulong>();
        var rejected = 0;
        var chiplets = space.ChipletCount;
        var stages = Math.Min(chiplets, space.GeneCount);
        var maxDegree = Options.MaxGridDegree > 0 ? Math.Min(Options.MaxGridDegree, chiplets) : chiplets;
        var builders = new List<(string Name, Func<Genome> Build)>
        {
            ($"pipeline-{stages}", () => h.Pipeline(stages)),
            ($"tensor-parallel-{chiplets}", () => h.PipelineTensor(1, chiplets)),
            ("micro-batch-parallel", h.MicroBatchParallel),
        };
        for (var t = 1; t <= maxDegree; t *= 2)
            for (var p = 1; p * t <= chiplets && p <= maxDegree; p *= 2)
            {
                var (pp, tt) = (p, t);
                builders.Add(($"pipeline-{pp}x-tensor-{tt}", () => h.PipelineTensor(pp, tt)));
            }
        foreach (var (name, build) in builders)
        {
            Genome genome;
            try { genome = build(); }
            catch (ArgumentException) { rejected++; continue; }
            Add(name, genome);
        }
        if (Options.IncludeStartingPoints)
        {
            foreach (var s in context.StartingPoints) Add(s.Name, s.Genome);
            IReadOnlyList<NamedGenome> standard;
            try { standard = h.Standard(); }
            catch (ArgumentException) { standard = []; rejected++; }
            foreach (var s in standard) Add(s.Name, s.Genome);
        }
        skipped = rejected;
        return list;

        void Add(string name, Genome genome)
        {
            if (!space.IsValid(genome, out _)) { rejected++; return; }
            if (seen.Add(genome.ContentHash())) list.Add(new NamedGenome(name, genome));
        }
    }

    /// <inheritdoc />
    public SearchOutcome Run(ISearchContext context, CancellationToken cancellationToken)
    {
        var candidates = Candidates(context, out var skipped);
        var statistics = new Dictionary<string, double> { ["candidates"] = candidates.Count, ["skipped"] = skipped };
        var evaluator = new BatchEvaluator(context, deduplicate: false, cancellationToken);
        var genomes = candidates.Select(c => c.Genome).ToList();
        var results = new Fitness[genomes.Count];
        var done = evaluator.Evaluate(genomes, results);
        var winner = -1;
        for (var i = 0; i < done; i++)
        {
            statistics["objective." + candidates[i].Name] = results[i].Objective;
            if (winner < 0 || results[i].Objective < results[winner].Objective) winner = i;
        }
        if (winner >= 0) statistics["winner." + candidates[winner].Name] = 1;
        context.ReportProgress(winner >= 0 ? $"baseline: {candidates[winner].Name} wins" : "baseline: nothing evaluated");
        var fallback = genomes.Count > 0 ? genomes[0] : context.Space.CreateGenome();
        return evaluator.Outcome(fallback, null, statistics);
    }
}
