namespace Ledger.Erasure.Tests;

/// <summary>Scans the files a replica persists for bytes (a key, a plaintext) that must not be there.</summary>
internal static class FileScan
{
    /// <summary>The names of the files under <paramref name="directory"/> whose bytes contain <paramref name="needle"/>.
    /// A SQLite store's lock file (<c>-ledger-lock</c>) cannot be opened while its store is open (the store holds it
    /// exclusively); it is empty by design, so its length is what is checked: a lock file with any byte in it counts as
    /// a hit.</summary>
    public static List<string> FilesContaining(string directory, ReadOnlySpan<byte> needle, SearchOption search = SearchOption.AllDirectories)
    {
        var hits = new List<string>();
        foreach (var file in Directory.EnumerateFiles(directory, "*", search))
        {
            var held = file.EndsWith("-ledger-lock", StringComparison.Ordinal)
                ? new FileInfo(file).Length > 0
                : File.ReadAllBytes(file).AsSpan().IndexOf(needle) >= 0;
            if (held) hits.Add(Path.GetFileName(file));
        }

        return hits;
    }
}
