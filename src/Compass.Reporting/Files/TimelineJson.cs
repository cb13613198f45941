using System.Text.Json;
using Compass.Abstractions.Mapping;
using Compass.Abstractions.Plugins;
using Compass.Reporting.Model;
using Compass.Results;

namespace Compass.Reporting.Files;

/// <summary>
/// <c>timeline.json</c>: the best mapping's task timeline of one iteration — the genes (index, name, layer, stage),
/// the phase of every micro-batch, and every <see cref="TaskRecord"/> with its fields in camelCase. Written compact
/// (one line); numbers round-trip exactly.
/// </summary>
public static class TimelineJson
{
    /// <summary>Format tag written as <c>"format"</c>.</summary>
    public const string FormatTag = "compass-timeline/1";

    /// <summary>Serialises a timeline.</summary>
    public static byte[] Serialize(ScheduleTimeline timeline)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteString("format", FormatTag);
            w.WriteNumber("iteration", timeline.Iteration);
            w.WriteStartArray("genes");
            foreach (var g in timeline.Genes)
            {
                w.WriteStartObject();
                w.WriteNumber("index", g.Index);
                w.WriteString("name", g.Name);
                w.WriteNumber("layer", g.Layer);
                w.WriteString("stage", g.Stage.ToString());
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartArray("microBatches");
            foreach (var phase in timeline.MicroBatchPhases) w.WriteStringValue(PhaseName(phase));
            w.WriteEndArray();
            w.WriteStartArray("tasks");
            foreach (var t in timeline.Tasks)
            {
                w.WriteStartObject();
                w.WriteNumber("iteration", t.Iteration);
                w.WriteNumber("microBatch", t.MicroBatch);
                w.WriteNumber("gene", t.Gene);
                w.WriteNumber("chiplet", t.Chiplet);
                w.Number("startNs", t.StartNs);
                w.Number("endNs", t.EndNs);
                w.Number("computeNs", t.ComputeNs);
                w.Number("nopNs", t.NopNs);
                w.Number("dramNs", t.DramNs);
                w.Number("energyPj", t.EnergyPj);
                w.Number("dramBytes", t.DramBytes);
                w.Number("nopBytes", t.NopBytes);
                w.WriteBoolean("weightsLoaded", t.WeightsLoaded);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartArray("resources");
            foreach (var r in timeline.ResourceIntervals)
            {
                w.WriteStartObject();
                w.WriteString("kind", r.Kind == ResourceKind.Link ? "link" : "dram");
                w.WriteNumber("index", r.Index);
                w.Number("startNs", r.StartNs);
                w.Number("endNs", r.EndNs);
                w.Number("bytes", r.Bytes);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        stream.WriteByte((byte)'\n');
        return stream.ToArray();
    }

    /// <summary>Writes the file atomically.</summary>
    public static void Write(string path, ScheduleTimeline timeline) => AtomicFile.WriteAllBytes(path, Serialize(timeline));

    /// <summary>Reads the file.</summary>
    public static ScheduleTimeline Read(string path)
    {
        const string file = "timeline.json";
        using var doc = JsonNumbers.Load(path);
        var root = doc.RootElement;
        var format = root.Str("format", file);
        if (format != FormatTag) throw new CompassInputException(file + ": format", "expected '" + FormatTag + "', got '" + format + "'");
        var genes = root.Array("genes", file).Select(g => new TimelineGene(g.Int("index", file), g.Str("name", file), g.Int("layer", file),
            JsonNumbers.ParseEnum<NodeStage>(g.Str("stage", file), file + ": genes.stage"))).ToArray();
        var phases = root.Array("microBatches", file).Select(p => JsonNumbers.ParseEnum<MicroBatchPhase>(p.GetString() ?? string.Empty, file + ": microBatches")).ToArray();
        var tasks = root.Array("tasks", file).Select(t => new TaskRecord(t.Int("iteration", file), t.Int("microBatch", file), t.Int("gene", file), t.Int("chiplet", file),
            t.Double("startNs", file), t.Double("endNs", file), t.Double("computeNs", file), t.Double("nopNs", file), t.Double("dramNs", file),
            t.Double("energyPj", file), t.Double("dramBytes", file), t.Double("nopBytes", file), t.Bool("weightsLoaded", file))).ToArray();
        var resources = root.TryProp("resources", out var list)
            ? list.EnumerateArray().Select(r => new ResourceInterval(r.Str("kind", file) == "link" ? ResourceKind.Link : ResourceKind.DramChannel, r.Int("index", file),
                r.Double("startNs", file), r.Double("endNs", file), r.Double("bytes", file))).ToArray()
            : [];
        return new ScheduleTimeline(root.Int("iteration", file), genes, phases, tasks) { ResourceIntervals = resources };
    }

    /// <summary>Lower-case name of a phase (<c>prefill</c>, <c>decode</c>, <c>mixed</c>).</summary>
    public static string PhaseName(MicroBatchPhase phase) => phase switch
    {
        MicroBatchPhase.Prefill => "prefill",
        MicroBatchPhase.Decode => "decode",
        _ => "mixed",
    };
}
