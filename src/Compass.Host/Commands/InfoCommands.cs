using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Compass.Abstractions.Costs;
using Compass.Abstractions.Hardware;
using Compass.Abstractions.Plugins;
using Compass.Abstractions.Search;
using Compass.Abstractions.Workload;
using Compass.Host.Composition;
using Compass.Scenarios;
using Compass.Scenarios.Binding;
using Compass.Scenarios.Presets;
using Compass.Host.Plugins;
using Microsoft.Extensions.Configuration;

namespace Compass.Host.Commands;

/// <summary>The informational commands: <c>plugins</c>, <c>list</c>, <c>validate</c>, <c>cost</c>, <c>report</c>.</summary>
public static class InfoCommands
{
    private static readonly string[] Kinds = [.. ComponentKinds.All.Select(k => k.Kind)];

    /// <summary><c>compass plugins [--plugins DIR]...</c></summary>
    public static Command Plugins(TextWriter stdout, TextWriter stderr)
    {
        var plugins = CompassCli.PluginsOption();
        var command = new Command("plugins", "List the loaded plugins: name, version, package, load context, folder and contributions; and the plugins that failed to load. Subcommands manage plugin packages");
        command.Options.Add(plugins);
        command.SetAction(pr => CompassCli.Guard(stderr, () =>
        {
            using var runtime = CompassRuntime.Create(CompassCli.PluginDirectories(pr.GetValue(plugins)), EmptyConfiguration());
            foreach (var p in runtime.Catalog.Plugins)
            {
                stdout.WriteLine($"{p.Name} {p.Version}{PluginPackageCommands.PackageText(p)}  context: {p.LoadContextName}  folder: {p.Folder}");
                foreach (var group in p.Contributions.GroupBy(c => c.Kind))
                    stdout.WriteLine($"  {group.Key}: {string.Join(", ", group.Select(c => c.Name))}");
                var priv = p.PrivateAssemblies();
                if (priv.Count > 0)
                    stdout.WriteLine($"  private: {string.Join(", ", priv.Select(a => $"{a.Name} {a.FileVersion}"))}");
            }
            foreach (var e in runtime.Catalog.Errors) stdout.WriteLine($"FAILED {e.Name}: {e.Reason}");
            foreach (var clash in runtime.Clashes()) stdout.WriteLine("CLASH " + clash);
            stdout.WriteLine($"{runtime.Catalog.Plugins.Count} plugin(s) loaded, {runtime.Catalog.Errors.Count} failed");
            return 0;
        }));
        PluginPackageCommands.AddTo(command, stdout, stderr);
        return command;
    }

    /// <summary><c>compass list &lt;kind&gt;</c></summary>
    public static Command List(TextWriter stdout, TextWriter stderr)
    {
        var kind = new Argument<string>("kind") { Description = "One of: " + string.Join(", ", Kinds) };
        kind.AcceptOnlyFromAmong(Kinds);
        var plugins = CompassCli.PluginsOption();
        var json = new Option<bool>("--json") { Description = "Print a JSON array (name, plugin, description, source and headline numbers) instead of lines" };
        var command = new Command("list", "List the registered contributions of one kind, one line each, with the plugin that provides it and the published source");
        command.Arguments.Add(kind);
        command.Options.Add(json);
        command.Options.Add(plugins);
        command.SetAction(pr => CompassCli.Guard(stderr, () =>
        {
            using var runtime = CompassRuntime.Create(CompassCli.PluginDirectories(pr.GetValue(plugins)), EmptyConfiguration());
            if (pr.GetValue(json)) stdout.WriteLine(ListJson(runtime, pr.GetValue(kind)!));
            else foreach (var line in ListLines(runtime, pr.GetValue(kind)!)) stdout.WriteLine(line);
            return 0;
        }));
        return command;
    }

    /// <summary>The JSON array <c>compass list KIND --json</c> prints: one object per contribution with its plugin and source.</summary>
    public static string ListJson(CompassRuntime runtime, string kind)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        IEnumerable<object> items = kind switch
        {
            "chiplets" => runtime.ChipletTypes.OrderBy(t => t.Name, StringComparer.Ordinal).Select(t => (object)new
            {
                t.Name, Plugin = runtime.OwnerOf(t), t.Description, t.Source, t.PeakTops, GlobalBufferMiB = t.GlobalBufferBytes / 1048576.0, t.ClockGHz, Dataflow = t.Dataflow.ToString(),
            }),
            "packages" => runtime.Packages.OrderBy(p => p.Name, StringComparer.Ordinal).Select(p => (object)new
            {
                p.Name, Plugin = runtime.OwnerOf(p), p.Description, p.Source, p.MeshWidth, p.MeshHeight, LinkBandwidthGBps = p.Link.BandwidthGBps,
                DramBandwidthGBps = p.DramChannels.Sum(c => c.BandwidthGBps), DramChannels = p.DramChannels.Count,
            }),
            "models" => runtime.Models.OrderBy(m => m.Name, StringComparer.Ordinal).Select(m => (object)new
            {
                m.Name, Plugin = runtime.OwnerOf(m), m.DisplayName, m.Source, m.Layers, m.Hidden, m.Heads, m.KvHeads, m.FfnHidden, Experts = m.Moe?.Experts ?? 0,
            }),
            _ when Kinds.Contains(kind) => FactoryRows(runtime, kind),
            _ => throw new CompassInputException("kind", $"unknown kind '{kind}' (known: {string.Join(", ", Kinds)})"),
        };
        return JsonSerializer.Serialize(items.ToList(), ConfigJson.PrintOptions);
    }

    private static IEnumerable<object> FactoryRows(CompassRuntime runtime, string kind) => kind switch
    {
        "traces" => FactoryRows<ITraceSource>(runtime),
        "schedulers" => FactoryRows<IServingScheduler>(runtime),
        "compute" => FactoryRows<IComputeCostModel>(runtime),
        "network" => FactoryRows<IInterconnectModel>(runtime),
        "cost" => FactoryRows<IPackageCostModel>(runtime),
        _ => FactoryRows<IOptimizer>(runtime),
    };

    private static IEnumerable<object> FactoryRows<T>(CompassRuntime runtime) where T : class =>
        runtime.Factories<T>().OrderBy(f => f.Name, StringComparer.Ordinal).Select(f => (object)new { f.Name, Plugin = runtime.OwnerOf(f), f.Description });

    /// <summary>
    /// <c>compass show package|chiplet|model NAME</c>: a preset as JSON in the shape scenario files load
    /// (<c>"package": "my-package.json"</c>, <c>"model": "my-model.json"</c>, <c>"chipletTypes": "my-chiplets.json"</c>, the
    /// last an array, so a chiplet prints as an array of one).
    /// </summary>
    public static Command Show(TextWriter stdout, TextWriter stderr)
    {
        string[] kinds = ["package", "chiplet", "model"];
        var kind = new Argument<string>("kind") { Description = "package, chiplet or model" };
        kind.AcceptOnlyFromAmong(kinds);
        var name = new Argument<string>("name") { Description = "The preset's name (compass list packages|chiplets|models)" };
        var plugins = CompassCli.PluginsOption();
        var command = new Command("show", "Print a preset as JSON to save, edit and load back from a scenario (\"package\": \"my-package.json\", \"model\": \"my-model.json\", \"chipletTypes\": \"my-chiplets.json\")");
        command.Arguments.Add(kind);
        command.Arguments.Add(name);
        command.Options.Add(plugins);
        command.SetAction(pr => CompassCli.Guard(stderr, () =>
        {
            using var runtime = CompassRuntime.Create(CompassCli.PluginDirectories(pr.GetValue(plugins)), EmptyConfiguration());
            stdout.WriteLine(ShowJson(runtime, pr.GetValue(kind)!, pr.GetValue(name)!));
            return 0;
        }));
        return command;
    }

    /// <summary>The JSON <c>compass show</c> prints.</summary>
    public static string ShowJson(CompassRuntime runtime, string kind, string name)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        static T Find<T>(IEnumerable<T> all, Func<T, string> nameOf, string name, string what) =>
            all.LastOrDefault(x => string.Equals(nameOf(x), name, StringComparison.OrdinalIgnoreCase))
            ?? throw new CompassInputException("name", $"unknown {what} '{name}' (known: {HardwareResolver.KnownList(all.Select(nameOf))})");
        return kind switch
        {
            "package" => JsonSerializer.Serialize(Find(runtime.Packages, p => p.Name, name, "package"), ConfigJson.ScenarioWriteOptions),
            "chiplet" => JsonSerializer.Serialize(new[] { Find(runtime.ChipletTypes, t => t.Name, name, "chiplet type") }, ConfigJson.ScenarioWriteOptions),
            "model" => JsonSerializer.Serialize(Find(runtime.Models, m => m.Name, name, "model"), ConfigJson.ScenarioWriteOptions),
            _ => throw new CompassInputException("kind", $"must be package, chiplet or model, got '{kind}'"),
        };
    }

    /// <summary>The lines <c>compass list</c> prints for <paramref name="kind"/>.</summary>
    public static IEnumerable<string> ListLines(CompassRuntime runtime, string kind)
    {
        var c = CultureInfo.InvariantCulture;
        switch (kind)
        {
            case "chiplets":
                foreach (var t in runtime.ChipletTypes.OrderBy(t => t.Name, StringComparer.Ordinal))
                    yield return string.Create(c, $"{t.Name,-28} {t.PeakTops,8:F2} TOPS  {t.GlobalBufferBytes / 1048576.0,8:F2} MiB buffer  {t.PeArrayRows}x{t.PeArrayColumns}x{t.MacsPerPe} {t.Dataflow} @ {t.ClockGHz:G4} GHz  [{runtime.OwnerOf(t)}] {t.Description}");
                break;
            case "packages":
                var types = runtime.ChipletTypes;
                foreach (var p in runtime.Packages.OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    string headline;
                    try
                    {
                        var r = HardwareResolver.ResolvePackage(new PackageReference(p.Name, null), [], types, [p]);
                        var tops = 0.0;
                        var buffer = 0.0;
                        for (var i = 0; i < p.ChipletCount; i++) { tops += r.TypeOf(i).PeakTops; buffer += r.TypeOf(i).GlobalBufferBytes; }
                        headline = string.Create(c, $"{tops,9:F1} TOPS  {buffer / 1048576.0,8:F1} MiB buffer  link {p.Link.BandwidthGBps:G4} GB/s  DRAM {r.TotalDramBandwidthGBps:G5} GB/s ({p.DramChannels.Count} ch)");
                    }
                    catch (CompassInputException e)
                    {
                        headline = "(invalid: " + e.Message + ")";
                    }
                    yield return string.Create(c, $"{p.Name,-28} {p.MeshWidth}x{p.MeshHeight}  {headline}  [{runtime.OwnerOf(p)}] {p.Description}");
                }
                break;
            case "models":
                foreach (var m in runtime.Models.OrderBy(m => m.Name, StringComparer.Ordinal))
                    yield return string.Create(c, $"{m.Name,-28} {m.Layers} layers, d={m.Hidden}, {m.Heads} heads / {m.KvHeads} KV, FFN {m.FfnHidden}{(m.Moe is { } moe ? $", MoE {moe.Experts}x top-{moe.TopK}" : "")}  [{runtime.OwnerOf(m)}] {m.DisplayName}{(m.Source.Length > 0 ? "  source: " + m.Source : string.Empty)}");
                break;
            case "traces": foreach (var l in Factories<ITraceSource>(runtime)) yield return l; break;
            case "schedulers": foreach (var l in Factories<IServingScheduler>(runtime)) yield return l; break;
            case "compute": foreach (var l in Factories<IComputeCostModel>(runtime)) yield return l; break;
            case "network": foreach (var l in Factories<IInterconnectModel>(runtime)) yield return l; break;
            case "cost": foreach (var l in Factories<IPackageCostModel>(runtime)) yield return l; break;
            case "optimizers": foreach (var l in Factories<IOptimizer>(runtime)) yield return l; break;
            default: throw new CompassInputException("kind", $"unknown kind '{kind}' (known: {string.Join(", ", Kinds)})");
        }
    }

    private static IEnumerable<string> Factories<T>(CompassRuntime runtime) where T : class =>
        runtime.Factories<T>().OrderBy(f => f.Name, StringComparer.Ordinal).Select(f => $"{f.Name,-28} [{runtime.OwnerOf(f)}] {f.Description}");

    /// <summary><c>compass validate --scenario FILE</c></summary>
    public static Command Validate(TextWriter stdout, TextWriter stderr)
    {
        var scenario = CompassCli.ScenarioOption(required: true);
        var set = CompassCli.SetOption();
        var plugins = CompassCli.PluginsOption();
        var command = new Command("validate", "Validate a scenario (fields, names, hardware, model, component options) without running it");
        foreach (var o in new Option[] { scenario, set, plugins }) command.Options.Add(o);
        command.SetAction(pr => CompassCli.Guard(stderr, () =>
        {
            using var setup = ExplorationSetup.Build(new ScenarioArguments(pr.GetValue(scenario), pr.GetValue(set) ?? [], pr.GetValue(plugins) ?? []), [], warnings: stderr);
            ExploreCommand.ReportLoadErrors(setup, stderr);
            var s = setup.Scenario;
            // Every check explore runs before its search, the problem built once: "valid" means explore will start.
            var problem = Preflight.SearchProblem(setup, setup.Stop.Token).Problem!;
            // And what replay needs beyond it: the held-out window of the trace read with the replay seed.
            var replaySeed = unchecked(s.Seed + 1);
            setup.HeldOutIterations(replaySeed, s.Workload.ReplayIterations, setup.Stop.Token);
            stdout.WriteLine($"{s.Name}: valid ({problem.Space.MicroBatchCount} micro-batches × {problem.Space.GeneCount} genes, {setup.Package.Description.Name} {setup.Package.Description.MeshWidth}x{setup.Package.Description.MeshHeight}, model {setup.Model.Name}, optimizer {s.Optimizer.Name}, budget {s.Budget.MaxEvaluations}, seed {s.Seed})");
            return 0;
        }));
        return command;
    }

    /// <summary>Largest operator dimension <c>compass cost</c> accepts (products of three stay exact in a double's range).</summary>
    public const long MaxOperatorDimension = int.MaxValue;

    /// <summary>
    /// <c>compass cost --chiplet NAME|FILE.json --op gemm --m M --k K --n N [--precision bits] [--model NAME]
    /// [--package NAME|FILE.json | --dram-bandwidth GBps] [--json]</c>: one operator on one chiplet type. With a package
    /// (or an achievable DRAM bandwidth) the operands and the result stream from DRAM, and the compute time, memory time,
    /// launch overhead and their combination (launch + max(compute, memory)) are printed separately.
    /// </summary>
    public static Command Cost(TextWriter stdout, TextWriter stderr)
    {
        var chiplet = new Option<string>("--chiplet") { Description = "Chiplet type: a catalog name or a chiplet-type JSON file", Required = true };
        var op = new Option<string>("--op") { Description = "Operator: gemm, elementwise, pointwise, softmax, norm", DefaultValueFactory = _ => "gemm" };
        var m = new Option<long>("--m") { Description = "Rows (tokens)", Required = true };
        var k = new Option<long>("--k") { Description = "Reduction length (1 for non-GEMM ops)", DefaultValueFactory = _ => 1 };
        var n = new Option<long>("--n") { Description = "Output columns", Required = true };
        var precision = new Option<int>("--precision") { Description = "Operand bits (4, 8, 16, 32)", DefaultValueFactory = _ => 16 };
        var model = new Option<string>("--model") { Description = "Compute cost model name (dataflow, roofline, ...)", DefaultValueFactory = _ => "dataflow" };
        var package = new Option<string?>("--package") { Description = "Package preset name or package JSON file whose DRAM (achievable bandwidth) streams the operands" };
        var dram = new Option<double?>("--dram-bandwidth") { Description = "Achievable DRAM bandwidth in GB/s that streams the operands (instead of --package)" };
        var json = new Option<bool>("--json") { Description = "Print JSON instead of a table" };
        var plugins = CompassCli.PluginsOption();
        var command = new Command("cost", "Estimate one operator on one chiplet type with a compute cost model (and its DRAM traffic with --package)");
        foreach (var o in new Option[] { chiplet, op, m, k, n, precision, model, package, dram, json, plugins }) command.Options.Add(o);
        command.SetAction(pr => CompassCli.Guard(stderr, () =>
        {
            using var runtime = CompassRuntime.Create(CompassCli.PluginDirectories(pr.GetValue(plugins)), EmptyConfiguration());
            var name = pr.GetValue(chiplet)!;
            ChipletType type;
            if (ScenarioLoader.IsJsonFile(name)) type = ScenarioLoader.LoadFile<ChipletType>(name, null, "--chiplet");
            else
                type = runtime.ChipletTypes.LastOrDefault(t => string.Equals(t.Name, name, StringComparison.OrdinalIgnoreCase))
                    ?? throw new CompassInputException("--chiplet", $"unknown chiplet type '{name}' (known: {HardwareResolver.KnownList(runtime.ChipletTypes.Select(t => t.Name))}, or a chiplet-type .json file)");
            HardwareResolver.ValidateChiplet(type, ScenarioLoader.IsJsonFile(name) ? "--chiplet" : $"chiplet type '{type.Name}'");
            var kindText = pr.GetValue(op)!;
            if (!Enum.TryParse<OperatorKind>(kindText, ignoreCase: true, out var kind) || !Enum.IsDefined(kind))
                throw new CompassInputException("--op", $"must be one of {string.Join(", ", Enum.GetNames<OperatorKind>()).ToLowerInvariant()}, got '{kindText}'");
            var bits = pr.GetValue(precision);
            if (bits is not (4 or 8 or 16 or 32)) throw new CompassInputException("--precision", $"must be 4, 8, 16 or 32, got {bits}");
            long mv = pr.GetValue(m), kv = pr.GetValue(k), nv = pr.GetValue(n);
            if (mv < 1) throw new CompassInputException("--m", $"must be >= 1, got {mv}");
            if (kv < 1) throw new CompassInputException("--k", $"must be >= 1, got {kv}");
            if (nv < 1) throw new CompassInputException("--n", $"must be >= 1, got {nv}");
            var packageName = pr.GetValue(package);
            var dramOverride = pr.GetValue(dram);
            if (packageName is not null && dramOverride is not null) throw new CompassInputException("--dram-bandwidth", "give either --package or --dram-bandwidth, not both");
            string? memoryName = null;
            double dramGBps = 0;
            if (dramOverride is { } bw)
            {
                if (!double.IsFinite(bw) || !(bw > 0)) throw new CompassInputException("--dram-bandwidth", $"must be > 0 GB/s, got {bw.ToString(CultureInfo.InvariantCulture)}");
                dramGBps = bw;
                memoryName = "--dram-bandwidth";
            }
            else if (packageName is not null)
            {
                PackageDescription pkg;
                if (ScenarioLoader.IsJsonFile(packageName)) pkg = ScenarioLoader.LoadFile<PackageDescription>(packageName, null, "--package");
                else
                    pkg = runtime.Packages.LastOrDefault(p => string.Equals(p.Name, packageName, StringComparison.OrdinalIgnoreCase))
                        ?? throw new CompassInputException("--package", $"unknown package preset '{packageName}' (known: {HardwareResolver.KnownList(runtime.Packages.Select(p => p.Name))}, or a package .json file)");
                HardwareResolver.ValidatePackage(pkg, "--package");
                dramGBps = pkg.DramChannels.Sum(c => c.EffectiveBandwidthGBps);
                memoryName = pkg.Name;
            }
            foreach (var (name2, value) in new[] { ("--m", mv), ("--k", kv), ("--n", nv) })
            {
                if (value > MaxOperatorDimension) throw new CompassInputException(name2, $"must be <= {MaxOperatorDimension} (2^31 - 1), got {value}");
            }
            var choice = new ComponentChoice(pr.GetValue(model)!, EmptyConfiguration().GetSection("options"), "--model");
            var (factory, plugin) = runtime.Find<IComputeCostModel>(choice.Name, "--model");
            var (component, _) = runtime.Create<IComputeCostModel>(choice);
            using var stop = new CancellationTokenSource();
            var resilience = new PluginResilience(new ResilienceSettings(60_000, PluginFaultPolicy.Stop), new PluginFaultLog(), stop);
            var wrapped = new ResilientComputeCostModel(component, plugin, factory.Name, resilience);
            var shape = new OperatorShape(kind, mv, kind == OperatorKind.Gemm ? kv : 1, nv, 1, bits, bits, bits, StaticWeights: true);
            var cost = wrapped.Estimate(type, shape, CancellationToken.None);
            var timing = OperatorTiming.Isolated(cost, shape, dramGBps);
            var c = CultureInfo.InvariantCulture;
            if (pr.GetValue(json))
            {
                stdout.WriteLine(JsonSerializer.Serialize(new
                {
                    chiplet = type.Name, model = factory.Name, op = kind.ToString().ToLowerInvariant(), m = mv, k = shape.K, n = nv, precisionBits = bits,
                    macs = shape.Macs, cost.TimeNs, cost.MacEnergyPj, cost.BufferEnergyPj, cost.VectorEnergyPj, cost.EnergyPj, cost.Utilisation, cost.OffChipRefetchBytes, cost.Tiling,
                    memory = memoryName, achievableDramGBps = dramGBps, computeNs = timing.ComputeNs, dramBytes = timing.DramBytes, memoryNs = memoryName is null ? (double?)null : timing.MemoryNs,
                    kernelFixedNs = timing.KernelFixedNs, launchNs = timing.LaunchNs, totalNs = memoryName is null ? timing.LaunchNs + timing.KernelFixedNs + timing.ComputeNs : timing.TotalNs, bound = memoryName is null ? "compute" : timing.Bound,
                }, ConfigJson.PrintOptions));
            }
            else
            {
                stdout.WriteLine(string.Create(c, $"{kind.ToString().ToLowerInvariant()} M={mv} K={shape.K} N={nv} at {bits} bits on {type.Name} ({type.PeakTops:F2} TOPS) with {factory.Name} [{plugin}]"));
                stdout.WriteLine(string.Create(c, $"  compute time    {timing.ComputeNs,14:F1} ns"));
                if (memoryName is not null)
                    stdout.WriteLine(string.Create(c, $"  memory time     {timing.MemoryNs,14:F1} ns  ({timing.DramBytes:F0} B from DRAM of {memoryName} at {dramGBps:F1} GB/s achievable)"));
                else
                    stdout.WriteLine("  memory time               n/a  (give --package or --dram-bandwidth to stream the operands from DRAM)");
                stdout.WriteLine(string.Create(c, $"  kernel fixed    {timing.KernelFixedNs,14:F1} ns  (device-side start and drain)"));
                stdout.WriteLine(string.Create(c, $"  launch overhead {timing.LaunchNs,14:F1} ns  (host-side, isolated operator)"));
                var total = memoryName is null ? timing.LaunchNs + timing.KernelFixedNs + timing.ComputeNs : timing.TotalNs;
                stdout.WriteLine(string.Create(c, $"  time            {total,14:F1} ns  (launch + fixed + {(memoryName is null ? "compute" : "max(compute, memory)")}; {(memoryName is null ? "compute" : timing.Bound)}-bound)"));
                stdout.WriteLine(string.Create(c, $"  MAC energy      {cost.MacEnergyPj,14:F1} pJ"));
                stdout.WriteLine(string.Create(c, $"  buffer energy   {cost.BufferEnergyPj,14:F1} pJ"));
                stdout.WriteLine(string.Create(c, $"  vector energy   {cost.VectorEnergyPj,14:F1} pJ"));
                stdout.WriteLine(string.Create(c, $"  total energy    {cost.EnergyPj,14:F1} pJ  (on chip; DRAM energy is the package's)"));
                stdout.WriteLine(string.Create(c, $"  utilisation     {cost.Utilisation * 100,13:F1} %  (of the compute time)"));
                stdout.WriteLine(string.Create(c, $"  DRAM refetch    {cost.OffChipRefetchBytes,14:F0} B"));
                if (!string.IsNullOrEmpty(cost.Tiling)) stdout.WriteLine($"  tiling          {cost.Tiling}");
            }
            return 0;
        }));
        return command;
    }

    /// <summary><c>compass report OUTDIR</c></summary>
    public static Command Report(TextWriter stdout, TextWriter stderr)
    {
        var dir = new Argument<string>("outdir") { Description = "An output folder of explore, compare or replay" };
        var command = new Command("report", "Regenerate the report of an output folder from its files");
        command.Arguments.Add(dir);
        command.SetAction(pr => CompassCli.Guard(stderr, () =>
        {
            stdout.WriteLine(Compass.Reporting.Files.ReportFiles.RegenerateReport(pr.GetValue(dir)!));
            return 0;
        }));
        return command;
    }

    /// <summary>An empty configuration (commands that do not read a scenario).</summary>
    public static IConfiguration EmptyConfiguration() => new ConfigurationBuilder().Build();
}
