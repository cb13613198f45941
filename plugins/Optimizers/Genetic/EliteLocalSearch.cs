using Compass.Abstractions.Sampling;
using Compass.Abstractions.Evaluation;
using Compass.Abstractions.Mapping;
using Compass.Optimizers.Common;
using Compass.Optimizers.Operators;

namespace Compass.Optimizers.Genetic;

/// <summary>
/// The memetic step of the structured GA: a short best-improvement hill climb on one individual. Each step draws a
/// batch of single moves of the incumbent (<see cref="GenomeVariation.ApplyOneMove(Genome, double, Xoshiro256StarStar, ReadOnlySpan{double})"/>),
/// evaluates them together, and moves to the best candidate when it is strictly better. Operators are chosen with
/// adaptive probabilities: each operator's base weight is multiplied by its Laplace-smoothed success rate in this run
/// (candidates that beat their incumbent ÷ candidates tried), so moves that keep paying get drawn more often, and a
/// floor keeps every operator alive. Every candidate goes through the run's <see cref="BatchEvaluator"/>, so it
/// spends budget exactly like a child of the GA.
/// </summary>
public sealed class EliteLocalSearch
{
    /// <summary>Lowest multiplier an operator's weight can fall to (keeps every operator available).</summary>
    public const double CreditFloor = 0.05;

    private readonly GenomeVariation _variation;
    private readonly Genome[] _candidates;
    private readonly int[] _operator;
    private readonly Fitness[] _results;
    private readonly long[] _tried = new long[GenomeVariation.OperatorNames.Length];
    private readonly long[] _succeeded = new long[GenomeVariation.OperatorNames.Length];
    private readonly double[] _credit = new double[GenomeVariation.OperatorNames.Length];
    private readonly bool _adaptive;

    /// <summary>Creates the search with <paramref name="batchSize"/> candidates per step.</summary>
    public EliteLocalSearch(GenomeVariation variation, MappingSpace space, int batchSize, bool adaptive)
    {
        _variation = variation;
        _adaptive = adaptive;
        _candidates = SearchSupport.NewGenomes(space, batchSize);
        _operator = new int[batchSize];
        _results = new Fitness[batchSize];
        Array.Fill(_credit, 1.0);
    }

    /// <summary>Steps that moved the incumbent.</summary>
    public long Improvements { get; private set; }

    /// <summary>Candidates evaluated (including cache hits).</summary>
    public long Candidates { get; private set; }

    /// <summary>
    /// Climbs from <paramref name="incumbent"/> (changed in place, with <paramref name="fitness"/>) for about
    /// <paramref name="evaluations"/> candidates; stops early after <paramref name="patience"/> steps without
    /// improvement, or when the evaluator stops. Returns true when the incumbent improved.
    /// </summary>
    public bool Climb(Genome incumbent, ref Fitness fitness, int evaluations, int patience, double progress,
        BatchEvaluator evaluator, Xoshiro256StarStar rng)
    {
        var improved = false;
        var spent = 0;
        var idle = 0;
        var batch = _candidates.Length;
        while (spent < evaluations && idle < patience && !evaluator.Stopped)
        {
            var n = Math.Min(batch, evaluations - spent);
            for (var i = 0; i < n; i++)
            {
                _candidates[i].CopyFrom(incumbent);
                _operator[i] = _variation.ApplyOneMove(_candidates[i], progress, rng, _adaptive ? _credit : default);
            }
            var done = evaluator.Evaluate(new ArraySegment<Genome>(_candidates, 0, n), _results);
            spent += n;
            Candidates += done;
            var pick = -1;
            for (var i = 0; i < done; i++)
            {
                var better = _results[i].IsValid && _results[i].Objective < fitness.Objective;
                var op = _operator[i];
                if (op >= 0)
                {
                    _tried[op]++;
                    if (better) _succeeded[op]++;
                    _credit[op] = Math.Max(CreditFloor, (_succeeded[op] + 1.0) / (_tried[op] + 2.0) * 2.0);
                }
                if (better && (pick < 0 || _results[i].Objective < _results[pick].Objective)) pick = i;
            }
            if (pick >= 0)
            {
                incumbent.CopyFrom(_candidates[pick]);
                fitness = _results[pick];
                improved = true;
                Improvements++;
                idle = 0;
            }
            else idle++;
            if (done < n) break;
        }
        return improved;
    }

    /// <summary>Statistics entries <c>localSearch.credit.&lt;operator&gt;</c> (final weight multipliers) and counters.</summary>
    public void WriteStatistics(IDictionary<string, double> statistics)
    {
        statistics["localSearch.candidates"] = Candidates;
        statistics["localSearch.improvements"] = Improvements;
        for (var i = 0; i < _credit.Length; i++)
            if (_tried[i] > 0) statistics["localSearch.credit." + GenomeVariation.OperatorNames[i]] = _credit[i];
    }
}
