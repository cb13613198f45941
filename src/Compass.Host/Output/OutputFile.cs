using System.Text.Json;
using Compass.Scenarios;
using Compass.Scenarios.Binding;
using Compass.Scenarios.Presets;

namespace Compass.Host.Output;

/// <summary>JSON output files, written atomically (temporary file, then rename) through Compass.Reporting's writer.</summary>
public static class OutputFile
{
    /// <summary>
    /// Serializes <paramref name="value"/> as indented camelCase JSON, computed (read-only) properties included (for
    /// result records whose derived values are results too), and writes it atomically.
    /// </summary>
    public static void WriteResultJson<T>(string path, T value) =>
        Compass.Reporting.Files.AtomicFile.WriteAllText(path, JsonSerializer.Serialize(value, ResultOptions) + "\n");

    private static readonly JsonSerializerOptions ResultOptions = new(ConfigJson.WriteOptions) { IgnoreReadOnlyProperties = false };
}
