using Microsoft.Data.Sqlite;

namespace Ledger.Tool.Tests;

/// <summary><c>ledger monitor</c>'s refusals: a missing file, a file that is not a node store and a damaged store are
/// typed one-line errors with exit code 1, a wrong command line exit code 2, each before anything listens, and every
/// file is left as it was. (The page itself, in a real browser: Ledger.Monitor.Tests, ToolMonitorBrowserTests.)</summary>
public sealed class MonitorCommandTests
{
    [Fact]
    [Trait("Category", "BadInput")]
    [Trait("Risk", "H")]
    public async Task Ledger_monitor_refuses_a_missing_a_foreign_and_a_damaged_store_with_one_line_and_exit_1_and_leaves_them_unchanged()
    {
        var files = await ToolFiles.Make();

        // A node store whose last own op has a byte flipped: its chain's signature no longer verifies.
        var damaged = Path.Combine(files.Folder, "damaged.db");
        File.Copy(files.NodeStores[0], damaged);
        using (var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = damaged, Pooling = false }.ToString()))
        {
            db.Open();
            using var c = db.CreateCommand();
            c.CommandText = "SELECT id, bytes FROM ops WHERE own = 1 ORDER BY seq DESC LIMIT 1;";
            long id;
            byte[] bytes;
            using (var r = c.ExecuteReader())
            {
                Assert.True(r.Read());
                (id, bytes) = (r.GetInt64(0), (byte[])r[1]);
            }

            bytes[^3] ^= 0x01;
            using var u = db.CreateCommand();
            u.CommandText = "UPDATE ops SET bytes = $b WHERE id = $i;";
            u.Parameters.AddWithValue("$b", bytes);
            u.Parameters.AddWithValue("$i", id);
            Assert.Equal(1, u.ExecuteNonQuery());
        }

        // A node store file no device was ever incepted in: tables, no ops.
        var empty = Path.Combine(files.Folder, "empty.db");
        new Ledger.Sync.SqliteNodeStore(empty).Dispose();
        SqliteConnection.ClearAllPools();

        var before = ToolFiles.Hashes(files.Folder);
        foreach (var (file, says) in new[]
                 {
                     (Path.Combine(files.Folder, "missing.db"), "no node store at"),
                     (files.ForeignSqlite, "is not a node store: it has no table"),
                     (files.Junk, "is not a node store: it is not a SQLite database"),
                     (files.RelayStore, "is not a node store"),
                     (damaged, "the node store"),
                     (empty, "holds no op of its own device"),
                 })
        {
            var run = ToolRun.Of("", "monitor", file);
            Assert.True(run.ExitCode == 1, run.ToString());
            Assert.StartsWith("ledger monitor: ", run.Error, StringComparison.Ordinal);
            Assert.Contains(says, run.Error, StringComparison.Ordinal);
            Assert.Single(run.Error.TrimEnd().Split('\n'));
            Assert.Empty(run.Output);
        }

        Assert.Contains("does not verify", ToolRun.Of("", "monitor", damaged).Error, StringComparison.Ordinal);
        Assert.Equal(before, ToolFiles.Hashes(files.Folder));
    }

    [Fact]
    [Trait("Category", "BadInput")]
    public async Task Ledger_monitor_with_a_wrong_command_line_is_a_usage_error()
    {
        var files = await ToolFiles.Make();
        var store = files.NodeStores[0];
        foreach (var args in new[]
                 {
                     new[] { "monitor" },
                     ["monitor", store, "--port", "70000"],
                     ["monitor", store, "--port", "x"],
                     ["monitor", store, "--manifest", "A.B.C"],
                     ["monitor", store, "--app", "app.dll"],
                 })
        {
            var run = ToolRun.Of("", args);
            Assert.True(run.ExitCode == 2, string.Join(' ', args) + "\n" + run);
        }
    }
}
