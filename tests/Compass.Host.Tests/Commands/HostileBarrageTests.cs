using System.Text;
using System.Text.Json.Nodes;

namespace Compass.Host.Tests;

/// <summary>
/// Hostile inputs nobody listed, through the real executable (<c>dotnet compass.dll</c>): malformed scenarios, traces,
/// chiplet and package files, mapping and study files, and command-line values — huge numbers, NaN and Infinity
/// strings, empty files, binary junk, deep nesting, wrong types, missing files and folders. Each must end with exit 2
/// and exactly one line, <c>error: </c> followed by the field, file or file:line it names.
/// </summary>
public sealed class HostileBarrageTests
{
    /// <summary>One case: a name, the arguments built in a fresh folder, and the start of the expected error line after <c>error: </c> (<c>{dir}</c> = the folder).</summary>
    public sealed record Case(string Name, Func<string, string[]> Args, string Expected)
    {
        /// <inheritdoc />
        public override string ToString() => Name;
    }

    private static readonly byte[] Junk = BinaryJunk();

    private static byte[] BinaryJunk()
    {
        // Fixed bytes (no randomness): every byte value, twice, then a NUL-heavy tail.
        var bytes = new byte[4096];
        for (var i = 0; i < 512; i++) bytes[i] = (byte)(i * 37 + 11);
        return bytes;
    }

    private static JsonObject Default() => JsonNode.Parse(File.ReadAllText(Cli.DefaultScenarioPath))!.AsObject();

    private static string Scenario(string dir, params string[] edits)
    {
        var path = Path.Combine(dir, "scenario.json");
        File.WriteAllText(path, Cli.Mutate(Default(), edits).ToJsonString());
        return path;
    }

    private static string File_(string dir, string name, string text)
    {
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static string Bytes(string dir, string name, byte[] bytes)
    {
        var path = Path.Combine(dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static string[] Validate(string scenario) => ["validate", "--scenario", scenario];

    private static string[] ValidateWithTrace(string dir, string traceName, string file, string content) =>
        Validate(Scenario(dir,
            "workload.trace=" + new JsonObject { ["name"] = traceName, ["options"] = new JsonObject { ["path"] = File_(dir, file, content) } }.ToJsonString(),
            "workload.warmupIterations=0"));

    private static string Chiplet(string clock, string capacity = "1048576") =>
        "{ \"name\": \"my-array\", \"dataflow\": \"OutputStationary\", \"peArrayRows\": 16, \"peArrayColumns\": 16, \"macsPerPe\": 1, \"clockGHz\": " + clock
        + ", \"precisions\": [ { \"bits\": 8, \"macsPerCycle\": 256, \"energyPerMacPj\": 0.1 } ], \"buffers\": [ { \"name\": \"global\", \"capacityBytes\": " + capacity
        + ", \"instances\": 1, \"bandwidthBytesPerCycle\": 1024, \"readEnergyPjPerByte\": 1, \"writeEnergyPjPerByte\": 1, \"holds\": \"all\" } ] }";

    private static readonly string[] Gemm = ["--m", "64", "--k", "64", "--n", "64"];

    public static TheoryData<Case> Cases() =>
    [
        // Scenario files: empty, blank, binary, not an object, deep, wrong types, NaN / huge numbers.
        new("empty scenario file", d => Validate(File_(d, "s.json", "")), "s.json: malformed JSON at line 1"),
        new("blank scenario file", d => Validate(File_(d, "s.json", "  \n\t ")), "s.json: malformed JSON at line 2"),
        new("binary scenario file", d => Validate(Bytes(d, "s.json", Junk)), "--scenario: {dir}/s.json is not UTF-8 text"),
        new("UTF-16 scenario file", d => Validate(Bytes(d, "s.json", Encoding.Unicode.GetBytes("{ \"seed\": 1 }"))), "s.json: malformed JSON at line 1"),
        new("scenario is an array", d => Validate(File_(d, "s.json", "[1, 2]")), "s.json: must be a JSON object, got array"),
        new("scenario is null", d => Validate(File_(d, "s.json", "null")), "s.json: must not be null"),
        new("scenario nested 100,000 deep", d => Validate(File_(d, "s.json", string.Concat(Enumerable.Repeat("{\"a\":", 100_000)) + "1" + new string('}', 100_000))), "a.a.a."),
        new("trailing garbage", d => Validate(File_(d, "s.json", Default().ToJsonString() + " junk")), "s.json: malformed JSON at line 1"),
        new("scenario is a folder", d => Validate(d), "--scenario: {dir} is a folder, not a file"),
        new("scenario is /dev/zero", _ => Validate("/dev/zero"), "--scenario: /dev/zero is larger than the limit"),
        new("scenario missing", d => Validate(Path.Combine(d, "none.json")), "--scenario: file not found: {dir}/none.json"),
        new("seed as a word", d => Validate(Scenario(d, "seed=\"forty-two\"")), "seed: must be a whole number, got 'forty-two'"),
        new("seed 1e400", d => Validate(File_(d, "s.json", Default().ToJsonString().Replace("\"seed\":42", "\"seed\":1e400", StringComparison.Ordinal))), "seed: must be a whole number, got 1e400"),
        new("evaluations NaN", d => Validate(Scenario(d, "budget.evaluations=\"NaN\"")), "budget.evaluations: must be a whole number, got 'NaN'"),
        new("wall seconds Infinity", d => Validate(Scenario(d, "budget.wallSeconds=\"Infinity\"")), "budget.wallSeconds: must be a number, got 'Infinity'"),
        new("layers 2^40", d => Validate(Scenario(d, "graph.layers=1099511627776")), "graph.layers: must be in [0, 100000], got 1099511627776"),
        new("weight bits 7", d => Validate(Scenario(d, "precision.weightBits=7")), "precision.weightBits: must be 4, 8, 16 or 32 bits, got 7"),
        new("mesh 100,000 wide", d => Validate(Scenario(d, "hardware.package.meshWidth=100000")), "hardware.package.meshWidth: must be <= 64 chiplets, got 100000"),
        new("link bandwidth NaN", d => Validate(Scenario(d, "hardware.package.link.bandwidthGBps=\"NaN\"")), "hardware.package.link.bandwidthGBps: must be a number, got 'NaN'"),
        new("link bandwidth 1e-300", d => Validate(Scenario(d, "hardware.package.link.bandwidthGBps=1e-300")), "hardware.package.link.bandwidthGBps: the first heuristic mapping"),
        new("unknown slot type", d => Validate(Scenario(d, "hardware.package.slots[0]=\"nope\"")), "hardware.package.slots[0]: unknown chiplet type 'nope'"),
        new("chiplet clock NaN", d => Validate(Scenario(d, "hardware.chipletTypes=[" + Chiplet("\"NaN\"") + "]")), "hardware.chipletTypes[0].clockGHz: must be a number, got 'NaN'"),
        new("objective exponent NaN", d => Validate(Scenario(d, "objective.energyExponent=\"NaN\"")), "objective.energyExponent: must be a number, got 'NaN'"),
        new("objective kind unknown", d => Validate(Scenario(d, "objective.kind=\"speed\"")), "objective.kind: must be one of"),
        new("optimizer null", d => Validate(Scenario(d, "optimizer=null")), "optimizer: must not be null (line 1 of scenario.json)"),
        new("plugins a string", d => Validate(Scenario(d, "plugins=\"yes\"")), "plugins: has the wrong type (expected an object)"),
        new("model file missing", d => Validate(Scenario(d, $"model=\"{d}/none.json\"")), "model: file not found"),
        new("duplicate key", d => Validate(File_(d, "s.json", "{ \"seed\": 1,\n  \"seed\": 2 }")), "seed: is given twice, at lines 1 and 2 of s.json"),
        new("evaluations an object", d => Validate(Scenario(d, "budget.evaluations={\"x\": 1}")), "budget.evaluations: must be a whole number, got an object"),
        new("chiplet type a string", d => Validate(Scenario(d, "hardware.chipletTypes=[\"/none/chip.json\"]")), "hardware.chipletTypes[0]: has the wrong type (expected an object)"),
        new("buffer capacity 1e30", d => Validate(Scenario(d, "hardware.chipletTypes=[" + Chiplet("1", "1e30") + "]")), "hardware.chipletTypes[0].buffers[0].capacityBytes: must be a whole number"),
        new("unknown top-level field", d => Validate(Scenario(d, "frobnicate=1")), "frobnicate: is not a known scenario field"),

        // Traces: binary junk, huge and NaN numbers, deep JSON, empty, a folder, a 5 MB field.
        new("trace of binary junk", d => Validate(Scenario(d, "workload.trace=" + new JsonObject { ["name"] = "azure-csv", ["options"] = new JsonObject { ["path"] = Bytes(d, "t.csv", Junk) } }.ToJsonString())), "{dir}/t.csv:1: header has no column TIMESTAMP (the first line is not"),
        new("trace token count 1e23", d => ValidateWithTrace(d, "azure-csv", "t.csv", "TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:00:00.0000000,99999999999999999999999,3\n"), "{dir}/t.csv:2: ContextTokens must be a whole number of tokens, got '99999999999999999999999'"),
        new("trace timestamp NaN", d => ValidateWithTrace(d, "azure-csv", "t.csv", "TIMESTAMP,ContextTokens,GeneratedTokens\nNaN,10,3\n"), "{dir}/t.csv:2: TIMESTAMP must be a date-time"),
        new("vidur trace arrival Infinity", d => ValidateWithTrace(d, "vidur-csv", "t.csv", "arrived_at,num_prefill_tokens,num_decode_tokens\nInfinity,10,3\n"), "{dir}/t.csv:2: arrived_at must be a finite number, got 'Infinity'"),
        new("trace field of 5 MB", d => ValidateWithTrace(d, "azure-csv", "t.csv", "TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:00:00.0000000,10," + new string('3', 5_000_000) + "\n"), "{dir}/t.csv:2: GeneratedTokens must be a whole number of tokens"),
        new("JSONL trace nested 10,000 deep", d => ValidateWithTrace(d, "jsonl", "t.jsonl", string.Concat(Enumerable.Repeat("{\"a\":", 10_000)) + "1" + new string('}', 10_000) + "\n"), "{dir}/t.jsonl:1: not valid JSON"),
        new("trace is /dev/null", d => Validate(Scenario(d, "workload.trace=" + new JsonObject { ["name"] = "azure-csv", ["options"] = new JsonObject { ["path"] = "/dev/null" } }.ToJsonString())), "/dev/null: trace file is empty"),
        new("trace path is a folder", d => Validate(Scenario(d, "workload.trace=" + new JsonObject { ["name"] = "azure-csv", ["options"] = new JsonObject { ["path"] = d } }.ToJsonString())), "workload.trace.options.path: file not found"),
        new("generated trace rate NaN", d => Validate(Scenario(d, "workload.trace.options.ratePerSecond=\"NaN\"")), "workload.trace.options.ratePerSecond: must be a finite number, got 'NaN'"),

        // Command-line values and the files they name.
        new("--threads -3", d => ["explore", "--scenario", Cli.DefaultScenarioPath, "--out", Path.Combine(d, "o"), "--threads", "-3"], "search.threads: must be in [0, 1024], got -3"),
        new("--out empty", _ => ["explore", "--scenario", Cli.DefaultScenarioPath, "--out", ""], "--out: must name a folder, got an empty path"),
        new("--set 1e400", d => ["explore", "--scenario", Cli.DefaultScenarioPath, "--out", Path.Combine(d, "o"), "--set", "budget.evaluations=1e400"], "budget.evaluations: must be a whole number, got '1e400'"),
        new("--set without value", _ => ["explore", "--set", "budget.evaluations"], "--set: expected key=value, got 'budget.evaluations'"),
        new("--plugins is a file", d => ["validate", "--scenario", Cli.DefaultScenarioPath, "--plugins", Bytes(d, "p.bin", Junk)], "--plugins: folder not found: {dir}/p.bin"),
        new("cost --m -1", _ => ["cost", "--chiplet", "a100-like", "--m", "-1", "--k", "1", "--n", "1"], "--m: must be >= 1, got -1"),
        new("cost --dram-bandwidth NaN", _ => ["cost", "--chiplet", "a100-like", .. Gemm, "--dram-bandwidth", "NaN"], "--dram-bandwidth: must be > 0 GB/s, got NaN"),
        new("cost --dram-bandwidth 1e309", _ => ["cost", "--chiplet", "a100-like", .. Gemm, "--dram-bandwidth", "1e309"], "--dram-bandwidth: must be > 0 GB/s, got Infinity"),
        new("cost chiplet file of binary junk", d => ["cost", "--chiplet", Bytes(d, "c.json", Junk), .. Gemm], "--chiplet: {dir}/c.json is not UTF-8 text"),
        new("cost chiplet file clock NaN", d => ["cost", "--chiplet", File_(d, "c.json", Chiplet("\"NaN\"")), .. Gemm, "--precision", "8"], "--chiplet"),
        new("cost package file an array", d => ["cost", "--chiplet", "a100-like", .. Gemm, "--package", File_(d, "p.json", "[1]")], "--package: has the wrong type (expected an object), got an array (in p.json)"),
        new("replay mapping of binary junk", d => ["replay", "--mapping", Bytes(d, "m.json", Junk), "--out", Path.Combine(d, "o")], "{dir}/m.json: cannot read the mapping"),
        new("replay mapping missing", d => ["replay", "--mapping", Path.Combine(d, "none.json"), "--out", Path.Combine(d, "o")], "{dir}/none.json: cannot read the mapping: file not found"),
        new("report of a folder without a run", d => ["report", d], "scenario.resolved.json: file not found in {dir}"),
        new("sweep study of binary junk", d => ["sweep", Bytes(d, "study.json", Junk), "--out", Path.Combine(d, "o")], "study.json: malformed JSON"),
        new("results of a junk database", d => ["results", Bytes(d, "study.db", Junk)], "--db: cannot open {dir}/study.db as a study database"),
    ];

    [Theory]
    [MemberData(nameof(Cases))]
    public void ExitsWith2AndOneLineNamingTheFieldOrFile(Case c)
    {
        ArgumentNullException.ThrowIfNull(c);
        var dir = TestPaths.NewTempDir();
        var r = HostProcess.Run(TimeSpan.FromSeconds(60), c.Args(dir));
        Assert.True(r.ExitCode == 2, $"{c.Name}: exit {r.ExitCode}: {r.StdErr}");
        var line = Assert.Single(r.ErrorLines);
        Assert.StartsWith("error: " + c.Expected.Replace("{dir}", dir, StringComparison.Ordinal), line, StringComparison.Ordinal);
        Assert.True(line.Length <= 1000, $"{c.Name}: a {line.Length}-character line");
    }

    /// <summary>Plugin faults through the executable: exit 3, the error line naming the plugin and the component.</summary>
    [Theory]
    [InlineData("optimizer={\"name\":\"fx-crash\",\"options\":{\"throwAfter\":5}}", "error: plugin Crashing: optimizers 'fx-crash' threw InvalidOperationException: fx-crash gives up after 5 evaluations")]
    [InlineData("costModels.compute.name=\"fx-nan\"", "error: plugin Crashing: compute 'fx-nan' returned time NaN ns for Gemm M=")]
    public void PluginFaultExitsWith3NamingThePlugin(string edit, string expected)
    {
        var dir = TestPaths.NewTempDir();
        var scenario = Cli.Write(Cli.Mutate(Cli.FixtureScenario(), edit, "budget.evaluations=50"));
        var r = HostProcess.Run(TimeSpan.FromSeconds(60), "explore", "--scenario", scenario, "--plugins", Cli.Fixtures, "--out", Path.Combine(dir, "o"), "--quiet");
        Assert.True(r.ExitCode == 3, $"exit {r.ExitCode}: {r.StdErr}");
        Assert.StartsWith(expected, r.ErrorLines[^1], StringComparison.Ordinal);
    }
}
