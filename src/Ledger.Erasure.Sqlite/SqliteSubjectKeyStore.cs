using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Data.Sqlite;

namespace Ledger.Erasure;

/// <summary>The embedded default key store: one SQLite file (WAL, <c>synchronous=FULL</c>) with
/// <c>secure_delete</c> on, so a shredded key is overwritten with zeros in the database, and the WAL truncated
/// to zero bytes after every shred, so no older page image holding the key survives in it either.</summary>
/// <remarks>Keys are stored as they are: the file is the one place a replica holds them, and deleting that one
/// copy is the erasure. Protect the file like any secret (file permissions, disk encryption); keep it out of
/// backups that outlive an erasure — a backup taken before a shred still holds the key. One connection is
/// kept open for the store's lifetime; calls are serialized.</remarks>
public sealed class SqliteSubjectKeyStore : ISubjectKeyStore
{
    private readonly Lock _lock = new();
    private readonly SqliteConnection _connection;
    private readonly Ledger.Sqlite.SqliteFileOwner _owner;
    private bool _disposed;

    /// <summary>Opens (or creates, at <see cref="SchemaVersion"/>) the store at <paramref name="path"/>.</summary>
    /// <exception cref="SubjectKeyStoreException">The file cannot be opened as a key store (not a database, another
    /// application's database, or written by a newer Ledger: then it is not changed), SQLite refuses secure deletion, or
    /// another key store (in this process or another) has the file open — a store owns its file until it is disposed or
    /// its process ends; the refused open reads and writes nothing.</exception>
    public SqliteSubjectKeyStore(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Path = System.IO.Path.GetFullPath(path);
        // Owned before anything is read: a second store's shred would truncate the WAL under this one (and fail), and its
        // adds race this one's between the check and the insert.
        _owner = Own(Path);
        var builder = new SqliteConnectionStringBuilder { DataSource = Path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false };
        _connection = new SqliteConnection(builder.ConnectionString);
        try
        {
            _connection.Open();
            // The version is checked before anything writes to the file (not even the switch to WAL): a file this
            // build cannot read is left as it was.
            var version = Scalar("PRAGMA user_version;");
            if (version > SchemaVersion)
            {
                throw Error.SubjectKeyStore(Path, string.Create(CultureInfo.InvariantCulture,
                    $"written by a newer Ledger (schema {version}; this build reads up to {SchemaVersion}); update to open it. The file was not changed."));
            }

            var tables = Scalar("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table';");
            if (tables > 0 && Scalar("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'subject_keys';") == 0)
            {
                throw Error.SubjectKeyStore(Path, "not a Ledger subject key store: a SQLite database without a 'subject_keys' table. The file was not changed.");
            }

            Execute("PRAGMA journal_mode=WAL;");
            Execute("PRAGMA synchronous=FULL;");
            Execute("PRAGMA secure_delete=ON;");
            if (Scalar("PRAGMA secure_delete;") != 1) throw Error.SubjectKeyStore(Path, "SQLite did not turn secure_delete on; shredded keys could stay readable in the file.");
            if (version < SchemaVersion)
            {
                // A new file, or one written before versions were recorded (user_version 0, same tables as version 1):
                // created or stamped in one transaction.
                using var tx = _connection.BeginTransaction();
                using var create = Command(string.Create(CultureInfo.InvariantCulture, $"""
                    CREATE TABLE IF NOT EXISTS subject_keys (subject TEXT PRIMARY KEY NOT NULL, key BLOB NOT NULL) WITHOUT ROWID;
                    CREATE TABLE IF NOT EXISTS shredded (subject TEXT PRIMARY KEY NOT NULL) WITHOUT ROWID;
                    PRAGMA user_version = {SchemaVersion};
                    """), tx);
                create.ExecuteNonQuery();
                tx.Commit();
            }
        }
        catch (SqliteException e)
        {
            _connection.Dispose();
            _owner.Dispose();
            throw Error.SubjectKeyStore(Path, $"cannot be opened as a key store ({e.SqliteErrorCode.ToString(CultureInfo.InvariantCulture)}: {e.Message}).", e);
        }
        catch
        {
            _connection.Dispose();
            _owner.Dispose();
            throw;
        }
    }

    private static Ledger.Sqlite.SqliteFileOwner Own(string path)
    {
        try
        {
            return Ledger.Sqlite.SqliteFileOwner.TryTake(path) ?? throw Error.SubjectKeyStore(path,
                $"another key store holds the file (its lock file {Ledger.Sqlite.SqliteFileOwner.LockPathOf(path)} is locked by a store open in this process or another); close that store, or wait for its process to end, then open it again. This open read and wrote nothing.");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Error.SubjectKeyStore(path, $"its lock file {path}-ledger-lock cannot be opened ({e.Message}); nothing was written.", e);
        }
    }

    /// <summary>The schema version this build writes and reads (<c>PRAGMA user_version</c>): 1, the
    /// <c>subject_keys</c> and <c>shredded</c> tables. Files of a newer version are refused unchanged.</summary>
    public const int SchemaVersion = 1;

    /// <summary>The database file. SQLite keeps <c>-wal</c> and <c>-shm</c> files beside it while the store is open.</summary>
    public string Path { get; }

    /// <inheritdoc />
    public KeyAddResult Add(SubjectId subject, ReadOnlySpan<byte> key)
    {
        Guard(subject);
        SubjectKey.RequireLength(key, nameof(key));
        var copy = key.ToArray();
        try
        {
            lock (_lock)
            {
                ThrowIfDisposed();
                using var tx = _connection.BeginTransaction();
                if (IsShredded(subject, tx)) return KeyAddResult.Shredded;
                var held = ReadKey(subject, tx);
                if (held is not null)
                {
                    var same = CryptographicOperations.FixedTimeEquals(held, copy);
                    CryptographicOperations.ZeroMemory(held);
                    return same ? KeyAddResult.AlreadyHeld : KeyAddResult.Conflict;
                }

                using var insert = Command("INSERT INTO subject_keys (subject, key) VALUES ($subject, $key);", tx);
                insert.Parameters.AddWithValue("$subject", subject.Value);
                insert.Parameters.Add("$key", SqliteType.Blob).Value = copy;
                insert.ExecuteNonQuery();
                tx.Commit();
                return KeyAddResult.Added;
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(copy);
        }
    }

    /// <inheritdoc />
    public SubjectKeyStatus TryRead(SubjectId subject, Span<byte> key)
    {
        Guard(subject);
        SubjectKey.RequireLength(key, nameof(key));
        lock (_lock)
        {
            ThrowIfDisposed();
            var held = ReadKey(subject, null);
            if (held is not null)
            {
                held.CopyTo(key);
                CryptographicOperations.ZeroMemory(held);
                return SubjectKeyStatus.Held;
            }

            return IsShredded(subject, null) ? SubjectKeyStatus.Shredded : SubjectKeyStatus.Unknown;
        }
    }

    /// <inheritdoc />
    public SubjectKeyStatus Status(SubjectId subject)
    {
        Guard(subject);
        lock (_lock)
        {
            ThrowIfDisposed();
            using var command = Command("SELECT count(*) FROM subject_keys WHERE subject = $subject;", null);
            command.Parameters.AddWithValue("$subject", subject.Value);
            if (Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture) > 0) return SubjectKeyStatus.Held;
            return IsShredded(subject, null) ? SubjectKeyStatus.Shredded : SubjectKeyStatus.Unknown;
        }
    }

    /// <inheritdoc />
    /// <exception cref="SubjectKeyStoreException">The key was deleted but the WAL could not be truncated (another
    /// connection to the file holds it open); it is truncated by the next successful shred or checkpoint.</exception>
    public ShredResult Shred(SubjectId subject)
    {
        Guard(subject);
        lock (_lock)
        {
            ThrowIfDisposed();
            ShredResult result;
            using (var tx = _connection.BeginTransaction())
            {
                if (IsShredded(subject, tx)) return ShredResult.AlreadyShredded;
                using var delete = Command("DELETE FROM subject_keys WHERE subject = $subject;", tx);
                delete.Parameters.AddWithValue("$subject", subject.Value);
                result = delete.ExecuteNonQuery() > 0 ? ShredResult.Shredded : ShredResult.NotHeld;
                using var tombstone = Command("INSERT INTO shredded (subject) VALUES ($subject);", tx);
                tombstone.Parameters.AddWithValue("$subject", subject.Value);
                tombstone.ExecuteNonQuery();
                tx.Commit();
            }

            // The WAL still holds the page images written when the key was added; copy the zeroed pages into
            // the database and cut the WAL to zero bytes.
            using var checkpoint = Command("PRAGMA wal_checkpoint(TRUNCATE);", null);
            using var reader = checkpoint.ExecuteReader();
            if (!reader.Read() || reader.GetInt64(0) != 0)
            {
                throw Error.SubjectKeyStore(Path, "the key was deleted but the WAL could not be truncated: another connection holds the file open.");
            }

            return result;
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<SubjectId> HeldSubjects()
    {
        lock (_lock)
        {
            ThrowIfDisposed();
            using var command = Command("SELECT subject FROM subject_keys;", null);
            using var reader = command.ExecuteReader();
            var subjects = new List<SubjectId>();
            while (reader.Read())
            {
                if (SubjectId.TryParse(reader.GetString(0), out var subject)) subjects.Add(subject);
            }

            subjects.Sort((a, b) => string.CompareOrdinal(a.Value, b.Value));
            return subjects;
        }
    }

    /// <summary>Closes the file.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed) return;
            _disposed = true;
            _connection.Dispose();
            _owner.Dispose();
        }
    }

    private byte[]? ReadKey(SubjectId subject, SqliteTransaction? tx)
    {
        using var command = Command("SELECT key FROM subject_keys WHERE subject = $subject;", tx);
        command.Parameters.AddWithValue("$subject", subject.Value);
        using var reader = command.ExecuteReader();
        if (!reader.Read()) return null;
        var key = (byte[])reader.GetValue(0);
        if (key.Length != SubjectKey.Length)
        {
            CryptographicOperations.ZeroMemory(key);
            throw Error.SubjectKeyStore(Path, $"the key of {subject} is not {SubjectKey.Length} bytes: the file was changed outside the store.");
        }

        return key;
    }

    private bool IsShredded(SubjectId subject, SqliteTransaction? tx)
    {
        using var command = Command("SELECT count(*) FROM shredded WHERE subject = $subject;", tx);
        command.Parameters.AddWithValue("$subject", subject.Value);
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture) > 0;
    }

    private SqliteCommand Command(string sql, SqliteTransaction? tx)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = tx;
        return command;
    }

    private void Execute(string sql)
    {
        using var command = Command(sql, null);
        command.ExecuteNonQuery();
    }

    private long Scalar(string sql)
    {
        using var command = Command(sql, null);
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    private static void Guard(SubjectId subject)
    {
        if (subject.IsDefault) throw Error.Argument("default(SubjectId) names no subject.", nameof(subject));
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);
}
