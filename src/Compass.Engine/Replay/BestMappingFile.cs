using System.Text.Json;
using System.Text.Json.Serialization;
using Compass.Abstractions.Evaluation;
using Compass.Abstractions.Mapping;
using Compass.Abstractions.Plugins;

namespace Compass.Engine.Replay;

/// <summary>Fitness as stored in <c>best-mapping.json</c>.</summary>
/// <param name="LatencyNs">Mean latency, ns.</param>
/// <param name="EnergyPj">Mean energy, pJ.</param>
/// <param name="Objective">Objective value.</param>
/// <param name="IsValid">Whether the mapping was valid.</param>
public sealed record StoredFitness(double LatencyNs, double EnergyPj, double Objective, bool IsValid);

/// <summary>
/// The saved best mapping (<c>best-mapping.json</c>), the counterpart of the published tool's
/// <c>best_mapping.json</c> {segmentation, layer_to_chip, micro_batch_size} with the names and shape needed to
/// check it against a space before replaying it.
/// </summary>
public sealed record BestMappingFile
{
    /// <summary>File format version this code writes.</summary>
    public const int CurrentVersion = 1;

    /// <summary>Format version.</summary>
    public int Version { get; init; } = CurrentVersion;

    /// <summary>Scenario name.</summary>
    public string ScenarioName { get; init; } = string.Empty;

    /// <summary>Search seed.</summary>
    public int Seed { get; init; }

    /// <summary>Rows of the assignment.</summary>
    public int MicroBatchCount { get; init; }

    /// <summary>Genes per row.</summary>
    public int GeneCount { get; init; }

    /// <summary>Segmentation bits (length genes − 1).</summary>
    public int[] Segmentation { get; init; } = [];

    /// <summary>Chiplet id per (micro-batch, gene), one array per micro-batch.</summary>
    public int[][] Assignment { get; init; } = [];

    /// <summary>Gene names in sequence order.</summary>
    public string[] GeneNames { get; init; } = [];

    /// <summary>
    /// The value every lever of the space took (scenario path → value, e.g. <c>graph.microBatchSize</c> → 4), when the
    /// scenario left levers to the search; null otherwise (the file is then exactly as before levers existed).
    /// </summary>
    public SortedDictionary<string, int>? Levers { get; init; }

    /// <summary>Fitness on the search sample, when known.</summary>
    public StoredFitness? Fitness { get; init; }

    /// <summary>
    /// The resolved scenario the mapping was searched on (the content of its run's <c>scenario.resolved.json</c>);
    /// <c>compass replay</c> replays against it unless told otherwise. Null in files of older versions.
    /// </summary>
    public System.Text.Json.Nodes.JsonObject? Scenario { get; init; }

    /// <summary>Largest mapping file read, in bytes.</summary>
    public const long MaxFileBytes = 64L << 20;

    /// <summary>
    /// The genome with exactly <paramref name="microBatchCount"/> rows: row b is the file's row b mod its row
    /// count (the replay semantics), so it can be evaluated on a space whose iterations have more or fewer
    /// micro-batches than the search sample had.
    /// </summary>
    public static Genome WithRows(Genome genome, int microBatchCount)
    {
        ArgumentNullException.ThrowIfNull(genome);
        if (genome.MicroBatchCount == microBatchCount) return genome;
        var widened = new Genome(microBatchCount, genome.GeneCount, genome.Levers.Length);
        genome.Boundaries.CopyTo(widened.Boundaries, 0);
        genome.Levers.CopyTo(widened.Levers, 0);
        for (var b = 0; b < microBatchCount; b++) genome.Row(b % genome.MicroBatchCount).CopyTo(widened.Row(b));
        return widened;
    }

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Builds the file content of <paramref name="genome"/> in <paramref name="space"/>.</summary>
    public static BestMappingFile From(MappingSpace space, Genome genome, string scenarioName, int seed, Fitness? fitness, System.Text.Json.Nodes.JsonObject? scenario = null)
    {
        ArgumentNullException.ThrowIfNull(space);
        ArgumentNullException.ThrowIfNull(genome);
        var rows = new int[genome.MicroBatchCount][];
        for (var b = 0; b < rows.Length; b++) rows[b] = genome.Row(b).ToArray();
        var names = new string[space.GeneCount];
        for (var g = 0; g < names.Length; g++) names[g] = space.Genes[g].Name;
        var segmentation = new int[genome.Boundaries.Length];
        for (var i = 0; i < segmentation.Length; i++) segmentation[i] = genome.Boundaries[i];
        SortedDictionary<string, int>? levers = null;
        if (space.LeverCount > 0)
        {
            levers = new SortedDictionary<string, int>(StringComparer.Ordinal);
            for (var i = 0; i < space.LeverCount; i++) levers[space.Levers[i].Name] = space.LeverValue(genome, i);
        }
        return new BestMappingFile
        {
            ScenarioName = scenarioName,
            Seed = seed,
            MicroBatchCount = genome.MicroBatchCount,
            GeneCount = genome.GeneCount,
            Segmentation = segmentation,
            Assignment = rows,
            GeneNames = names,
            Levers = levers,
            Fitness = fitness is { } f ? new StoredFitness(f.LatencyNs, f.EnergyPj, f.Objective, f.IsValid) : null,
            Scenario = scenario,
        };
    }

    /// <summary>Writes the file atomically (temporary file, then rename).</summary>
    public void Save(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full);
        if (!string.IsNullOrEmpty(directory)) Directory.CreateDirectory(directory);
        var temporary = Path.Combine(Path.GetDirectoryName(full) ?? ".", $".{Path.GetFileName(full)}.{Environment.ProcessId}.tmp");
        File.WriteAllText(temporary, JsonSerializer.Serialize(this, Json));
        File.Move(temporary, full, overwrite: true);
    }

    /// <summary>Reads a file; throws <see cref="CompassInputException"/> naming the file when it is malformed.</summary>
    public static BestMappingFile Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        BestMappingFile? file;
        try
        {
            if (Directory.Exists(path)) throw new CompassInputException(path, "is a folder, not a mapping file");
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var bounded = new MemoryStream();
            var chunk = new byte[1 << 16];
            int read;
            while ((read = stream.Read(chunk, 0, chunk.Length)) > 0)
            {
                bounded.Write(chunk, 0, read);
                if (bounded.Length > MaxFileBytes) throw new CompassInputException(path, $"is larger than the limit of {MaxFileBytes >> 20} MiB for a mapping file; is it the right file?");
            }
            bounded.Position = 0;
            file = JsonSerializer.Deserialize<BestMappingFile>(bounded, Json);
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            throw new CompassInputException(path, $"cannot read the mapping: {(e is FileNotFoundException or DirectoryNotFoundException ? "file not found" : e.Message)}", e);
        }
        if (file is null) throw new CompassInputException(path, "the mapping file is empty");
        file.CheckShape(path);
        return file;
    }

    /// <summary>The genome, checked against <paramref name="space"/>: gene count and names, chiplet ids. Any row count is accepted (rows are reused b mod rows).</summary>
    public Genome ToGenome(MappingSpace space, string source = "mapping")
    {
        ArgumentNullException.ThrowIfNull(space);
        CheckShape(source);
        if (GeneCount != space.GeneCount) throw new CompassInputException($"{source}.geneCount", $"the mapping has {GeneCount} genes, the scenario's space has {space.GeneCount}");
        for (var g = 0; g < GeneNames.Length; g++)
        {
            if (!string.Equals(GeneNames[g], space.Genes[g].Name, StringComparison.Ordinal))
                throw new CompassInputException($"{source}.geneNames[{g}]", $"is '{GeneNames[g]}', the scenario's gene is '{space.Genes[g].Name}'");
        }
        var genome = new Genome(MicroBatchCount, GeneCount, space.LeverCount);
        if (space.LeverCount == 0 && Levers is { Count: > 0 })
            throw new CompassInputException($"{source}.levers", $"the mapping chose {string.Join(", ", Levers.Select(l => $"{l.Key} = {l.Value}"))}, but the scenario fixes every lever; replay it with the scenario it was searched on");
        for (var i = 0; i < space.LeverCount; i++)
        {
            var lever = space.Levers[i];
            if (Levers is null || !Levers.TryGetValue(lever.Name, out var value))
                throw new CompassInputException($"{source}.levers", $"has no value for {lever.Name}, which the scenario leaves to the search");
            var index = -1;
            for (var k = 0; k < lever.Count; k++) if (lever.Candidates[k] == value) index = k;
            if (index < 0) throw new CompassInputException($"{source}.levers.{lever.Name}", $"is {value}, not one of the scenario's candidates {string.Join(", ", lever.Candidates)}");
            genome.Levers[i] = index;
        }
        if (Levers is not null)
        {
            foreach (var name in Levers.Keys)
                if (!space.Levers.Any(l => l.Name == name)) throw new CompassInputException($"{source}.levers.{name}", "is not a lever of the scenario");
        }
        for (var i = 0; i < Segmentation.Length; i++) genome.Boundaries[i] = (byte)Segmentation[i];
        for (var b = 0; b < MicroBatchCount; b++)
        {
            for (var g = 0; g < GeneCount; g++)
            {
                var c = Assignment[b][g];
                if ((uint)c >= (uint)space.ChipletCount)
                    throw new CompassInputException($"{source}.assignment[{b}][{g}]", $"chiplet {c} is outside 0..{space.ChipletCount - 1}");
                genome[b, g] = c;
            }
        }
        return genome;
    }

    private void CheckShape(string source)
    {
        if (Version != CurrentVersion) throw new CompassInputException($"{source}.version", $"must be {CurrentVersion}, got {Version}");
        if (Segmentation is null) throw new CompassInputException($"{source}.segmentation", "is required");
        if (Assignment is null) throw new CompassInputException($"{source}.assignment", "is required");
        if (GeneNames is null) throw new CompassInputException($"{source}.geneNames", "is required");
        if (GeneCount < 1) throw new CompassInputException($"{source}.geneCount", $"must be ≥ 1, got {GeneCount}");
        if (MicroBatchCount < 1) throw new CompassInputException($"{source}.microBatchCount", $"must be ≥ 1, got {MicroBatchCount}");
        if (Segmentation.Length != GeneCount - 1) throw new CompassInputException($"{source}.segmentation", $"must have {GeneCount - 1} bits, got {Segmentation.Length}");
        foreach (var bit in Segmentation)
            if (bit is not (0 or 1)) throw new CompassInputException($"{source}.segmentation", $"bits must be 0 or 1, got {bit}");
        if (Assignment.Length != MicroBatchCount) throw new CompassInputException($"{source}.assignment", $"must have {MicroBatchCount} rows, got {Assignment.Length}");
        for (var b = 0; b < Assignment.Length; b++)
        {
            if (Assignment[b] is null || Assignment[b].Length != GeneCount)
                throw new CompassInputException($"{source}.assignment[{b}]", $"must have {GeneCount} entries, got {Assignment[b]?.Length ?? 0}");
        }
        if (GeneNames.Length != GeneCount) throw new CompassInputException($"{source}.geneNames", $"must have {GeneCount} names, got {GeneNames.Length}");
    }
}
