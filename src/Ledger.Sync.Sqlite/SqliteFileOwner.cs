using Microsoft.Win32.SafeHandles;

namespace Ledger.Sqlite;

/// <summary>The ownership a writing Ledger store takes of its SQLite file for its lifetime: an exclusive OS lock on a
/// side file, <c>&lt;file&gt;-ledger-lock</c>. A store keeps state of its file in memory (a relay store its count and
/// tree edge, a node store its cursor and high-water mark, a segment store its open batch, and it empties the file when
/// it opens), so a second writing store on one file would act on a file the first one changes under it; it is refused
/// at open instead, before it reads or writes anything (shared by Ledger.Sync.Sqlite and Ledger.Erasure.Sqlite, which
/// type the refusal with their own error factory).</summary>
/// <remarks>
/// <para>Why a side file opened with <see cref="FileShare.None"/>: on Windows that is a share mode of 0, which refuses
/// every other open of the file; on Linux and macOS .NET implements it with <c>flock(LOCK_EX | LOCK_NB)</c> on the
/// descriptor (an open that finds the lock held fails with EWOULDBLOCK, an <see cref="IOException"/>). Both are held by
/// the open handle, so the OS releases them when the process ends in any way — SIGKILL and a crash included, as the
/// relay crash tests kill a relay and start the next one on the same file at once — and a stale owner never blocks a
/// restart; the file is never deleted (deleting a lock file races with an open that is about to lock it). flock is per
/// open file, not per process, so a second store in the same process is refused as well, and .NET opens files
/// close-on-exec, so a child process does not inherit the lock.</para>
/// <para>Why not the database file itself: SQLite locks it with POSIX <c>fcntl</c> locks, which a process loses as soon
/// as it closes any descriptor of that file — a refused open closing its handle would have dropped the running store's
/// SQLite locks; on Windows a share mode of 0 on it would lock SQLite itself out. Why not SQLite's
/// <c>PRAGMA locking_mode=EXCLUSIVE</c>: in WAL mode it keeps every other connection out, readers included, and the
/// node store's integrity check after open and the tool's read-only inspections read a file a store has open.
/// Read-only connections never take this lock: they keep working while a store owns the file.</para>
/// <para>Limits: the lock is advisory (only Ledger stores take it); on a file system without flock, or with file
/// locking turned off for .NET (<c>DOTNET_SYSTEM_IO_DISABLEFILELOCKING</c>), .NET takes no lock and a second store is
/// not refused. The lock file is named after the path as given, with a final symbolic link resolved, as SQLite resolves
/// it for its <c>-wal</c>.</para>
/// </remarks>
internal sealed class SqliteFileOwner : IDisposable
{
    private readonly SafeFileHandle _lock;

    private SqliteFileOwner(SafeFileHandle handle) => _lock = handle;

    /// <summary>The lock file of the database at <paramref name="databasePath"/>.</summary>
    public static string LockPathOf(string databasePath)
    {
        var full = Path.GetFullPath(databasePath);
        var target = File.Exists(full) ? new FileInfo(full).ResolveLinkTarget(returnFinalTarget: true)?.FullName : null;
        return (target ?? full) + "-ledger-lock";
    }

    /// <summary>Takes ownership of the database at <paramref name="databasePath"/>, or answers null when another store
    /// (in this process or another) holds it.</summary>
    /// <exception cref="IOException">The lock file cannot be opened or created (no such folder, an I/O error).</exception>
    /// <exception cref="UnauthorizedAccessException">The lock file cannot be opened for writing.</exception>
    public static SqliteFileOwner? TryTake(string databasePath)
    {
        try
        {
            return new SqliteFileOwner(File.OpenHandle(LockPathOf(databasePath), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        }
        catch (IOException e) when (IsHeld(e))
        {
            return null;
        }
    }

    // The open another holder refused: a sharing or lock violation on Windows; flock's EWOULDBLOCK elsewhere (.NET gives
    // the errno as the HResult: 11 on Linux, 35 on macOS and the BSDs). Any other IOException is a real failure.
    private static bool IsHeld(IOException e) => e.GetType() == typeof(IOException) && (OperatingSystem.IsWindows()
        ? (e.HResult & 0xFFFF) is 32 or 33
        : e.HResult == (OperatingSystem.IsLinux() || OperatingSystem.IsAndroid() ? 11 : 35));

    /// <summary>Releases the file: the next store may open it.</summary>
    public void Dispose() => _lock.Dispose();
}
