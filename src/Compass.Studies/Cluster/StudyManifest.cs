using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Compass.Abstractions.Plugins;
using Compass.Reporting.Files;
using Compass.Studies.Definition;
using Compass.Studies.Points;

namespace Compass.Studies.Cluster;

/// <summary>
/// The frozen point list of a study handed to a cluster (<c>study-points.json</c> in the study folder): the study file's
/// text, every point's scenario (resolved, compact JSON, exactly what the local backend would run), and the number of
/// shards the points are dealt into. Workers read only this file: they neither expand the study again nor need the
/// study file, so every worker runs the very scenarios the submitting machine checked.
/// </summary>
public sealed class StudyManifest
{
    /// <summary>Format tag of the file.</summary>
    public const string FormatTag = "compass-study-points/1";

    /// <summary>The file's name inside the study folder.</summary>
    public const string FileName = "study-points.json";

    /// <summary>Creates a manifest.</summary>
    /// <param name="kind"><c>sweep</c> (or <c>codesign</c> for a batch of a co-exploration).</param>
    /// <param name="study">The study.</param>
    /// <param name="points">The points, in index order.</param>
    /// <param name="shards">Number of shards (array tasks); point at position p belongs to shard p mod <paramref name="shards"/>.</param>
    public StudyManifest(string kind, StudyDefinition study, IReadOnlyList<StudyPoint> points, int shards)
    {
        ArgumentNullException.ThrowIfNull(study);
        ArgumentNullException.ThrowIfNull(points);
        if (points.Count == 0) throw new CompassInputException("axes", "the study has no points");
        if (shards < 1) throw new CompassInputException("--tasks", $"must be >= 1, got {shards}");
        Kind = kind;
        Study = study;
        Points = points;
        Shards = Math.Min(shards, points.Count);
    }

    /// <summary><c>sweep</c> or <c>codesign</c>.</summary>
    public string Kind { get; }

    /// <summary>The study (parsed from the stored study text).</summary>
    public StudyDefinition Study { get; }

    /// <summary>The points, in index order.</summary>
    public IReadOnlyList<StudyPoint> Points { get; }

    /// <summary>Number of shards (array tasks 0 … Shards − 1).</summary>
    public int Shards { get; }

    /// <summary>The shard that runs the point at <paramref name="position"/> in <see cref="Points"/> (round robin, so every shard gets a mix of the grid).</summary>
    public int ShardOf(int position) => position % Shards;

    /// <summary>The points of one shard, in index order.</summary>
    public IReadOnlyList<StudyPoint> ShardPoints(int shard)
    {
        if (shard < 0 || shard >= Shards) throw new CompassInputException("--shard", $"must be between 0 and {Shards - 1} (the study has {Shards} shards), got {shard}");
        return [.. Points.Where((_, i) => ShardOf(i) == shard)];
    }

    /// <summary>
    /// True when <paramref name="other"/> deals the same points (by id, in the same order) into the same shards, so an
    /// array task submitted for one runs exactly the points the other gives it.
    /// </summary>
    public bool DealsLike(StudyManifest other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Shards == other.Shards && string.Equals(Kind, other.Kind, StringComparison.Ordinal)
            && Points.Select(p => p.Id).SequenceEqual(other.Points.Select(p => p.Id), StringComparer.Ordinal);
    }

    /// <summary>Path of the manifest in a study folder.</summary>
    public static string PathIn(string studyDirectory) => Path.Combine(studyDirectory, FileName);

    /// <summary>Writes the manifest into the study folder (atomic rename).</summary>
    public void Save(string studyDirectory)
    {
        var points = new JsonArray();
        foreach (var p in Points)
        {
            var values = new JsonObject();
            foreach (var v in p.Values) values[v.Axis] = v.Value.DeepClone();
            points.Add(new JsonObject
            {
                ["index"] = p.Index,
                ["id"] = p.Id,
                ["seed"] = p.Seed,
                ["values"] = values,
                ["scenario"] = p.ScenarioJson,
            });
        }
        var root = new JsonObject
        {
            ["format"] = FormatTag,
            ["kind"] = Kind,
            ["study"] = Study.Name,
            ["studyFile"] = Study.SourcePath,
            ["studyText"] = Study.SourceText,
            ["shards"] = Shards,
            ["points"] = points,
        };
        Directory.CreateDirectory(studyDirectory);
        AtomicFile.WriteAllText(PathIn(studyDirectory), root.ToJsonString() + "\n");
    }

    /// <summary>Reads the manifest of a study folder; a missing or damaged file is a one-line input error.</summary>
    public static StudyManifest Load(string studyDirectory)
    {
        var path = PathIn(studyDirectory);
        if (!File.Exists(path)) throw new CompassInputException("study", $"{studyDirectory} holds no {FileName}: submit the study with --backend slurm first");
        JsonObject root;
        try
        {
            root = JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new CompassInputException(FileName, "is not a JSON object");
        }
        catch (JsonException e)
        {
            throw new CompassInputException(FileName, $"malformed JSON at line {(e.LineNumber ?? 0) + 1}: {path}");
        }
        if (Text(root, "format") != FormatTag) throw new CompassInputException($"{FileName}: format", $"must be '{FormatTag}', got '{Text(root, "format")}'");
        var sourcePath = root["studyFile"] is JsonValue sp && sp.TryGetValue<string>(out var s) ? s : null;
        var study = StudyFile.Parse(Text(root, "studyText"), sourcePath is null ? FileName : Path.GetFileName(sourcePath), sourcePath is null ? studyDirectory : Path.GetDirectoryName(sourcePath)!)
            with { SourcePath = sourcePath };
        var points = new List<StudyPoint>();
        foreach (var node in root["points"] as JsonArray ?? throw new CompassInputException($"{FileName}: points", "missing"))
        {
            if (node is not JsonObject p) throw new CompassInputException($"{FileName}: points[{points.Count}]", "must be an object");
            var scenario = Text(p, "scenario");
            var id = Text(p, "id");
            if (StudyPoint.IdOf(scenario) != id) throw new CompassInputException($"{FileName}: points[{points.Count}].id", "does not match the point's scenario (the file was edited or damaged)");
            var values = (p["values"] as JsonObject ?? []).Select(kv => new AxisAssignment(kv.Key, kv.Value!.DeepClone())).ToList();
            points.Add(new StudyPoint(Int(p, "index"), id, Int(p, "seed"), values, scenario));
        }
        return new StudyManifest(Text(root, "kind"), study, points, Int(root, "shards"));
    }

    private static string Text(JsonObject o, string key) =>
        o[key] is JsonValue v && v.TryGetValue<string>(out var s) ? s : throw new CompassInputException($"{FileName}: {key}", "missing or not a string");

    private static int Int(JsonObject o, string key) =>
        o[key] is JsonValue v && v.TryGetValue<int>(out var i) ? i : throw new CompassInputException($"{FileName}: {key}", "missing or not an integer");

    /// <summary>A comma list of array indices with ranges folded: <c>0-3,7,9-10</c>.</summary>
    public static string ArraySpec(IEnumerable<int> indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        var sorted = indices.Distinct().Order().ToList();
        var parts = new List<string>();
        for (var i = 0; i < sorted.Count;)
        {
            var j = i;
            while (j + 1 < sorted.Count && sorted[j + 1] == sorted[j] + 1) j++;
            parts.Add(j == i ? sorted[i].ToString(CultureInfo.InvariantCulture) : string.Create(CultureInfo.InvariantCulture, $"{sorted[i]}-{sorted[j]}"));
            i = j + 1;
        }
        return string.Join(',', parts);
    }
}
