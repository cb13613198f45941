using System.Globalization;
using System.Text;

namespace Compass.Reporting.Files;

/// <summary>
/// Writes files atomically: the content goes to a temporary file in the same folder, is flushed to disk, and is
/// then renamed over the target, so a reader (or a crash) never sees a half-written file.
/// </summary>
public static class AtomicFile
{
    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);
    private static int _counter;

    /// <summary>Writes <paramref name="text"/> as UTF-8 without a byte-order mark.</summary>
    public static void WriteAllText(string path, string text) => Write(path, stream =>
    {
        var bytes = Utf8NoBom.GetBytes(text);
        stream.Write(bytes, 0, bytes.Length);
    });

    /// <summary>Writes <paramref name="bytes"/>.</summary>
    public static void WriteAllBytes(string path, byte[] bytes) => Write(path, stream => stream.Write(bytes, 0, bytes.Length));

    /// <summary>Writes text through a <see cref="TextWriter"/> (UTF-8, no BOM, "\n" line endings).</summary>
    public static void WriteText(string path, Action<TextWriter> write) => Write(path, stream =>
    {
        using var writer = new StreamWriter(stream, Utf8NoBom, 1 << 16, leaveOpen: true) { NewLine = "\n" };
        write(writer);
    });

    /// <summary>Runs <paramref name="write"/> on a temporary file stream, then renames it to <paramref name="path"/> (replacing it).</summary>
    public static void Write(string path, Action<Stream> write)
    {
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full) ?? ".";
        Directory.CreateDirectory(directory);
        var temp = Path.Combine(directory, string.Create(CultureInfo.InvariantCulture,
            $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Interlocked.Increment(ref _counter)}.tmp"));
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // The original error matters more than a leftover temporary file.
        }
        catch (UnauthorizedAccessException)
        {
            // Same as above.
        }
    }
}
