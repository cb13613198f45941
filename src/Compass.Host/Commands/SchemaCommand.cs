using System.CommandLine;
using Compass.Reporting.Files;
using Compass.Scenarios.Binding;
using Compass.Scenarios.Schema;

namespace Compass.Host.Commands;

/// <summary><c>compass schema [--out FILE]</c>: the JSON Schema (draft 2020-12) of scenario files, generated from <see cref="ScenarioSchema"/>.</summary>
public static class SchemaCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var output = new Option<string?>("--out", "-o") { Description = "Write the schema to this file instead of standard output" };
        var command = new Command("schema", "Print the JSON Schema (draft 2020-12) of scenario files; point an editor at it with \"$schema\"");
        command.Options.Add(output);
        command.SetAction(pr => CompassCli.Guard(stderr, () =>
        {
            var text = ScenarioSchema.ToJsonSchema().ToJsonString(ConfigJson.WriteOptions) + "\n";
            if (pr.GetValue(output) is { } file) AtomicFile.WriteAllText(file, text);
            else stdout.Write(text);
            return 0;
        }));
        return command;
    }
}
