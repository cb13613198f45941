using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Compass.Scenarios.Binding;
using Compass.Abstractions.Plugins;
using Compass.Abstractions.Workload;
using Compass.Reporting.Files;

namespace Compass.Host.Output;

/// <summary>
/// <c>checkpoint.json</c>: what an exploration's checkpoint (<c>search-log.csv</c>) belongs to, and what it holds.
/// It records the SHA-256 of <c>scenario.resolved.json</c>, the seed, the precision, the evaluation budget, the
/// optimizer and the Compass version the run started with, and, each time the log is flushed, the number of rows
/// flushed with the SHA-256 of their bytes. <c>--resume</c> refuses a folder whose scenario, seed, precision or
/// version differ, a log with more rows than the budget, and a log whose rows do not hash to the recorded digest
/// (rows edited, or copied from another run). Rows written after the last recorded digest (at most one flush
/// interval, lost to a kill between the log flush and the header update) are re-evaluated instead.
/// </summary>
public sealed record CheckpointHeader
{
    /// <summary>File name inside the output folder.</summary>
    public const string FileName = "checkpoint.json";

    /// <summary>Format version this code writes.</summary>
    public const int CurrentFormat = 1;

    /// <summary>Largest size of a checkpoint header read back, in bytes.</summary>
    public const long MaxBytes = 64 * 1024;

    /// <summary>Format version.</summary>
    public int Format { get; init; } = CurrentFormat;

    /// <summary>Informational version of the Compass that started the run.</summary>
    public string CompassVersion { get; init; } = string.Empty;

    /// <summary>SHA-256 (lowercase hex) of the bytes of <c>scenario.resolved.json</c>.</summary>
    public string ScenarioSha256 { get; init; } = string.Empty;

    /// <summary>Search seed.</summary>
    public int Seed { get; init; }

    /// <summary>Weight bits.</summary>
    public int WeightBits { get; init; }

    /// <summary>Activation bits.</summary>
    public int ActivationBits { get; init; }

    /// <summary>KV-cache bits.</summary>
    public int KvCacheBits { get; init; }

    /// <summary>Evaluation budget.</summary>
    public int BudgetEvaluations { get; init; }

    /// <summary>Optimizer name.</summary>
    public string Optimizer { get; init; } = string.Empty;

    /// <summary>Rows of <c>search-log.csv</c> covered by <see cref="RowsSha256"/>.</summary>
    public int Rows { get; init; }

    /// <summary>SHA-256 (lowercase hex) of the bytes of the first <see cref="Rows"/> rows (header line excluded, newlines included).</summary>
    public string RowsSha256 { get; init; } = EmptyDigest;

    /// <summary>The digest of no rows.</summary>
    public static string EmptyDigest { get; } = Convert.ToHexStringLower(SHA256.HashData([]));

    /// <summary>The running Compass's informational version.</summary>
    public static string RunningVersion { get; } =
        typeof(CheckpointHeader).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, WriteIndented = true };

    /// <summary>The header of a new run.</summary>
    public static CheckpointHeader ForRun(string scenarioJson, int seed, PrecisionConfig precision, int budgetEvaluations, string optimizer)
    {
        ArgumentNullException.ThrowIfNull(scenarioJson);
        ArgumentNullException.ThrowIfNull(precision);
        return new CheckpointHeader
        {
            CompassVersion = RunningVersion,
            ScenarioSha256 = Sha256(scenarioJson),
            Seed = seed,
            WeightBits = precision.WeightBits,
            ActivationBits = precision.ActivationBits,
            KvCacheBits = precision.KvCacheBits,
            BudgetEvaluations = budgetEvaluations,
            Optimizer = optimizer,
        };
    }

    /// <summary>SHA-256 of the UTF-8 bytes of <paramref name="text"/>, lowercase hex.</summary>
    public static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    /// <summary>
    /// Writes the header to <paramref name="directory"/> by temporary file and rename. No flush to disk: it is
    /// rewritten at every log flush, and the log itself is only pushed to the operating system (both survive a
    /// killed process; after a power cut the digest check refuses what does not match).
    /// </summary>
    public void Save(string directory)
    {
        var path = Path.Combine(directory, FileName);
        var temp = Path.Combine(directory, string.Create(CultureInfo.InvariantCulture, $".{FileName}.{Environment.ProcessId}.tmp"));
        File.WriteAllText(temp, JsonSerializer.Serialize(this, Json) + "\n");
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Reads the header of <paramref name="directory"/>; a missing, oversized or malformed file is a <see cref="CompassInputException"/> naming <c>--resume</c>.</summary>
    public static CheckpointHeader Load(string directory)
    {
        var path = Path.Combine(directory, FileName);
        if (!File.Exists(path))
        {
            var why = File.Exists(Path.Combine(directory, "replay.json")) ? "it is the output of compass replay, which cannot be resumed"
                : "not the output folder of a compass explore run (or one written by an older Compass)";
            throw new CompassInputException("--resume", $"{directory} has no {FileName}: {why}");
        }
        var text = InputFiles.ReadText(path, MaxBytes, "--resume");
        try
        {
            var header = JsonSerializer.Deserialize<CheckpointHeader>(text, Json) ?? throw new JsonException("null");
            if (header.Format != CurrentFormat) throw new CompassInputException($"{FileName}.format", $"must be {CurrentFormat}, got {header.Format}");
            return header;
        }
        catch (JsonException e)
        {
            throw new CompassInputException(FileName, $"cannot read the checkpoint header: {e.Message}");
        }
    }

    /// <summary>
    /// Checks that this header (of the folder to resume) describes the run <paramref name="expected"/> describes:
    /// same scenario bytes, seed, precision, budget, optimizer and Compass version. The first difference is a
    /// <see cref="CompassInputException"/> naming it.
    /// </summary>
    public void CheckSameRun(CheckpointHeader expected)
    {
        ArgumentNullException.ThrowIfNull(expected);
        if (CompassVersion != expected.CompassVersion)
            Differ("compassVersion", $"the run was started by Compass {CompassVersion}, this is {expected.CompassVersion}; resume with the same build");
        if (ScenarioSha256 != expected.ScenarioSha256)
            Differ("scenarioSha256", $"{ReportFiles.ScenarioFile} was changed after the run started (SHA-256 {Short(expected.ScenarioSha256)}, recorded {Short(ScenarioSha256)})");
        if (Seed != expected.Seed) Differ("seed", $"the run used seed {Seed}, the scenario now gives {expected.Seed}");
        if ((WeightBits, ActivationBits, KvCacheBits) != (expected.WeightBits, expected.ActivationBits, expected.KvCacheBits))
            Differ("precision", $"the run used {WeightBits}/{ActivationBits}/{KvCacheBits} weight/activation/KV bits, the scenario now gives {expected.WeightBits}/{expected.ActivationBits}/{expected.KvCacheBits}");
        if (BudgetEvaluations != expected.BudgetEvaluations) Differ("budgetEvaluations", $"the run had a budget of {BudgetEvaluations} evaluations, the scenario now gives {expected.BudgetEvaluations}");
        if (!string.Equals(Optimizer, expected.Optimizer, StringComparison.Ordinal)) Differ("optimizer", $"the run used optimizer '{Optimizer}', the scenario now gives '{expected.Optimizer}'");
    }

    private static string Short(string digest) => digest.Length > 12 ? digest[..12] : digest;

    private static void Differ(string field, string reason) => throw new CompassInputException($"{FileName}.{field}", reason + "; cannot resume");
}
