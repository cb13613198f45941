using System.IO.Compression;

namespace Compass.Host.Plugins.Packages;

/// <summary>
/// Verifies every entry of a zip archive against the CRC-32 its directory records (the zip reader itself does not
/// check it, so a damaged byte in a stored entry would otherwise go unnoticed).
/// </summary>
public static class ZipIntegrity
{
    private static readonly uint[] Table = BuildTable();

    /// <summary>Throws <see cref="InvalidDataException"/> naming the first entry whose content does not match its checksum.</summary>
    /// <param name="zip">The archive stream (left open, position restored to 0).</param>
    public static void Verify(Stream zip)
    {
        zip.Position = 0;
        using (var archive = new ZipArchive(zip, ZipArchiveMode.Read, leaveOpen: true))
        {
            var buffer = new byte[81920];
            foreach (var entry in archive.Entries)
            {
                using var s = entry.Open();
                var crc = 0xFFFFFFFFu;
                int n;
                while ((n = s.Read(buffer, 0, buffer.Length)) > 0) crc = Update(crc, buffer.AsSpan(0, n));
                if ((crc ^ 0xFFFFFFFFu) != entry.Crc32)
                    throw new InvalidDataException($"{entry.FullName} is damaged (CRC-32 {crc ^ 0xFFFFFFFFu:x8}, expected {entry.Crc32:x8})");
            }
        }
        zip.Position = 0;
    }

    /// <summary>CRC-32 (IEEE 802.3, as zip uses) of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => Update(0xFFFFFFFFu, data) ^ 0xFFFFFFFFu;

    private static uint Update(uint crc, ReadOnlySpan<byte> data)
    {
        foreach (var b in data) crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return crc;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (var i = 0u; i < 256; i++)
        {
            var c = i;
            for (var k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[i] = c;
        }
        return table;
    }
}
