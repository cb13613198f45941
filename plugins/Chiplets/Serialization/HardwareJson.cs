using System.Text.Json;
using System.Text.Json.Serialization;
using Compass.Abstractions.Hardware;
using Compass.Abstractions.Plugins;

namespace Compass.Chiplets.Serialization;

/// <summary>
/// JSON form of chiplet types and packages as scenarios and hardware files write them: camelCase names, enums as
/// camelCase strings (<c>"outputStationary"</c>), indented. Computed properties (<c>chipletCount</c>,
/// <c>peakTops</c>, ...) are written for readers and ignored when read back.
/// </summary>
public static class HardwareJson
{
    /// <summary>The serializer options used for hardware JSON.</summary>
    public static JsonSerializerOptions Options { get; } = CreateOptions();

    /// <summary>Serialises a package.</summary>
    public static string Serialize(PackageDescription package) => JsonSerializer.Serialize(package, Options);

    /// <summary>Serialises a chiplet type.</summary>
    public static string Serialize(ChipletType chipletType) => JsonSerializer.Serialize(chipletType, Options);

    /// <summary>Reads a package; malformed JSON or a missing required member is a <see cref="CompassInputException"/> on <paramref name="field"/>.</summary>
    public static PackageDescription DeserializePackage(string json, string field = "package") => Read<PackageDescription>(json, field);

    /// <summary>Reads a chiplet type; malformed JSON or a missing required member is a <see cref="CompassInputException"/> on <paramref name="field"/>.</summary>
    public static ChipletType DeserializeChipletType(string json, string field = "chipletType") => Read<ChipletType>(json, field);

    private static T Read<T>(string json, string field) where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(json, Options) ?? throw new CompassInputException(field, "is null");
        }
        catch (JsonException e)
        {
            var where = e.Path is null or "$" ? field : field + e.Path.TrimStart('$');
            throw new CompassInputException(where, e.Message, e);
        }
    }

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            WriteIndented = true,
            AllowTrailingCommas = true,
            ReadCommentHandling = JsonCommentHandling.Skip,
        };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
