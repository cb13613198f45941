using System.Globalization;
using Compass.Abstractions.Evaluation;
using Compass.Abstractions.Mapping;
using Compass.Abstractions.Plugins;
using Compass.Abstractions.Search;
using Compass.Optimizers.Common;
using Microsoft.Extensions.Configuration;

namespace Compass.Optimizers.Exhaustive;

/// <summary>Options of exhaustive search.</summary>
/// <param name="MaxSpaceSize">Largest space (segmentations × assignments) it agrees to enumerate.</param>
/// <param name="BatchSize">Genomes evaluated together.</param>
/// <param name="MaxSpaceSizePath">Dotted option path named in the refusal.</param>
public sealed record ExhaustiveOptions(double MaxSpaceSize = 1e6, int BatchSize = 256, string MaxSpaceSizePath = "optimizer.options.maxSpaceSize")
{
    /// <summary>Reads and validates the options.</summary>
    public static ExhaustiveOptions Read(IConfiguration section)
    {
        section.RejectUnknownKeys("maxSpaceSize", "batchSize");
        var path = section is IConfigurationSection s && !string.IsNullOrEmpty(s.Path)
            ? OptionsReader.PathOf(section, "maxSpaceSize")
            : "optimizer.options.maxSpaceSize";
        return new ExhaustiveOptions(section.GetDouble("maxSpaceSize", 1e6, 1, 1e15), section.GetInt32("batchSize", 256, 1, 1_000_000), path);
    }
}

/// <summary>
/// Enumerates every genome of a small space: all 2^(genes − 1) segmentations × chiplets^(micro-batches × genes)
/// assignments, in batches, keeping the best. Refuses spaces larger than <see cref="ExhaustiveOptions.MaxSpaceSize"/>
/// with a <see cref="CompassInputException"/> naming that option. Stops early on budget or cancellation
/// (statistic <c>complete</c> = 0).
/// </summary>
public sealed class ExhaustiveSearch : IOptimizer
{
    /// <summary>Creates the optimizer.</summary>
    public ExhaustiveSearch(ExhaustiveOptions options) => Options = options;

    /// <summary>The options.</summary>
    public ExhaustiveOptions Options { get; }

    /// <summary>Number of genomes of a space (as a double; may be huge).</summary>
    public static double SpaceSize(MappingSpace space)
    {
        ArgumentNullException.ThrowIfNull(space);
        var size = Math.Pow(2, space.GeneCount - 1) * Math.Pow(space.ChipletCount, space.AssignmentLength);
        foreach (var lever in space.Levers) size *= lever.Count;
        return size;
    }

    /// <inheritdoc />
    public SearchOutcome Run(ISearchContext context, CancellationToken cancellationToken)
    {
        var space = context.Space;
        var size = SpaceSize(space);
        if (!(size <= Options.MaxSpaceSize))
            throw new CompassInputException(Options.MaxSpaceSizePath,
                string.Create(CultureInfo.InvariantCulture, $"the mapping space has {size:G4} genomes (2^{space.GeneCount - 1} segmentations × {space.ChipletCount}^{space.AssignmentLength} assignments), more than the limit {Options.MaxSpaceSize:G4}; raise the limit or use another optimizer"));
        var total = (long)Math.Round(size);
        var evaluator = new BatchEvaluator(context, deduplicate: false, cancellationToken);
        var batch = SearchSupport.NewGenomes(space, Options.BatchSize);
        var results = new Fitness[Options.BatchSize];
        var cursor = space.CreateGenome();
        Array.Clear(cursor.Levers);
        long enumerated = 0;
        var complete = false;
        while (!evaluator.Stopped)
        {
            var n = 0;
            while (n < batch.Length && enumerated + n < total)
            {
                batch[n++].CopyFrom(cursor);
                Increment(cursor, space);
            }
            if (n == 0) { complete = true; break; }
            var done = evaluator.Evaluate(new ArraySegment<Genome>(batch, 0, n), results);
            enumerated += done;
            context.ReportProgress($"exhaustive {enumerated}/{total}: best {SearchSupport.Format(evaluator.BestFitness.Objective)}");
            if (done < n) break;
            if (enumerated == total) { complete = true; break; }
        }
        var statistics = new Dictionary<string, double> { ["spaceSize"] = total, ["enumerated"] = enumerated, ["complete"] = complete ? 1 : 0 };
        return evaluator.Outcome(batch[0], null, statistics);
    }

    /// <summary>Advances the odometer: assignment digits first (base chiplets), then the segmentation bits (base 2), then the levers (base their candidate counts).</summary>
    private static void Increment(Genome genome, MappingSpace space)
    {
        var chiplets = space.ChipletCount;
        var a = genome.Assignment;
        for (var i = 0; i < a.Length; i++)
        {
            if (++a[i] < chiplets) return;
            a[i] = 0;
        }
        var bits = genome.Boundaries;
        for (var i = 0; i < bits.Length; i++)
        {
            if (++bits[i] < 2) return;
            bits[i] = 0;
        }
        var levers = genome.Levers;
        for (var i = 0; i < levers.Length; i++)
        {
            if (++levers[i] < space.Levers[i].Count) return;
            levers[i] = 0;
        }
    }
}
