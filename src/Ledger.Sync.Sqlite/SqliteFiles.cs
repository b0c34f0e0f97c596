using Ledger.Sqlite;
using Microsoft.Data.Sqlite;

namespace Ledger.Sync;

/// <summary>What every Ledger SQLite file shares. Files are opened by <see cref="SqliteSchema.Open"/>: WAL journal,
/// synchronous=FULL (a committed transaction survives power loss), and an optional hard size cap enforced by SQLite
/// itself (max_page_count), so a write that would exceed it fails inside its transaction and rolls back whole.</summary>
internal static class SqliteFiles
{
    public const int SqliteFull = 13;

    public static void Execute(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        command.ExecuteNonQuery();
    }

    public static long Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Bytes the database occupies (pages in use, WAL included once checkpointed).</summary>
    public static long Size(SqliteConnection connection) =>
        Scalar(connection, "PRAGMA page_count;") * Scalar(connection, "PRAGMA page_size;");

    /// <summary>Takes ownership of the file at <paramref name="path"/> for a writing store (<see cref="SqliteFileOwner"/>),
    /// before the store reads or writes it.</summary>
    /// <exception cref="StoreUnavailableException">Another store, in this process or another, holds the file; or its lock
    /// file cannot be opened. Nothing was written.</exception>
    public static SqliteFileOwner Own(string path, string store)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        try
        {
            return SqliteFileOwner.TryTake(path) ?? throw Error.StoreUnavailable(store,
                $"another store holds the file (its lock file {SqliteFileOwner.LockPathOf(path)} is locked by a store open in this process or another); close that store, or wait for its process to end, then open it again. This open read and wrote nothing");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Error.StoreUnavailable(store, $"its lock file {path}-ledger-lock cannot be opened ({e.Message}); nothing was written", e);
        }
    }

    public static bool IsFull(SqliteException e) => e.SqliteErrorCode == SqliteFull;

    /// <summary>SQLITE_CORRUPT or SQLITE_NOTADB: a page SQLite read is malformed. A node store checks its whole file after
    /// open (<see cref="SqliteBackgroundCheck"/>), so its reads meet such pages themselves and must answer typed.</summary>
    public static bool IsDamage(SqliteException e) => e.SqliteErrorCode is 11 or 26;

    /// <summary>A write SQLite refused for a reason other than a full file, as a typed error: the file malformed, or a
    /// constraint or trigger that is not this store's (the file was changed by other software, or another process writes
    /// it) — damage; the disk failing, the file locked or read-only — unavailable, retry; anything else as SQLite said it.
    /// The caller has rolled the write back: nothing of it was stored.</summary>
    public static Exception RefusedWrite(string store, string where, SqliteException e) => e.SqliteErrorCode switch
    {
        11 or 26 => Damaged(store, where, e),
        19 => Error.StoreDamaged(store, where, $"SQLite refused the write by a constraint or trigger this store does not make ({e.Message}): the file was changed by other software or is written by another process; nothing of the write was stored", e),
        5 or 6 or 8 or 10 or 14 or 15 => Error.StoreUnavailable(store, $"SQLite could not write {where} ({e.Message}); nothing of the write was stored", e),
        _ => e,
    };

    /// <summary>The typed answer to <see cref="IsDamage"/>.</summary>
    public static StoreDamagedException Damaged(string store, string where, SqliteException e) =>
        Error.StoreDamaged(store, where, $"SQLite reports the file is malformed ({e.Message})", e);

    /// <summary>Keeps a piece of evidence in the <c>evidence</c> table every Ledger store has.</summary>
    /// <exception cref="StorageFullException">The file is at its cap; nothing was written.</exception>
    public static void AddEvidence(SqliteConnection connection, string store, long? capBytes, string kind, string accused, ReadOnlyMemory<byte> bytes)
    {
        using var c = connection.CreateCommand();
        c.CommandText = "INSERT INTO evidence (kind, accused, bytes) VALUES ($k, $a, $b);";
        c.Parameters.AddWithValue("$k", kind);
        c.Parameters.AddWithValue("$a", accused);
        c.Parameters.AddWithValue("$b", bytes.ToArray());
        try
        {
            c.ExecuteNonQuery();
        }
        catch (SqliteException e) when (IsFull(e))
        {
            throw Error.StorageFull(store, Size(connection), capBytes ?? 0, bytes.Length, e);
        }
    }

    /// <summary>Every piece of evidence kept, oldest first.</summary>
    public static IReadOnlyList<(string Kind, string Accused, byte[] Bytes)> Evidence(SqliteConnection connection)
    {
        using var c = connection.CreateCommand();
        c.CommandText = "SELECT kind, accused, bytes FROM evidence ORDER BY id;";
        using var r = c.ExecuteReader();
        var list = new List<(string, string, byte[])>();
        while (r.Read()) list.Add((r.GetString(0), r.GetString(1), (byte[])r[2]));
        return list;
    }

    /// <summary>Rolls back after a failed write. SQLite may have rolled back already (a full disk at commit), and
    /// then the caller's typed error matters, not a second one from the rollback.</summary>
    public static void RollBackQuietly(SqliteTransaction transaction)
    {
        try
        {
            transaction.Rollback();
        }
        catch (Exception e) when (e is SqliteException or InvalidOperationException)
        {
        }
    }
}
