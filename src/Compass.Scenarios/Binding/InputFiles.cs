using System.Text;
using Compass.Abstractions.Plugins;

namespace Compass.Scenarios.Binding;

/// <summary>
/// Reads input files with a size cap, so that no input (<c>--scenario /dev/zero</c>, a package file linked to a
/// device, a multi-gigabyte JSON value) can exhaust memory or time: at most the cap plus one byte is read before
/// the file is refused with a message naming it and the cap.
/// </summary>
public static class InputFiles
{
    /// <summary>Largest scenario file, and largest package, chiplet-type or model file it references, in bytes.</summary>
    public const long MaxScenarioBytes = 8L << 20;

    /// <summary>Largest mapping file (<c>best-mapping.json</c>) in bytes.</summary>
    public const long MaxMappingBytes = 64L << 20;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// Reads <paramref name="path"/> as UTF-8 text of at most <paramref name="maxBytes"/> bytes; anything larger,
    /// unreadable or not UTF-8 is a <see cref="CompassInputException"/> naming <paramref name="field"/>.
    /// </summary>
    public static string ReadText(string path, long maxBytes, string field) => Decode(ReadBytes(path, maxBytes, field), path, field);

    /// <summary>Reads at most <paramref name="maxBytes"/> bytes of <paramref name="path"/>; a larger file is refused.</summary>
    public static byte[] ReadBytes(string path, long maxBytes, string field)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Directory.Exists(path)) throw new CompassInputException(field, $"{path} is a folder, not a file");
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16);
            using var buffer = new MemoryStream();
            var chunk = new byte[1 << 16];
            while (true)
            {
                var want = (int)Math.Min(chunk.Length, maxBytes + 1 - buffer.Length);
                var read = stream.Read(chunk, 0, want);
                if (read == 0) break;
                buffer.Write(chunk, 0, read);
                if (buffer.Length > maxBytes)
                    throw new CompassInputException(field, $"{path} is larger than the limit of {Describe(maxBytes)}; is it the right file?");
            }
            return buffer.ToArray();
        }
        catch (FileNotFoundException)
        {
            throw new CompassInputException(field, $"file not found: {path}");
        }
        catch (DirectoryNotFoundException)
        {
            throw new CompassInputException(field, $"file not found: {path}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new CompassInputException(field, $"cannot read {path}: {e.Message}");
        }
    }

    private static string Decode(byte[] bytes, string path, string field)
    {
        try
        {
            var start = bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? 3 : 0;
            return StrictUtf8.GetString(bytes, start, bytes.Length - start);
        }
        catch (DecoderFallbackException)
        {
            throw new CompassInputException(field, $"{path} is not UTF-8 text");
        }
    }

    /// <summary>A byte count in the largest whole unit (<c>8 MiB</c>).</summary>
    public static string Describe(long bytes) =>
        bytes >= 1L << 30 && bytes % (1L << 30) == 0 ? $"{bytes >> 30} GiB"
        : bytes >= 1L << 20 && bytes % (1L << 20) == 0 ? $"{bytes >> 20} MiB"
        : bytes >= 1L << 10 && bytes % (1L << 10) == 0 ? $"{bytes >> 10} KiB"
        : $"{bytes} bytes";
}
