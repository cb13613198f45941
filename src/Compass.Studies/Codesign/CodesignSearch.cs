using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using Compass.Abstractions.Plugins;
using Compass.Abstractions.Sampling;
using Compass.Studies.Definition;
using Compass.Studies.Points;
using Compass.Studies.Reporting;
using Compass.Studies.Results;

namespace Compass.Studies.Codesign;

/// <summary>What a co-exploration found.</summary>
/// <param name="Results">Every point run or reused (all rungs), in proposal order.</param>
/// <param name="Final">Each package's result at the highest rung it reached.</param>
/// <param name="ParetoSet">The non-dominated packages of <paramref name="Final"/> over (monetary cost, EDP) within the cost limit.</param>
/// <param name="Cancelled">True when it was interrupted.</param>
public sealed record CodesignOutcome(IReadOnlyList<PointResult> Results, IReadOnlyList<PointResult> Final, IReadOnlyList<PointResult> ParetoSet, bool Cancelled);

/// <summary>
/// Hardware–mapping co-exploration (<c>compass codesign</c>). The outer search is NSGA-II over the study's hardware
/// axes (a genome is one value index per axis); each proposed package is scored by an inner mapping search (the
/// scenario's optimizer) at the first rung's small budget on two objectives, EDP and the package's monetary cost, with
/// an optional cost limit handled by constrained domination (packages above it are priced, never searched). After the
/// outer search, successive halving re-searches the best 1/η of the packages (by front and crowding) at each next
/// rung's larger budget. Deterministic for the study seed: proposals depend only on finished results, which are
/// evaluated generation by generation; a rerun reuses every finished point (same scenario, same id).
/// </summary>
public sealed class CodesignSearch
{
    /// <summary>Random stream id of the outer NSGA-II ("code"), drawn from the study's first seed.</summary>
    public const ulong RandomStream = 0x636F6465;

    private readonly StudyDefinition _study;
    private readonly CodesignSettings _settings;
    private readonly JsonObject _prepared;
    private readonly IPointExplorer _explorer;
    private readonly StudyRunner _runner;
    private readonly int _parallel;
    private readonly int _seed;
    private readonly IReadOnlyList<int> _seeds;
    private readonly Dictionary<string, PointResult> _byGenome = new(StringComparer.Ordinal);
    private readonly List<PointResult> _results = [];
    private int _nextIndex;

    /// <summary>Creates the search.</summary>
    public CodesignSearch(StudyDefinition study, JsonObject prepared, IPointExplorer explorer, StudyRunner runner, int parallel)
    {
        ArgumentNullException.ThrowIfNull(study);
        ArgumentNullException.ThrowIfNull(prepared);
        _study = study;
        _settings = study.Codesign ?? new CodesignSettings();
        _prepared = prepared;
        _explorer = explorer;
        _runner = runner;
        _parallel = Math.Max(1, parallel);
        _seeds = study.Seeds.Count > 0 ? study.Seeds : [prepared["seed"] is JsonValue v && v.TryGetValue<int>(out var s) ? s : 42];
        _seed = _seeds[0];
        if (study.Axes.Count == 0) throw new CompassInputException("axes", "codesign needs at least one hardware axis");
        if (prepared["costModels"]?["cost"] is null)
            throw new CompassInputException("costModels.cost", "codesign needs a monetary cost model in the scenario or the study's set (e.g. \"costModels.cost.name\": \"chiplet-actuary\")");
    }

    /// <summary>Number of distinct packages the axes allow.</summary>
    public long SpaceSize => _study.Axes.Aggregate(1L, (n, a) => n * a.Values.Count);

    /// <summary>Points the whole co-exploration will run at most (rung 0 plus the promoted ones).</summary>
    public int PlannedPoints
    {
        get
        {
            var n = (int)Math.Min(_settings.HardwarePoints, SpaceSize);
            var total = n;
            for (var k = 1; k < _settings.RungBudgets.Count; k++)
            {
                n = Math.Max(1, (n + _settings.Eta - 1) / _settings.Eta);
                total += n;
            }
            return total * _seeds.Count;
        }
    }

    /// <summary>Runs the co-exploration.</summary>
    public CodesignOutcome Run(Action<StudyProgress>? progress, CancellationToken cancellationToken)
    {
        var random = new Xoshiro256StarStar(_seed, RandomStream);
        var budget = (int)Math.Min(_settings.HardwarePoints, SpaceSize);
        var planned = PlannedPoints;
        var done = 0;
        var failed = 0;
        void Report(StudyProgress p)
        {
            if (p.Last is null)
            {
                // The initial report of a batch: points an earlier run finished.
                done += p.Done;
                failed += p.Failed;
                if (p.Done > 0) progress?.Invoke(new StudyProgress(done, planned, failed, null));
                return;
            }
            done++;
            if (p.Last.Status != PointStatus.Completed) failed++;
            progress?.Invoke(new StudyProgress(done, planned, failed, p.Last));
        }

        // Rung 0: NSGA-II over the hardware axes.
        var population = new List<int[]>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (population.Count < Math.Min(_settings.PopulationSize, budget))
        {
            var g = _study.Axes.Select(a => random.NextInt(a.Values.Count)).ToArray();
            if (seen.Add(Key(g))) population.Add(g);
        }
        var evaluated = 0;
        Evaluate(population, 0, Report, cancellationToken);
        evaluated += population.Count;
        while (evaluated < budget && !cancellationToken.IsCancellationRequested)
        {
            var want = Math.Min(_settings.PopulationSize, budget - evaluated);
            var children = new List<int[]>();
            var tries = 0;
            var scores = population.Select(g => Score(_byGenome[Key(g)])).ToList();
            var ranks = Nsga2.Ranks(scores);
            var crowd = Nsga2.Crowding(scores, ranks);
            while (children.Count < want && tries++ < want * 200)
            {
                var a = Tournament(random, ranks, crowd);
                var b = Tournament(random, ranks, crowd);
                var (c1, c2) = Crossover(random, population[a], population[b]);
                foreach (var c in new[] { c1, c2 })
                {
                    Mutate(random, c);
                    if (children.Count < want && seen.Add(Key(c))) children.Add(c);
                }
            }
            if (children.Count == 0) break;
            Evaluate(children, 0, Report, cancellationToken);
            evaluated += children.Count;
            // Elitist replacement: the best PopulationSize of parents and children.
            var pool = population.Concat(children).ToList();
            var order = Nsga2.Order([.. pool.Select(g => Score(_byGenome[Key(g)]))]);
            population = [.. order.Take(_settings.PopulationSize).Select(i => pool[i])];
        }

        // Successive halving: the best 1/eta of each rung's packages are searched again at the next budget.
        var rungMembers = _byGenome.Where(kv => kv.Value.Rung == 0).Select(kv => Genome(kv.Key)).ToList();
        for (var rung = 1; rung < _settings.RungBudgets.Count && !cancellationToken.IsCancellationRequested; rung++)
        {
            var candidates = rungMembers.Where(g => Score(Latest(g)).Feasible).ToList();
            var order = Nsga2.Order([.. candidates.Select(g => Score(Latest(g)))]);
            var keep = Math.Max(1, (rungMembers.Count + _settings.Eta - 1) / _settings.Eta);
            rungMembers = [.. order.Take(keep).Select(i => candidates[i])];
            if (rungMembers.Count == 0) break;
            Evaluate(rungMembers, rung, Report, cancellationToken);
        }

        var final = _byGenome.Keys.Select(k => Latest(Genome(k))).OrderBy(r => r.Index).ToList();
        var feasible = final.Where(r => Score(r).Feasible).ToList();
        var pareto = ParetoSet.Of(feasible, r => r.Metrics!.CostUsd!.Value, r => r.Metrics!.EdpJs);
        return new CodesignOutcome(_results, final, pareto, cancellationToken.IsCancellationRequested);
    }

    private readonly Dictionary<(string Genome, int Rung), PointResult> _byRung = [];

    private PointResult Latest(int[] genome)
    {
        var key = Key(genome);
        for (var rung = _settings.RungBudgets.Count - 1; rung >= 0; rung--)
            if (_byRung.TryGetValue((key, rung), out var r)) return r;
        return _byGenome[key];
    }

    /// <summary>Objectives (EDP, cost) and violation (cost over the limit; +∞ when the point has no valid result).</summary>
    private Nsga2.Score Score(PointResult r)
    {
        if (r.Status == PointStatus.OverCostLimit && r.Metrics?.CostUsd is { } over)
            return new Nsga2.Score(double.PositiveInfinity, over, over - (_settings.CostLimitUsd ?? 0));
        if (r.Status != PointStatus.Completed || r.Metrics is not { } m || !double.IsFinite(m.EdpJs) || m.CostUsd is not { } cost)
            return new Nsga2.Score(double.PositiveInfinity, double.PositiveInfinity, double.PositiveInfinity);
        var violation = _settings.CostLimitUsd is { } limit && cost > limit ? cost - limit : 0;
        return new Nsga2.Score(m.EdpJs, cost, violation);
    }

    private void Evaluate(List<int[]> genomes, int rung, Action<StudyProgress> progress, CancellationToken cancellationToken)
    {
        var budget = _settings.RungBudgets[rung];
        // Every package at every seed of the study (seeds innermost, as in a sweep).
        var points = new List<StudyPoint>();
        foreach (var g in genomes)
        {
            var values = _study.Axes.Select((a, k) => new AxisAssignment(a.Name, a.Values[g[k]])).ToList();
            var withBudget = ScenarioPaths.Apply((JsonObject)_prepared.DeepClone(), "budget.evaluations", JsonValue.Create(budget), _explorer.Resolve);
            foreach (var seed in _seeds) points.Add(StudyPoint.Create(_study, withBudget, _nextIndex++, values, seed, _explorer.Resolve));
        }
        PointResult Decorate(StudyPoint p, PointResult r) => r with { Rung = rung, BudgetEvaluations = budget };

        // Packages above the cost limit are priced and recorded without a mapping search.
        var toRun = new ConcurrentBag<StudyPoint>();
        var priced = new ConcurrentDictionary<string, PointResult>(StringComparer.Ordinal);
        Parallel.ForEach(points, new ParallelOptions { MaxDegreeOfParallelism = _parallel, CancellationToken = cancellationToken }, p =>
        {
            if (_settings.CostLimitUsd is not { } limit || _runner.Finished(p) is not null)
            {
                toRun.Add(p);
                return;
            }
            var cost = _explorer.PriceUsd((JsonObject)System.Text.Json.Nodes.JsonNode.Parse(p.ScenarioJson)!);
            if (cost is { } c && c > limit)
                priced[p.Id] = _runner.Record(p, "codesign", _study.Name, PointStatus.OverCostLimit,
                    string.Create(CultureInfo.InvariantCulture, $"package cost {c:F2} USD is above the limit of {limit:F2} USD; not searched"),
                    new PointMetrics { LatencyNs = double.NaN, EnergyPj = double.NaN, EdpJs = double.NaN, Objective = double.NaN, CostUsd = c }, Decorate);
            else toRun.Add(p);
        });
        foreach (var r in priced.Values) progress(new StudyProgress(0, 0, 0, r));
        var ordered = toRun.OrderBy(p => p.Index).ToList();
        BeforeBatch?.Invoke(ordered.Where(p => _runner.Finished(p) is null).ToList(), cancellationToken);
        var results = _runner.Run(ordered, "codesign", _study.Name, _parallel, progress, Decorate, cancellationToken);
        var all = results.Concat(priced.Values).ToDictionary(r => r.Id, StringComparer.Ordinal);
        for (var i = 0; i < genomes.Count; i++)
        {
            var found = points.Skip(i * _seeds.Count).Take(_seeds.Count).Select(p => all.GetValueOrDefault(p.Id)).ToList();
            if (found.Any(r => r is null)) continue;
            var seeds = found.Select(r => r!).ToList();
            var key = Key(genomes[i]);
            _results.AddRange(seeds);
            var r = OverSeeds(seeds);
            _byRung[(key, rung)] = r;
            if (rung == 0) _byGenome[key] = r;
        }
        cancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>
    /// A package's result over the study's seeds: with one seed, that point's result; with several, the first seed's
    /// result carrying the means over the seeds of latency, energy (and its parts), EDP and objective — the package is
    /// scored, promoted and put on the Pareto front by its mean (its cost does not depend on the seed). A package with
    /// any seed not completed takes that seed's result (over the cost limit, no valid mapping, failed): not feasible.
    /// </summary>
    public static PointResult OverSeeds(IReadOnlyList<PointResult> seeds)
    {
        ArgumentNullException.ThrowIfNull(seeds);
        if (seeds.Count == 1) return seeds[0];
        if (seeds.FirstOrDefault(r => r.Status != PointStatus.Completed || r.Metrics is null) is { } bad) return bad;
        var ms = seeds.Select(r => r.Metrics!).ToList();
        double Mean(Func<PointMetrics, double> f) => ms.Sum(f) / ms.Count;
        var first = seeds[0];
        return first with
        {
            Metrics = first.Metrics! with
            {
                LatencyNs = Mean(m => m.LatencyNs),
                EnergyPj = Mean(m => m.EnergyPj),
                EdpJs = Mean(m => m.EdpJs),
                Objective = Mean(m => m.Objective),
                MacPj = Mean(m => m.MacPj),
                BufferPj = Mean(m => m.BufferPj),
                VectorPj = Mean(m => m.VectorPj),
                NopPj = Mean(m => m.NopPj),
                DramPj = Mean(m => m.DramPj),
                StaticPj = Mean(m => m.StaticPj),
                Evaluations = ms.Sum(m => m.Evaluations),
            },
            WallSeconds = seeds.Sum(r => r.WallSeconds),
        };
    }

    /// <summary>
    /// Called with each batch of independent points that must run (a generation, or a rung's promoted packages × seeds)
    /// before they run here: a cluster backend runs them there and returns when they are finished; the points it
    /// finished are then reused, any left are run locally.
    /// </summary>
    public Action<IReadOnlyList<StudyPoint>, CancellationToken>? BeforeBatch { get; init; }

    private static int Tournament(Xoshiro256StarStar random, int[] ranks, double[] crowd)
    {
        var a = random.NextInt(ranks.Length);
        var b = random.NextInt(ranks.Length);
        if (ranks[a] != ranks[b]) return ranks[a] < ranks[b] ? a : b;
        return crowd[a] >= crowd[b] ? a : b;
    }

    private (int[], int[]) Crossover(Xoshiro256StarStar random, int[] a, int[] b)
    {
        var c1 = (int[])a.Clone();
        var c2 = (int[])b.Clone();
        if (random.NextDouble() >= _settings.CrossoverProbability) return (c1, c2);
        for (var k = 0; k < a.Length; k++)
        {
            if (random.NextBool()) (c1[k], c2[k]) = (c2[k], c1[k]);
        }
        return (c1, c2);
    }

    /// <summary>Numeric axes move one step up or down (ordered values); categorical ones jump to another value.</summary>
    private void Mutate(Xoshiro256StarStar random, int[] g)
    {
        var p = _settings.MutationProbability > 0 ? _settings.MutationProbability : 1.0 / g.Length;
        for (var k = 0; k < g.Length; k++)
        {
            var n = _study.Axes[k].Values.Count;
            if (n < 2 || random.NextDouble() >= p) continue;
            if (_study.Axes[k].IsNumeric)
                g[k] = g[k] == 0 ? 1 : g[k] == n - 1 ? n - 2 : g[k] + (random.NextBool() ? -1 : 1);
            else
                g[k] = (g[k] + 1 + random.NextInt(n - 1)) % n;
        }
    }

    private static string Key(int[] g) => string.Join(',', g);

    private static int[] Genome(string key) => [.. key.Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture))];
}
