using System.Collections.Concurrent;
using System.Globalization;
using Compass.Abstractions.Costs;
using Compass.Abstractions.Hardware;
using Compass.Abstractions.Plugins;

namespace Compass.CostModels.Interconnect;

/// <summary>Routing of unicast flows on the mesh.</summary>
public enum MeshRouting
{
    /// <summary>Dimension order, X first (the published Gemini / Compass routing).</summary>
    Xy,

    /// <summary>Dimension order, Y first.</summary>
    Yx,

    /// <summary>Minimal adaptive: every flow split evenly between its XY and YX paths.</summary>
    Adaptive,
}

/// <summary>
/// The mesh network-on-package and its DRAM channels (docs/reference/formulas.md §9–§10). Directed link ids:
/// <list type="bullet">
/// <item>east (x,y)→(x+1,y): y·(W−1) + x, for 0 ≤ x &lt; W−1;</item>
/// <item>west (x+1,y)→(x,y): H·(W−1) + y·(W−1) + x;</item>
/// <item>south (x,y)→(x,y+1): 2·H·(W−1) + y·W + x, for 0 ≤ y &lt; H−1;</item>
/// <item>north (x,y+1)→(x,y): 2·H·(W−1) + W·(H−1) + y·W + x.</item>
/// </list>
/// Link energy is the package link's pJ/bit × 8 per byte per hop; DRAM energy is each channel's pJ/bit × 8 per byte.
/// A DRAM flow names its channel (the evaluator's placement policy chooses it) or −1 for the published interleaving
/// (1/n of the bytes per channel); inside a channel the bytes are split evenly over the channel's routers.
/// Patterns are computed lazily, once per (source, destination), and cached; every member is thread-safe.
/// </summary>
public sealed class MeshInterconnect : IPackageInterconnect
{
    private readonly int _width, _height;
    private readonly MeshRouting _routing;
    private readonly PackageDescription _package;
    private readonly TrafficPattern?[] _unicast;
    private readonly TrafficPattern?[] _dramRead;
    private readonly TrafficPattern?[] _dramWrite;
    private readonly ConcurrentDictionary<ulong, MulticastEntry> _multicast = new();

    /// <summary>Builds the model of <paramref name="package"/>; throws <see cref="CompassInputException"/> for an impossible package.</summary>
    public MeshInterconnect(PackageDescription package, MeshRouting routing = MeshRouting.Xy)
    {
        ArgumentNullException.ThrowIfNull(package);
        Validate(package);
        _package = package;
        _width = package.MeshWidth;
        _height = package.MeshHeight;
        _routing = routing;
        var n = _width * _height;
        _unicast = new TrafficPattern?[n * n];
        _dramRead = new TrafficPattern?[n * (package.DramChannels.Count + 1)];
        _dramWrite = new TrafficPattern?[n * (package.DramChannels.Count + 1)];
        LinkCount = 2 * _height * (_width - 1) + 2 * _width * (_height - 1);
    }

    /// <inheritdoc />
    public int LinkCount { get; }

    /// <inheritdoc />
    public int ChannelCount => _package.DramChannels.Count;

    /// <inheritdoc />
    public double HopEnergyPjPerByte => _package.Link.EnergyPjPerBit * 8;

    /// <inheritdoc />
    public double HopLatencyNs => _package.Link.HopLatencyNs;

    /// <summary>Routing used for unicast flows and DRAM flows.</summary>
    public MeshRouting Routing => _routing;

    /// <inheritdoc />
    public double LinkBandwidthGBps(int link) => _package.Link.BandwidthGBps;

    /// <inheritdoc />
    public double ChannelBandwidthGBps(int channel) => _package.DramChannels[channel].EffectiveBandwidthGBps;

    /// <inheritdoc />
    public double DramEnergyPjPerByte(int channel) => _package.DramChannels[channel].EnergyPjPerBit * 8;

    /// <summary>Id of the directed link from router (x, y) to its neighbour (x2, y2).</summary>
    public int LinkId(int x, int y, int x2, int y2)
    {
        var h = _height * (_width - 1);
        var v = _width * (_height - 1);
        if (y == y2 && x2 == x + 1) return y * (_width - 1) + x;
        if (y == y2 && x2 == x - 1) return h + y * (_width - 1) + x2;
        if (x == x2 && y2 == y + 1) return 2 * h + y * _width + x;
        if (x == x2 && y2 == y - 1) return 2 * h + v + y2 * _width + x;
        throw new ArgumentException($"({x},{y}) and ({x2},{y2}) are not neighbours");
    }

    /// <inheritdoc />
    public string DescribeLink(int link)
    {
        var (x, y, x2, y2) = Endpoints(link);
        return string.Create(CultureInfo.InvariantCulture, $"({x},{y})→({x2},{y2})");
    }

    /// <summary>Endpoints of a directed link.</summary>
    public (int X, int Y, int X2, int Y2) Endpoints(int link)
    {
        var h = _height * (_width - 1);
        var v = _width * (_height - 1);
        if (link < 0 || link >= LinkCount) throw new ArgumentOutOfRangeException(nameof(link));
        if (link < h) { var y = link / (_width - 1); var x = link % (_width - 1); return (x, y, x + 1, y); }
        if (link < 2 * h) { var r = link - h; var y = r / (_width - 1); var x = r % (_width - 1); return (x + 1, y, x, y); }
        if (link < 2 * h + v) { var r = link - 2 * h; var y = r / _width; var x = r % _width; return (x, y, x, y + 1); }
        { var r = link - 2 * h - v; var y = r / _width; var x = r % _width; return (x, y + 1, x, y); }
    }

    /// <inheritdoc />
    public TrafficPattern Unicast(int source, int destination)
    {
        var n = _width * _height;
        if ((uint)source >= (uint)n) throw new ArgumentOutOfRangeException(nameof(source));
        if ((uint)destination >= (uint)n) throw new ArgumentOutOfRangeException(nameof(destination));
        if (source == destination) return TrafficPattern.Local;
        var slot = source * n + destination;
        var p = Volatile.Read(ref _unicast[slot]);
        if (p is not null) return p;
        var loads = new SortedDictionary<int, double>();
        AddRoute(loads, source % _width, source / _width, destination % _width, destination / _width, 1.0);
        var built = Build(loads, [], [], Manhattan(source, destination));
        return Interlocked.CompareExchange(ref _unicast[slot], built, null) ?? built;
    }

    /// <inheritdoc />
    /// <remarks>
    /// Cached by a 64-bit hash of (source, destination set); a cached entry is used only after its destination set is
    /// compared, so a hash collision costs a rebuild, never a wrong pattern. A cache hit allocates nothing for meshes
    /// of up to 1,024 slots.
    /// </remarks>
    public TrafficPattern Multicast(int source, ReadOnlySpan<int> destinations)
    {
        var n = _width * _height;
        if ((uint)source >= (uint)n) throw new ArgumentOutOfRangeException(nameof(source));
        Span<bool> marks = n <= 1024 ? stackalloc bool[n] : new bool[n];
        var count = 0;
        foreach (var d in destinations)
        {
            if ((uint)d >= (uint)n) throw new ArgumentOutOfRangeException(nameof(destinations));
            if (d != source && !marks[d]) { marks[d] = true; count++; }
        }
        if (count == 0) return TrafficPattern.Local;
        var hash = 14695981039346656037UL;
        hash = (hash ^ (ulong)source) * 1099511628211UL;
        for (var i = 0; i < n; i++) if (marks[i]) hash = (hash ^ (ulong)(i + 1)) * 1099511628211UL;
        if (_multicast.TryGetValue(hash, out var entry) && entry.Source == source && entry.Matches(marks, count)) return entry.Pattern;
        var dests = new int[count];
        for (int i = 0, j = 0; i < n; i++) if (marks[i]) dests[j++] = i;
        var built = new MulticastEntry(source, dests, BuildMulticast(source, marks));
        var stored = _multicast.GetOrAdd(hash, built);
        return stored.Source == source && stored.Matches(marks, count) ? stored.Pattern : built.Pattern;
    }

    private sealed record MulticastEntry(int Source, int[] Destinations, TrafficPattern Pattern)
    {
        public bool Matches(ReadOnlySpan<bool> marks, int count)
        {
            if (Destinations.Length != count) return false;
            foreach (var d in Destinations) if (!marks[d]) return false;
            return true;
        }
    }

    /// <inheritdoc />
    public TrafficPattern DramRead(int chiplet, int channel) => Dram(chiplet, channel, read: true);

    /// <inheritdoc />
    public TrafficPattern DramWrite(int chiplet, int channel) => Dram(chiplet, channel, read: false);

    /// <inheritdoc />
    public int ChannelRouter(int channel)
    {
        var r = _package.DramChannels[channel].AttachedRouters[0];
        return r.Y * _width + r.X;
    }

    private TrafficPattern Dram(int chiplet, int channel, bool read)
    {
        var n = _width * _height;
        var channels = _package.DramChannels.Count;
        if ((uint)chiplet >= (uint)n) throw new ArgumentOutOfRangeException(nameof(chiplet));
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(channel, channels);
        var cache = read ? _dramRead : _dramWrite;
        var slot = chiplet * (channels + 1) + (channel < 0 ? channels : channel);
        var p = Volatile.Read(ref cache[slot]);
        if (p is not null) return p;
        var built = BuildDram(chiplet, channel, read);
        return Interlocked.CompareExchange(ref cache[slot], built, null) ?? built;
    }

    private TrafficPattern BuildDram(int chiplet, int channel, bool read)
    {
        var cx = chiplet % _width;
        var cy = chiplet / _width;
        var channels = _package.DramChannels;
        var loads = new SortedDictionary<int, double>();
        var maxHops = 0;
        int[] ids;
        double[] shares;
        if (channel >= 0)
        {
            ids = [channel];
            shares = [1.0];
        }
        else
        {
            ids = new int[channels.Count];
            shares = new double[channels.Count];
            for (var c = 0; c < channels.Count; c++) { ids[c] = c; shares[c] = 1.0 / channels.Count; }
        }
        for (var i = 0; i < ids.Length; i++)
        {
            var routers = channels[ids[i]].AttachedRouters;
            var perRouter = shares[i] / routers.Count;
            foreach (var r in routers)
            {
                if (read) AddRoute(loads, r.X, r.Y, cx, cy, perRouter);
                else AddRoute(loads, cx, cy, r.X, r.Y, perRouter);
                maxHops = Math.Max(maxHops, Math.Abs(r.X - cx) + Math.Abs(r.Y - cy));
            }
        }
        return Build(loads, ids, shares, maxHops);
    }

    private TrafficPattern BuildMulticast(int source, ReadOnlySpan<bool> marks)
    {
        var loads = new SortedDictionary<int, double>();
        var maxHops = 0;
        for (var i = 0; i < marks.Length; i++) if (marks[i]) maxHops = Math.Max(maxHops, Manhattan(source, i));
        switch (_routing)
        {
            case MeshRouting.Xy: AddTree(loads, source, marks, xFirst: true, 1.0); break;
            case MeshRouting.Yx: AddTree(loads, source, marks, xFirst: false, 1.0); break;
            default:
                AddTree(loads, source, marks, xFirst: true, 0.5);
                AddTree(loads, source, marks, xFirst: false, 0.5);
                break;
        }
        return Build(loads, [], [], maxHops);
    }

    /// <summary>
    /// XY tree (docs/reference/formulas.md §9): one X segment along the source row spanning every destination column, then per
    /// destination column one Y segment from the source row spanning that column's destinations; each link once.
    /// The YX tree is the transpose.
    /// </summary>
    private void AddTree(SortedDictionary<int, double> loads, int source, ReadOnlySpan<bool> marks, bool xFirst, double share)
    {
        var sx = source % _width;
        var sy = source / _width;
        var tree = new HashSet<int>();
        var outer = xFirst ? _width : _height; // lines crossed by the first segment
        var lo = int.MaxValue; var hi = int.MinValue;
        for (var i = 0; i < marks.Length; i++)
        {
            if (!marks[i]) continue;
            var c = xFirst ? i % _width : i / _width;
            lo = Math.Min(lo, c); hi = Math.Max(hi, c);
        }
        var s0 = xFirst ? sx : sy;
        for (var c = s0; c < hi; c++) tree.Add(xFirst ? LinkId(c, sy, c + 1, sy) : LinkId(sx, c, sx, c + 1));
        for (var c = s0; c > lo; c--) tree.Add(xFirst ? LinkId(c, sy, c - 1, sy) : LinkId(sx, c, sx, c - 1));
        for (var line = 0; line < outer; line++)
        {
            var dlo = int.MaxValue; var dhi = int.MinValue;
            for (var i = 0; i < marks.Length; i++)
            {
                if (!marks[i]) continue;
                var (ix, iy) = (i % _width, i / _width);
                if ((xFirst ? ix : iy) != line) continue;
                var along = xFirst ? iy : ix;
                dlo = Math.Min(dlo, along); dhi = Math.Max(dhi, along);
            }
            if (dlo == int.MaxValue) continue;
            var start = xFirst ? sy : sx;
            for (var a = start; a < dhi; a++) tree.Add(xFirst ? LinkId(line, a, line, a + 1) : LinkId(a, line, a + 1, line));
            for (var a = start; a > dlo; a--) tree.Add(xFirst ? LinkId(line, a, line, a - 1) : LinkId(a, line, a - 1, line));
        }
        foreach (var l in tree) loads[l] = loads.GetValueOrDefault(l) + share;
    }

    private void AddRoute(SortedDictionary<int, double> loads, int x0, int y0, int x1, int y1, double share)
    {
        switch (_routing)
        {
            case MeshRouting.Xy: AddPath(loads, x0, y0, x1, y1, xFirst: true, share); break;
            case MeshRouting.Yx: AddPath(loads, x0, y0, x1, y1, xFirst: false, share); break;
            default:
                if (x0 == x1 || y0 == y1) AddPath(loads, x0, y0, x1, y1, xFirst: true, share);
                else
                {
                    AddPath(loads, x0, y0, x1, y1, xFirst: true, share / 2);
                    AddPath(loads, x0, y0, x1, y1, xFirst: false, share / 2);
                }
                break;
        }
    }

    private void AddPath(SortedDictionary<int, double> loads, int x0, int y0, int x1, int y1, bool xFirst, double share)
    {
        int x = x0, y = y0;
        void StepX() { var nx = x + Math.Sign(x1 - x); Add(LinkId(x, y, nx, y)); x = nx; }
        void StepY() { var ny = y + Math.Sign(y1 - y); Add(LinkId(x, y, x, ny)); y = ny; }
        void Add(int l) => loads[l] = loads.GetValueOrDefault(l) + share;
        if (xFirst) { while (x != x1) StepX(); while (y != y1) StepY(); }
        else { while (y != y1) StepY(); while (x != x1) StepX(); }
    }

    private int Manhattan(int a, int b) => Math.Abs(a % _width - b % _width) + Math.Abs(a / _width - b / _width);

    private static TrafficPattern Build(SortedDictionary<int, double> loads, int[] channels, double[] channelShares, int maxHops)
    {
        var links = new int[loads.Count];
        var shares = new double[loads.Count];
        var i = 0;
        var hop = 0.0;
        foreach (var (l, s) in loads) { links[i] = l; shares[i] = s; hop += s; i++; }
        return new TrafficPattern(links, shares, channels, channelShares, hop, maxHops);
    }

    /// <summary>Checks the package; every message names the offending field.</summary>
    public static void Validate(PackageDescription package)
    {
        ArgumentNullException.ThrowIfNull(package);
        if (package.MeshWidth < 1) throw new CompassInputException("package.meshWidth", $"must be ≥ 1, got {package.MeshWidth}");
        if (package.MeshHeight < 1) throw new CompassInputException("package.meshHeight", $"must be ≥ 1, got {package.MeshHeight}");
        if (!(package.Link.BandwidthGBps > 0)) throw new CompassInputException("package.link.bandwidthGBps", $"must be > 0, got {package.Link.BandwidthGBps}");
        if (package.Link.EnergyPjPerBit < 0) throw new CompassInputException("package.link.energyPjPerBit", $"must be ≥ 0, got {package.Link.EnergyPjPerBit}");
        if (package.Link.HopLatencyNs < 0) throw new CompassInputException("package.link.hopLatencyNs", $"must be ≥ 0, got {package.Link.HopLatencyNs}");
        for (var i = 0; i < package.DramChannels.Count; i++)
        {
            var ch = package.DramChannels[i];
            if (!(ch.BandwidthGBps > 0)) throw new CompassInputException($"package.dramChannels[{i}].bandwidthGBps", $"must be > 0, got {ch.BandwidthGBps}");
            if (ch.EnergyPjPerBit < 0) throw new CompassInputException($"package.dramChannels[{i}].energyPjPerBit", $"must be ≥ 0, got {ch.EnergyPjPerBit}");
            if (!(ch.AchievableFraction > 0 && ch.AchievableFraction <= 1)) throw new CompassInputException($"package.dramChannels[{i}].achievableFraction", $"must be in (0, 1], got {ch.AchievableFraction}");
            if (ch.AttachedRouters.Count == 0) throw new CompassInputException($"package.dramChannels[{i}].attachedRouters", "must name at least one router");
            for (var j = 0; j < ch.AttachedRouters.Count; j++)
            {
                var r = ch.AttachedRouters[j];
                if (r.X < 0 || r.X >= package.MeshWidth || r.Y < 0 || r.Y >= package.MeshHeight)
                    throw new CompassInputException($"package.dramChannels[{i}].attachedRouters[{j}]",
                        $"router ({r.X},{r.Y}) is off the {package.MeshWidth}×{package.MeshHeight} mesh");
            }
        }
    }
}
