using System.Text.Json;
using Compass.Abstractions.Plugins;

namespace Compass.Workloads.Traces;

/// <summary>
/// JSON Lines traces, one object per line. Field names of several published formats are accepted
/// (docs/reference/traces.md §3):
/// <list type="bullet">
/// <item>arrival in seconds: <c>arrival</c>, <c>arrivalSeconds</c>, <c>arrival_seconds</c>, <c>arrived_at</c>;
/// in nanoseconds: <c>StartTimeOffset</c> (APEX), <c>arrival_time_ns</c> (LLMServingSim); in milliseconds:
/// <c>timestamp</c> (Mooncake);</item>
/// <item>prompt tokens: <c>promptTokens</c>, <c>prompt_tokens</c>, <c>ContextTokens</c> (APEX), <c>input_length</c>
/// (Mooncake), <c>input_toks</c> (LLMServingSim), <c>num_prefill_tokens</c>;</item>
/// <item>output tokens: <c>outputTokens</c>, <c>output_tokens</c>, <c>GeneratedTokens</c>, <c>output_length</c>,
/// <c>output_toks</c>, <c>num_decode_tokens</c>.</item>
/// </list>
/// Other fields (Mooncake <c>hash_ids</c>, token-id arrays) are skipped.
/// </summary>
internal sealed class JsonlTraceParser : ITraceRowParser
{
    private const double NanosecondsPerSecond = 1e9;
    private const double MillisecondsPerSecond = 1e3;

    public bool HasHeader => false;

    public string PromptField => "prompt tokens";

    public string OutputField => "output tokens";

    public string ArrivalField => "arrival";

    public void ReadHeader(ReadOnlySpan<byte> line, string where)
    {
    }

    public TraceRow Parse(ReadOnlySpan<byte> line)
    {
        double? arrival = null;
        long? prompt = null, output = null;
        try
        {
            var reader = new Utf8JsonReader(line, new JsonReaderOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                throw new CompassInputException(string.Empty, "each line must be one JSON object");
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var kind = Classify(ref reader, out var scale, out var name);
                reader.Read();
                switch (kind)
                {
                    case Field.Arrival:
                        arrival = Number(ref reader, name) / scale;
                        break;
                    case Field.Prompt:
                        prompt = Count(ref reader, name);
                        break;
                    case Field.Output:
                        output = Count(ref reader, name);
                        break;
                    default:
                        reader.Skip();
                        break;
                }
            }
        }
        catch (JsonException e)
        {
            throw new CompassInputException(string.Empty, $"not valid JSON: {e.Message}");
        }

        if (arrival is null) throw new CompassInputException(string.Empty, "arrival is missing (arrival / arrived_at s, StartTimeOffset / arrival_time_ns ns, timestamp ms)");
        if (prompt is null) throw new CompassInputException(string.Empty, "prompt tokens are missing (promptTokens / ContextTokens / input_length / input_toks / num_prefill_tokens)");
        if (output is null) throw new CompassInputException(string.Empty, "output tokens are missing (outputTokens / GeneratedTokens / output_length / output_toks / num_decode_tokens)");
        return new TraceRow(arrival.Value, prompt.Value, output.Value);
    }

    private enum Field
    {
        Other,
        Arrival,
        Prompt,
        Output,
    }

    private static Field Classify(ref Utf8JsonReader reader, out double scale, out string name)
    {
        scale = 1;
        name = string.Empty;
        if (reader.ValueTextEquals("arrival"u8)) { name = "arrival"; return Field.Arrival; }
        if (reader.ValueTextEquals("arrivalSeconds"u8)) { name = "arrivalSeconds"; return Field.Arrival; }
        if (reader.ValueTextEquals("arrival_seconds"u8)) { name = "arrival_seconds"; return Field.Arrival; }
        if (reader.ValueTextEquals("arrived_at"u8)) { name = "arrived_at"; return Field.Arrival; }
        if (reader.ValueTextEquals("StartTimeOffset"u8)) { name = "StartTimeOffset"; scale = NanosecondsPerSecond; return Field.Arrival; }
        if (reader.ValueTextEquals("arrival_time_ns"u8)) { name = "arrival_time_ns"; scale = NanosecondsPerSecond; return Field.Arrival; }
        if (reader.ValueTextEquals("timestamp"u8)) { name = "timestamp"; scale = MillisecondsPerSecond; return Field.Arrival; }
        if (reader.ValueTextEquals("promptTokens"u8)) { name = "promptTokens"; return Field.Prompt; }
        if (reader.ValueTextEquals("prompt_tokens"u8)) { name = "prompt_tokens"; return Field.Prompt; }
        if (reader.ValueTextEquals("ContextTokens"u8)) { name = "ContextTokens"; return Field.Prompt; }
        if (reader.ValueTextEquals("input_length"u8)) { name = "input_length"; return Field.Prompt; }
        if (reader.ValueTextEquals("input_toks"u8)) { name = "input_toks"; return Field.Prompt; }
        if (reader.ValueTextEquals("num_prefill_tokens"u8)) { name = "num_prefill_tokens"; return Field.Prompt; }
        if (reader.ValueTextEquals("outputTokens"u8)) { name = "outputTokens"; return Field.Output; }
        if (reader.ValueTextEquals("output_tokens"u8)) { name = "output_tokens"; return Field.Output; }
        if (reader.ValueTextEquals("GeneratedTokens"u8)) { name = "GeneratedTokens"; return Field.Output; }
        if (reader.ValueTextEquals("output_length"u8)) { name = "output_length"; return Field.Output; }
        if (reader.ValueTextEquals("output_toks"u8)) { name = "output_toks"; return Field.Output; }
        if (reader.ValueTextEquals("num_decode_tokens"u8)) { name = "num_decode_tokens"; return Field.Output; }
        return Field.Other;
    }

    private static double Number(ref Utf8JsonReader reader, string name)
    {
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out var value) && double.IsFinite(value)) return value;
        throw Utf8Fields.Bad(name, "a number", reader.ValueSpan);
    }

    private static long Count(ref Utf8JsonReader reader, string name)
    {
        if (reader.TokenType == JsonTokenType.Number)
        {
            if (reader.TryGetInt64(out var whole)) return whole;
            if (reader.TryGetDouble(out var d) && d == Math.Floor(d) && Math.Abs(d) < 9e18) return (long)d;
        }

        throw Utf8Fields.Bad(name, "a whole number of tokens", reader.ValueSpan);
    }
}
