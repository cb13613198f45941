using Compass.Abstractions.Evaluation;
using Compass.Abstractions.Mapping;
using Compass.Abstractions.Search;

namespace Compass.Optimizers.Common;

/// <summary>
/// The optimizers' single path to <see cref="ISearchContext.Evaluate"/>: evaluates batches (so the engine runs them in
/// parallel), optionally serves genomes already evaluated in this run from a cache instead of spending budget on them
/// (the evaluator is deterministic), stops on budget or cancellation, and keeps the best genome seen (first one wins
/// ties, so the result does not depend on thread timing).
/// </summary>
public sealed class BatchEvaluator
{
    private readonly ISearchContext _context;
    private readonly CancellationToken _cancellationToken;
    private readonly Dictionary<ulong, Fitness>? _cache;
    private readonly List<Genome> _pending = [];
    private readonly Dictionary<ulong, int> _pendingIndex = [];
    private Fitness[] _pendingResults = new Fitness[64];

    /// <summary>Creates the evaluator.</summary>
    /// <param name="context">The search context.</param>
    /// <param name="deduplicate">Serve repeated genomes from a cache (keyed by <see cref="Genome.ContentHash"/>).</param>
    /// <param name="cancellationToken">Cancellation of the run.</param>
    public BatchEvaluator(ISearchContext context, bool deduplicate, CancellationToken cancellationToken)
    {
        _context = context;
        _cancellationToken = cancellationToken;
        if (deduplicate) _cache = [];
    }

    /// <summary>Best genome so far (a private copy), or null before the first evaluation.</summary>
    public Genome? Best { get; private set; }

    /// <summary>Fitness of <see cref="Best"/>.</summary>
    public Fitness BestFitness { get; private set; } = Fitness.Invalid;

    /// <summary>Genomes served from the cache.</summary>
    public int CacheHits { get; private set; }

    /// <summary>Genomes sent to the context.</summary>
    public int Evaluated { get; private set; }

    /// <summary>True when the budget is spent or the run was cancelled.</summary>
    public bool Stopped => _cancellationToken.IsCancellationRequested || _context.ShouldStop;

    /// <summary>
    /// Scores <paramref name="genomes"/> into <paramref name="results"/>. Returns how many leading genomes got a
    /// result; fewer than all means the budget ran out or the run was cancelled.
    /// </summary>
    public int Evaluate(IReadOnlyList<Genome> genomes, Span<Fitness> results)
    {
        if (genomes.Count == 0 || Stopped) return 0;
        _pending.Clear();
        _pendingIndex.Clear();
        Span<int> slot = genomes.Count <= 1024 ? stackalloc int[genomes.Count] : new int[genomes.Count];
        for (var i = 0; i < genomes.Count; i++)
        {
            var hash = genomes[i].ContentHash();
            if (_cache is not null && _cache.TryGetValue(hash, out var known))
            {
                results[i] = known;
                slot[i] = -1;
                continue;
            }
            if (_cache is not null && _pendingIndex.TryGetValue(hash, out var same))
            {
                slot[i] = same;
                continue;
            }
            slot[i] = _pending.Count;
            if (_cache is not null) _pendingIndex[hash] = _pending.Count;
            _pending.Add(genomes[i]);
        }
        var done = 0;
        if (_pending.Count > 0)
        {
            if (_pendingResults.Length < _pending.Count) _pendingResults = new Fitness[Math.Max(_pending.Count, _pendingResults.Length * 2)];
            done = _context.Evaluate(_pending, _pendingResults.AsSpan(0, _pending.Count));
            Evaluated += done;
            if (_cache is not null)
                for (var k = 0; k < done; k++) _cache[_pending[k].ContentHash()] = _pendingResults[k];
        }
        var count = 0;
        for (; count < genomes.Count; count++)
        {
            var s = slot[count];
            if (s >= done) break;
            if (s >= 0) results[count] = _pendingResults[s];
            else CacheHits++;
            Offer(genomes[count], results[count]);
        }
        return count;
    }

    /// <summary>Evaluates one genome; returns false when the budget or the run ended first.</summary>
    public bool EvaluateOne(Genome genome, out Fitness fitness)
    {
        Span<Fitness> one = stackalloc Fitness[1];
        var ok = Evaluate([genome], one) == 1;
        fitness = one[0];
        return ok;
    }

    /// <summary>Builds the outcome: the best genome (or <paramref name="fallback"/> with an invalid fitness when nothing was evaluated).</summary>
    public SearchOutcome Outcome(Genome fallback, IReadOnlyList<Genome>? paretoSet, Dictionary<string, double> statistics)
    {
        statistics["evaluated"] = Evaluated;
        statistics["cacheHits"] = CacheHits;
        statistics["cancelled"] = _cancellationToken.IsCancellationRequested ? 1 : 0;
        return new SearchOutcome(Best ?? fallback.Clone(), Best is null ? Fitness.Invalid : BestFitness, paretoSet ?? [], statistics);
    }

    private void Offer(Genome genome, Fitness fitness)
    {
        if (Best is not null && !(fitness.Objective < BestFitness.Objective)) return;
        if (Best is null) Best = genome.Clone();
        else Best.CopyFrom(genome);
        BestFitness = fitness;
    }
}
