using Compass.Abstractions.Costs;
using Compass.Abstractions.Mapping;

namespace Compass.Engine.Graph;

/// <summary>
/// Collects what <see cref="CegBuilder"/> emits for one micro-batch: per gene its operator shapes, output bytes,
/// mandatory DRAM reads and writes, and the bytes of every incoming edge. The first micro-batch also records the
/// structure (names, layers, stages, predecessor lists, weights); later ones are checked against it.
/// </summary>
internal sealed class GraphRecorder
{
    private bool _recording = true;
    private int _gene = -1;
    private int _edge;

    // Structure (recorded once).
    public List<string> Names { get; } = [];
    public List<int> Layers { get; } = [];
    public List<NodeStage> Stages { get; } = [];
    public List<int> Shards { get; } = [];
    public List<long> WeightBytes { get; } = [];
    public List<int> PredStart { get; } = [0];
    public List<int> PredGene { get; } = [];

    /// <summary>Per gene, the all-reduce group it belongs to (the row-parallel shards of one GEMM), or −1.</summary>
    public List<int> Group { get; } = [];
    private int _groups;
    private int _openGroup = -1;

    // Data of the current micro-batch (reset by BeginMicroBatch).
    public List<double> EdgeBytes { get; } = [];
    public List<double> OutputBytes { get; } = [];
    public List<double> MustWriteBytes { get; } = [];
    public List<double> ExtraReadBytes { get; } = [];

    /// <summary>The part of <see cref="ExtraReadBytes"/> that is the graph input (the same tensor for every consumer of a micro-batch).</summary>
    public List<double> GraphInputBytes { get; } = [];

    /// <summary>Per gene, the bytes each participant of its all-reduce holds (the full partial sum), or 0.</summary>
    public List<double> AllReduceBytes { get; } = [];
    public List<bool> Active { get; } = [];
    public List<int> ShapeStart { get; } = [0];
    public List<OperatorShape> Shapes { get; } = [];

    /// <summary>Starts the next micro-batch; after the first one the structure is frozen.</summary>
    public void BeginMicroBatch()
    {
        if (_gene >= 0) _recording = false;
        _gene = -1;
        _edge = 0;
        EdgeBytes.Clear();
        OutputBytes.Clear();
        MustWriteBytes.Clear();
        ExtraReadBytes.Clear();
        GraphInputBytes.Clear();
        AllReduceBytes.Clear();
        _openGroup = -1;
        _groups = 0;
        Active.Clear();
        ShapeStart.Clear();
        ShapeStart.Add(0);
        Shapes.Clear();
    }

    /// <summary>Opens the next gene; returns its index.</summary>
    public int Gene(int layer, NodeStage stage, int shard, bool sharded, string label, long weightBytes)
    {
        CloseGene();
        _gene++;
        if (_recording)
        {
            Names.Add(sharded ? $"L{layer}.{label}.{shard}" : $"L{layer}.{label}");
            Layers.Add(layer);
            Stages.Add(stage);
            Shards.Add(shard);
            WeightBytes.Add(weightBytes);
            Group.Add(-1);
        }
        else if (_gene >= Names.Count || Stages[_gene] != stage || Shards[_gene] != shard || Layers[_gene] != layer)
        {
            throw new InvalidOperationException($"graph structure differs between micro-batches at gene {_gene}");
        }
        OutputBytes.Add(0);
        MustWriteBytes.Add(0);
        ExtraReadBytes.Add(0);
        GraphInputBytes.Add(0);
        AllReduceBytes.Add(0);
        Active.Add(true);
        return _gene;
    }

    /// <summary>Adds an edge from <paramref name="producer"/> carrying <paramref name="bytes"/>; a negative producer is the graph input, read from DRAM.</summary>
    public void Input(int producer, double bytes)
    {
        if (producer < 0)
        {
            ExtraReadBytes[_gene] += bytes;
            GraphInputBytes[_gene] += bytes;
            return;
        }
        if (_recording)
        {
            PredGene.Add(producer);
        }
        else if (_edge >= PredGene.Count || PredGene[_edge] != producer)
        {
            throw new InvalidOperationException($"graph edges differ between micro-batches at gene {_gene}");
        }
        EdgeBytes.Add(bytes);
        _edge++;
    }

    /// <summary>Adds a mandatory DRAM read (KV history) to the current gene.</summary>
    public void Read(double bytes) => ExtraReadBytes[_gene] += bytes;

    /// <summary>Adds an operator to the current gene's cost.</summary>
    public void Shape(OperatorShape shape) => Shapes.Add(shape);

    /// <summary>Sets the current gene's output size and the part that is always written to DRAM.</summary>
    public void Output(double bytes, double mustWriteBytes)
    {
        OutputBytes[_gene] = bytes;
        MustWriteBytes[_gene] = mustWriteBytes;
    }

    /// <summary>Starts a new all-reduce group: the genes marked by <see cref="AllReduce"/> until the next call belong to it.</summary>
    public void BeginAllReduce()
    {
        _openGroup = _groups++;
    }

    /// <summary>
    /// Makes the current gene a participant of the open all-reduce group: its output is a partial sum of
    /// <paramref name="bytes"/> that the group's chiplets all-reduce before any consumer may read it (Megatron row-parallel).
    /// </summary>
    public void AllReduce(double bytes)
    {
        if (_openGroup < 0) throw new InvalidOperationException("AllReduce outside BeginAllReduce");
        AllReduceBytes[_gene] = bytes;
        if (_recording) Group[_gene] = _openGroup;
        else if (Group[_gene] != _openGroup) throw new InvalidOperationException($"all-reduce groups differ between micro-batches at gene {_gene}");
    }

    /// <summary>Marks the current gene inactive in this micro-batch (an expert no token is routed to).</summary>
    public void Inactive() => Active[_gene] = false;

    /// <summary>Closes the last gene; call once after the micro-batch is emitted.</summary>
    public void EndMicroBatch()
    {
        CloseGene();
        if (!_recording && (_gene + 1 != Names.Count || _edge != PredGene.Count)) throw new InvalidOperationException("graph structure differs between micro-batches");
    }

    private void CloseGene()
    {
        if (_gene < 0) return;
        if (ShapeStart.Count == _gene + 1) ShapeStart.Add(Shapes.Count);
        if (_recording && PredStart.Count == _gene + 1) PredStart.Add(PredGene.Count);
    }
}
