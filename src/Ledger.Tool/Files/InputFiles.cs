namespace Ledger.Tool.Files;

/// <summary>Reads input files whole, opened for reading only (shared with writers, so a file a running node has open
/// can be read), and writes output files whole or not at all: to a temporary file beside the target, moved into
/// place only when complete, and never over an existing file.</summary>
internal static class InputFiles
{
    /// <summary>The largest file read whole (chain files and exports are loaded into memory).</summary>
    public const long MaxBytes = 1L << 31;

    public static byte[] ReadAll(string path, string what)
    {
        if (!File.Exists(path)) throw new InvalidInputException($"no {what} at '{path}'.");
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        if (stream.Length >= MaxBytes) throw new InvalidInputException($"'{path}' is {stream.Length} bytes; a {what} read by this tool is under {MaxBytes}.");
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }

    /// <summary>Refuses an output path that exists, before any work is done.</summary>
    public static void MustBeNew(string path, string what)
    {
        if (File.Exists(path) || Directory.Exists(path)) throw new InvalidInputException($"'{path}' exists; the {what} must be a new file.");
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null && !Directory.Exists(folder)) throw new InvalidInputException($"no folder '{folder}' to write the {what} in.");
    }

    /// <summary>Writes a new file through <paramref name="write"/> (given a temporary path beside it), then moves it
    /// into place; on any failure the temporary file (and SQLite's -wal/-shm beside it) is removed, and the side files of
    /// a store written there (its high-water mark and lock file) in any case.</summary>
    public static void WriteNew(string path, string what, Action<string> write)
    {
        MustBeNew(path, what);
        var full = Path.GetFullPath(path);
        var temporary = Path.Combine(Path.GetDirectoryName(full)!, "." + Path.GetFileName(full) + "." + Environment.ProcessId + ".partial");
        try
        {
            write(temporary);
            File.Move(temporary, full, overwrite: false);
        }
        finally
        {
            // A SQLite store's high-water mark is named after the temporary file: dropped, the store's first open takes
            // what the file holds as its mark. So is its lock file (empty, released when the store was disposed in write).
            foreach (var leftover in new[] { temporary, temporary + "-wal", temporary + "-shm", temporary + "-journal", temporary + "-ledger-hwm", temporary + "-ledger-lock" })
            {
                if (File.Exists(leftover)) File.Delete(leftover);
            }
        }
    }

    public static void WriteNew(string path, string what, ReadOnlySpan<byte> bytes)
    {
        var copy = bytes.ToArray();
        WriteNew(path, what, temporary => File.WriteAllBytes(temporary, copy));
    }
}
