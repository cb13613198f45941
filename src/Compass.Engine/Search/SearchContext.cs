using System.Diagnostics;
using Compass.Abstractions.Evaluation;
using Compass.Abstractions.Mapping;
using Compass.Abstractions.Search;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Compass.Engine.Search;

/// <summary>
/// The search context of one run: budget, seed, starting points and a parallel batch evaluation whose results
/// are in input order and independent of the thread count. Evaluations already logged by an interrupted run
/// (<see cref="SearchDriverOptions.PreviousEvaluations"/>) are served from the log instead of re-evaluated.
/// </summary>
internal sealed class SearchContext : ISearchContext
{
    private readonly ExplorationProblem _problem;
    private readonly SearchDriverOptions _options;
    private readonly CancellationToken _token;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly int _threads;
    private Fitness[] _buffer = [];
    private bool[] _done = [];

    public SearchContext(ExplorationProblem problem, SearchDriverOptions options, CancellationToken token)
    {
        _problem = problem;
        _options = options;
        _token = token;
        _threads = options.Threads > 0 ? options.Threads : Environment.ProcessorCount;
        StartingPoints = options.StartFromHeuristics ? StartsOf(problem) : [];
        Logger = options.Logger ?? NullLogger.Instance;
        BestGenome = problem.Space.CreateGenome();
    }

    /// <summary>
    /// The standard heuristics; with levers, those of the scenario's own plan followed by the best point of each of
    /// the <see cref="LeveredStarts"/> best plans of the plan sweep (the published outer sweep's results, so the
    /// search starts where the sweep ended).
    /// </summary>
    private static IReadOnlyList<NamedGenome> StartsOf(ExplorationProblem problem)
    {
        var standard = problem.Heuristics.Standard();
        if (!problem.IsLevered) return standard;
        var result = new List<NamedGenome>(standard);
        foreach (var point in problem.PlanSweep().Take(LeveredStarts))
        {
            if (result.Any(r => r.Genome.Equals(point.Genome))) continue;
            result.Add(new NamedGenome($"plan-sweep {point.Plan} {point.Heuristic}", point.Genome));
        }
        return result;
    }

    /// <summary>Plan-sweep points offered as starting points with levers.</summary>
    internal const int LeveredStarts = 8;

    public MappingSpace Space => _problem.Space;

    public SearchBudget Budget => _options.Budget;

    public int Seed => _options.Seed;

    public IReadOnlyList<NamedGenome> StartingPoints { get; }

    public IHeuristicMappings Heuristics => _problem.Heuristics;

    public int EvaluationsDone { get; private set; }

    public int EvaluationsLeft => WallTimeUp ? 0 : Math.Max(0, Budget.MaxEvaluations - EvaluationsDone);

    public bool ShouldStop => _token.IsCancellationRequested || EvaluationsLeft <= 0;

    public ILogger Logger { get; }

    public Genome BestGenome { get; private set; }

    public Fitness BestFitness { get; private set; } = Fitness.Invalid;

    public int InvalidEvaluations { get; private set; }

    public int ResumedEvaluations { get; private set; }

    public bool Cancelled { get; private set; }

    public double ElapsedSeconds => _clock.Elapsed.TotalSeconds;

    private bool WallTimeUp => Budget.MaxWallSeconds > 0 && _clock.Elapsed.TotalSeconds >= Budget.MaxWallSeconds;

    public int Evaluate(IReadOnlyList<Genome> genomes, Span<Fitness> results)
    {
        ArgumentNullException.ThrowIfNull(genomes);
        if (_token.IsCancellationRequested) { Cancelled = true; return 0; }
        var n = Math.Min(Math.Min(genomes.Count, results.Length), EvaluationsLeft);
        if (n <= 0) return 0;
        if (_buffer.Length < n)
        {
            _buffer = new Fitness[n];
            _done = new bool[n];
        }
        Array.Clear(_done, 0, n);
        var first = EvaluationsDone;
        var previous = _options.PreviousEvaluations;
        void One(int i)
        {
            if (_token.IsCancellationRequested) return;
            var index = first + i;
            try
            {
                _buffer[i] = previous is not null && index < previous.Count ? previous[index] : _problem.Evaluate(genomes[i], _token);
                _done[i] = true;
            }
            catch (OperationCanceledException) when (_token.IsCancellationRequested)
            {
                // Left undone; the run reports cancellation.
            }
        }
        if (_threads <= 1 || n == 1)
        {
            for (var i = 0; i < n; i++) One(i);
        }
        else
        {
            Parallel.For(0, n, new ParallelOptions { MaxDegreeOfParallelism = _threads }, One);
        }

        // Keep the completed prefix so the log stays contiguous and ordered.
        var completed = 0;
        while (completed < n && _done[completed]) completed++;
        if (completed < n) Cancelled = true;
        for (var i = 0; i < completed; i++)
        {
            var index = first + i;
            var fitness = _buffer[i];
            results[i] = fitness;
            if (previous is not null && index < previous.Count) ResumedEvaluations++;
            if (!fitness.IsValid) InvalidEvaluations++;
            if (fitness.IsValid && (!BestFitness.IsValid || fitness.Objective < BestFitness.Objective))
            {
                BestFitness = fitness;
                BestGenome = genomes[i].Clone();
            }
            EvaluationsDone++;
            _options.OnEvaluation?.Invoke(new EvaluationLogEntry(index, fitness, BestFitness.Objective, ElapsedSeconds, genomes[i].ContentHash()));
        }
        return completed;
    }

    public void ReportProgress(string phase)
    {
        _options.OnProgress?.Invoke(phase);
        if (Logger.IsEnabled(LogLevel.Debug)) Logger.LogDebug("search progress: {Phase}", phase);
    }
}
