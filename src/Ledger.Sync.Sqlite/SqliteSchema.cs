using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Ledger.Sync;

/// <summary>Versioned schemas for Ledger's SQLite files. Each file records its schema version in
/// <c>PRAGMA user_version</c>. Opening a file checks the version before anything writes to it: a file of a newer
/// version, a file that is not a SQLite database, and another application's database are refused with the file
/// unchanged (not even switched to WAL); an older file is upgraded in one transaction; a new file is created at the
/// current version. Files written before versions were recorded (user_version 0, with tables) are version 1.</summary>
internal sealed class SqliteSchema
{
    /// <summary>A schema: its kind (for messages), current version, the table that marks a file of this kind, the
    /// statements that create the current version, per older version v the statements that take v to v + 1, and per
    /// older version v code run after those statements (what SQL alone cannot fill: the relay store's tiles hash every
    /// op), in the same transaction. The code gets the connection, the transaction and the file's path.</summary>
    public SqliteSchema(string kind, int current, string markerTable, string create, IReadOnlyDictionary<int, string> upgrades,
        IReadOnlyDictionary<int, Action<SqliteConnection, SqliteTransaction, string>>? upgradeCode = null)
    {
        Kind = kind;
        Current = current;
        MarkerTable = markerTable;
        Create = create;
        Upgrades = upgrades;
        UpgradeCode = upgradeCode ?? new Dictionary<int, Action<SqliteConnection, SqliteTransaction, string>>();
    }

    private const int NotADatabase = 26;
    private const int Corrupt = 11;

    /// <summary>SQLite's <c>PRAGMA quick_check</c> at open: the b-trees, pages and records are well formed (not the
    /// content of the rows, which the stores check as they read). It reads the whole file once: measured in
    /// docs/reliability.md ("Store damage"). The node store runs it after open instead (<see cref="SqliteBackgroundCheck"/>).</summary>
    private void CheckIntegrity(SqliteConnection connection, string path)
    {
        using var check = connection.CreateCommand();
        check.CommandText = "PRAGMA quick_check(3);";
        using var r = check.ExecuteReader();
        var findings = new List<string>();
        while (r.Read()) findings.Add(r.IsDBNull(0) ? "(null)" : r.GetValue(0)?.ToString() ?? "(null)");
        if (findings is ["ok"]) return;
        throw Error.StoreDamaged($"the {Kind} {path}", "at open", "SQLite's quick_check reports: " + string.Join("; ", findings));
    }

    public string Kind { get; }

    public int Current { get; }

    public string MarkerTable { get; }

    public string Create { get; }

    public IReadOnlyDictionary<int, string> Upgrades { get; }

    public IReadOnlyDictionary<int, Action<SqliteConnection, SqliteTransaction, string>> UpgradeCode { get; }

    /// <summary>Opens <paramref name="path"/> as a file of this schema (see the class summary), checks its integrity
    /// unless <paramref name="checkIntegrity"/> is false (the caller then checks it, <see cref="SqliteBackgroundCheck"/>),
    /// then sets the journal (WAL), synchronous=FULL and the size cap.</summary>
    /// <exception cref="StoreSchemaException">A newer schema, not a database, or not a file of this kind; nothing was changed.</exception>
    /// <exception cref="StoreDamagedException">The file is malformed (what the open read, or the integrity check).</exception>
    public SqliteConnection Open(string path, long? capBytes, bool checkIntegrity = true)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false, Mode = SqliteOpenMode.ReadWriteCreate }.ToString());
        try
        {
            connection.Open();
            Prepare(connection, path);
            if (checkIntegrity) CheckIntegrity(connection, path);
            SqliteFiles.Execute(connection, "PRAGMA journal_mode=WAL;");
            SqliteFiles.Execute(connection, "PRAGMA synchronous=FULL;");
            if (capBytes is { } cap)
            {
                var pageSize = SqliteFiles.Scalar(connection, "PRAGMA page_size;");
                SqliteFiles.Execute(connection, string.Create(CultureInfo.InvariantCulture, $"PRAGMA max_page_count={Math.Max(8, cap / pageSize)};"));
            }

            return connection;
        }
        catch (SqliteException e) when (e.SqliteErrorCode == Corrupt)
        {
            connection.Dispose();
            throw Error.StoreDamaged($"the {Kind} {path}", "at open", $"SQLite reports the file is malformed ({e.Message})", e);
        }
        catch (SqliteException e) when (e.SqliteErrorCode == NotADatabase)
        {
            connection.Dispose();
            throw Error.StoreSchema(path, null, Current, $"{path} is not a Ledger {Kind}: it is not a SQLite database. The file was not changed.", e);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>The version a file records (0 for a file written before versions were recorded, or an empty file).</summary>
    public static int VersionOf(SqliteConnection connection) => (int)SqliteFiles.Scalar(connection, "PRAGMA user_version;");

    private void Prepare(SqliteConnection connection, string path)
    {
        var version = VersionOf(connection);
        if (version > Current)
        {
            throw Error.StoreSchema(path, version, Current,
                $"{path} was written by a newer Ledger (schema {version}; this build reads up to {Current}); update to open it. The file was not changed.");
        }

        var tables = SqliteFiles.Scalar(connection, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table';");
        if (tables == 0)
        {
            Run(connection, Create + string.Create(CultureInfo.InvariantCulture, $"\nPRAGMA user_version = {Current};"));
            return;
        }

        var marked = SqliteFiles.Scalar(connection, $"SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '{MarkerTable}';");
        if (marked == 0)
        {
            throw Error.StoreSchema(path, version == 0 ? null : version, Current,
                $"{path} is not a Ledger {Kind}: it is a SQLite database without a '{MarkerTable}' table. The file was not changed.");
        }

        if (version == 0) version = 1;
        if (version == Current) return;
        // One transaction: an upgrade that fails, in its SQL or its code, leaves the file at its old version.
        using var transaction = connection.BeginTransaction();
        for (var v = version; v < Current; v++)
        {
            SqliteFiles.Execute(connection, Upgrades[v], transaction);
            if (UpgradeCode.TryGetValue(v, out var code)) code(connection, transaction, path);
        }

        SqliteFiles.Execute(connection, string.Create(CultureInfo.InvariantCulture, $"PRAGMA user_version = {Current};"), transaction);
        transaction.Commit();
    }

    // One transaction: a file is created whole or not at all.
    private static void Run(SqliteConnection connection, string sql)
    {
        using var transaction = connection.BeginTransaction();
        SqliteFiles.Execute(connection, sql, transaction);
        transaction.Commit();
    }
}
