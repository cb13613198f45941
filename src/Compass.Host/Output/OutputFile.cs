using System.Text.Json;
using Compass.Host.Configuration;

namespace Compass.Host.Output;

/// <summary>JSON output files, written atomically (temporary file, then rename) through Compass.Reporting's writer.</summary>
public static class OutputFile
{
    /// <summary>Serializes <paramref name="value"/> as indented camelCase JSON and writes it atomically.</summary>
    public static void WriteJson<T>(string path, T value) =>
        Compass.Reporting.Files.AtomicFile.WriteAllText(path, JsonSerializer.Serialize(value, ConfigJson.WriteOptions) + "\n");

    /// <summary>As <see cref="WriteJson{T}"/>, but also writes computed (read-only) properties, for result records whose derived values are results too.</summary>
    public static void WriteResultJson<T>(string path, T value) =>
        Compass.Reporting.Files.AtomicFile.WriteAllText(path, JsonSerializer.Serialize(value, ResultOptions) + "\n");

    private static readonly JsonSerializerOptions ResultOptions = new(ConfigJson.WriteOptions) { IgnoreReadOnlyProperties = false };
}
