using System.CommandLine;
using Compass.Abstractions.Plugins;
using Compass.Host.Composition;
using Compass.Host.Output;

namespace Compass.Host.Commands;

/// <summary>
/// The <c>compass</c> command line (System.CommandLine 3). Exit codes: 0 success, 2 user error (bad arguments,
/// bad scenario, unknown name, infeasible problem, no valid mapping), 3 a plugin fault stopped the run,
/// 130 interrupted (Ctrl-C or SIGTERM), 1 an unexpected failure (see docs/robustness.md).
/// </summary>
public static class CompassCli
{
    /// <summary>Exit code of a user error.</summary>
    public const int UserError = 2;

    /// <summary>Exit code of a run stopped by a plugin fault.</summary>
    public const int PluginFault = 3;

    /// <summary>Exit code of an unexpected failure (a bug, not the input or a plugin).</summary>
    public const int UnexpectedFailure = 1;

    /// <summary>Exit code of a run interrupted by Ctrl-C or SIGTERM (128 + SIGINT).</summary>
    public const int Interrupted = 130;

    /// <summary>Parses and runs <paramref name="args"/>.</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        // Every stderr line stays short, whatever input a message echoes.
        using var bounded = new BoundedLineWriter(stderr);
        var root = Build(stdout, bounded);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            bounded.WriteLine("error: " + OneLine.Of(System.Text.RegularExpressions.Regex.Replace(parse.Errors[0].Message, @"\s+", " ").Trim()) + " (see compass --help)");
            return UserError;
        }
        return parse.Invoke(new InvocationConfiguration { Output = stdout, Error = bounded, EnableDefaultExceptionHandler = false });
    }

    /// <summary>Builds the command tree.</summary>
    public static RootCommand Build(TextWriter stdout, TextWriter stderr)
    {
        var root = new RootCommand("Compass: explore how LLM inference-serving workloads map onto multi-chiplet accelerators (low energy-delay product).");
        root.Subcommands.Add(ExploreCommand.Create(stdout, stderr));
        root.Subcommands.Add(CompareCommand.Create(stdout, stderr));
        root.Subcommands.Add(InfoCommands.Plugins(stdout, stderr));
        root.Subcommands.Add(InfoCommands.List(stdout, stderr));
        root.Subcommands.Add(InfoCommands.Validate(stdout, stderr));
        root.Subcommands.Add(InfoCommands.Cost(stdout, stderr));
        root.Subcommands.Add(ReplayCommand.Create(stdout, stderr));
        root.Subcommands.Add(InfoCommands.Report(stdout, stderr));
        root.Subcommands.Add(SchemaCommand.Create(stdout, stderr));
        root.Subcommands.Add(SweepCommand.Create(stdout, stderr));
        root.Subcommands.Add(ResultsCommand.Create(stdout, stderr));
        root.Subcommands.Add(CodesignCommand.Create(stdout, stderr));
        root.Subcommands.Add(InfoCommands.Show(stdout, stderr));
        var topic = new Argument<string[]>("command") { Description = "The command to describe (none: every command)", Arity = ArgumentArity.ZeroOrMore };
        var help = new Command("help", "Show the help of compass or of one command (compass help explore = compass explore --help)");
        help.Arguments.Add(topic);
        help.SetAction(pr =>
        {
            var words = pr.GetValue(topic) ?? [];
            if (words.Length > 0 && !root.Subcommands.Any(c => c.Name == words[0]))
            {
                stderr.WriteLine($"error: unknown command '{words[0]}' (commands: {string.Join(", ", root.Subcommands.Select(c => c.Name))})");
                return UserError;
            }
            return root.Parse([.. words, "--help"]).Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
        });
        root.Subcommands.Add(help);
        return root;
    }

    /// <summary>Runs a command body, turning user errors and plugin faults into one stderr line and an exit code.</summary>
    public static int Guard(TextWriter stderr, Func<int> body)
    {
        try
        {
            return body();
        }
        catch (CompassInputException e)
        {
            stderr.WriteLine("error: " + Describe(e));
            return UserError;
        }
        catch (PluginFaultException e)
        {
            stderr.WriteLine("error: " + OneLine.Of(e.Message));
            return PluginFault;
        }
        catch (AggregateException e) when (e.Flatten().InnerExceptions.FirstOrDefault(x => x is CompassInputException or PluginFaultException) is { } inner)
        {
            // Parallel evaluation wraps what a worker threw; report the first user error or plugin fault.
            stderr.WriteLine("error: " + (inner is CompassInputException input ? Describe(input) : OneLine.Of(inner.Message)));
            return inner is CompassInputException ? UserError : PluginFault;
        }

        catch (OperationCanceledException)
        {
            stderr.WriteLine("error: cancelled");
            return Interrupted;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A bug rather than the input or a plugin: still one line and an exit code, never a stack trace.
            stderr.WriteLine($"error: unexpected {e.GetType().Name}: {OneLine.Of(e.Message)}");
            return UnexpectedFailure;
        }
    }

    /// <summary>
    /// The one-line text of a user error: the field (shortened when it echoes a huge key) and the reason (shortened
    /// when it echoes a huge value).
    /// </summary>
    public static string Describe(CompassInputException e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return OneLine.Of(e.Field, 160) + ": " + OneLine.Of(e.Reason);
    }

    /// <summary>The shared <c>--scenario</c> option.</summary>
    public static Option<string?> ScenarioOption(bool required = false) => new("--scenario", "-s")
    {
        Description = required ? "Scenario JSON file" : "Scenario JSON file (default: the embedded default scenario)",
        Required = required,
    };

    /// <summary>The shared <c>--set key=value</c> option (repeatable).</summary>
    public static Option<string[]> SetOption() => new("--set") { Description = "Override a scenario value: --set budget.evaluations=20 (repeatable)", AllowMultipleArgumentsPerToken = false };

    /// <summary>The shared <c>--plugins DIR</c> option (repeatable).</summary>
    public static Option<string[]> PluginsOption() => new("--plugins") { Description = "Extra plugin directory (repeatable), searched after plugins/ beside the executable and the user plugin folder" };

    /// <summary>The shared <c>--force</c> option: clear an output folder holding another run before writing.</summary>
    public static Option<bool> ForceOption() => new("--force") { Description = "Clear the output folder first when it holds another run's results (refused otherwise)" };

    /// <summary>The shared <c>--out DIR</c> option.</summary>
    public static Option<string?> OutOption() => new("--out", "-o") { Description = "Output folder (default ./compass-out/<yyyyMMdd-HHmmss>)" };

    /// <summary>
    /// The plugin search order: <c>plugins/</c> beside the executable, the user plugin folder (where
    /// <c>compass plugins install</c> puts packages; <c>COMPASS_PLUGIN_HOME</c> overrides it), then the
    /// <c>--plugins</c> folders in the order given, each of which must exist.
    /// </summary>
    public static IReadOnlyList<string> PluginDirectories(IReadOnlyList<string>? extra)
    {
        var list = new List<string> { Plugins.PluginCatalog.DefaultDirectory, Plugins.Packages.PluginHome.Resolve().Folder };
        foreach (var dir in extra ?? [])
        {
            if (!Directory.Exists(dir)) throw new CompassInputException("--plugins", $"folder not found: {dir}");
            list.Add(dir);
        }
        return list;
    }

    /// <summary>Default output folder for a run started now.</summary>
    public static string DefaultOutDirectory() => Path.Combine("compass-out", DateTime.Now.ToString("yyyyMMdd-HHmmss", System.Globalization.CultureInfo.InvariantCulture));
}
