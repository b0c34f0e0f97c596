using System.Diagnostics;
using System.Globalization;
using Ledger.Kernel;
using Ledger.Sync;
using Microsoft.Data.Sqlite;

namespace Ledger.Sync.Tests;

/// <summary>The upgrade of a relay file from schema 4 to 5 builds the Merkle tree's tiles from the whole log in one
/// transaction. A relay process killed (SIGKILL) while it upgrades leaves the file at schema 4 without tree tables, or
/// wholly at 5; the next open builds (or finds) the tree of the log, root for root.</summary>
public sealed class SqliteRelayUpgradeCrashTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    [Trait("Risk", "G3")]
    public async Task A_relay_killed_while_it_upgrades_its_file_to_schema_5_leaves_it_at_schema_4_or_wholly_at_5_and_the_next_open_gives_the_logs_tree()
    {
        // Schema 4 as a relay left it: WAL on, checkpointed and closed (no -wal beside it). 100,000 ops: the tiles the
        // upgrade writes (3 MiB) exceed SQLite's page cache, so it writes uncommitted frames to the -wal before its commit.
        var template = Path.Combine(World.TempDir(), "relay.db");
        var ops = new TreeOps(new Random(71)).Next(0, 100_000);
        SqliteRelayTreeTests.WriteSchema4(template, ops);
        Execute(template, "PRAGMA journal_mode=WAL;");
        var reference = new MerkleTree();
        foreach (var op in ops) reference.Append(op.Bytes.Span);

        var landed = new List<string>();
        // Kill as soon as the -wal holds more than this many bytes: the first frames, then deeper into the upgrade; on a
        // busy host a kill may come late (after the commit), so up to three more kills at the first frames follow until
        // one has landed inside the upgrade.
        var thresholds = new List<long> { 0, 1024 * 1024, 2 * 1024 * 1024 };
        for (var round = 0; round < thresholds.Count; round++)
        {
            var threshold = thresholds[round];
            var path = Path.Combine(World.TempDir(), "relay.db");
            File.Copy(template, path);
            var wal = path + "-wal";
            using (var host = StartHost(path))
            {
                var clock = Stopwatch.StartNew();
                while (!(File.Exists(wal) && new FileInfo(wal).Length > threshold) && !host.HasExited && clock.Elapsed < TimeSpan.FromSeconds(60)) Thread.SpinWait(1000);
                host.Kill(entireProcessTree: true);
                host.WaitForExit();
            }

            var version = Scalar(path, "PRAGMA user_version;");
            var tables = Scalar(path, "SELECT COUNT(*) FROM sqlite_master WHERE name IN ('tree_tiles', 'tree_head');");
            landed.Add(string.Create(CultureInfo.InvariantCulture, $"threshold {threshold}: schema {version}, tree tables {tables}"));
            Assert.True((version == 4 && tables == 0) || (version == 5 && tables == 2), landed[^1]);
            if (version == 5) Assert.Equal(ops.Count, Scalar(path, "SELECT size FROM tree_head;"));

            using var store = new SqliteRelayStore(path);
            Assert.Equal(reference.Root(), await store.GetRootAsync(store.Count));
            Assert.Equal(reference.InclusionProof(70_000, 100_000), await store.GetInclusionProofAsync(70_000, 100_000));
            Assert.Equal(reference.ConsistencyProof(65_537, 100_000), await store.GetConsistencyProofAsync(65_537, 100_000));
            if (round == thresholds.Count - 1 && thresholds.Count < 6 && !landed.Exists(l => l.Contains("schema 4", StringComparison.Ordinal))) thresholds.Add(0);
        }

        output.WriteLine(string.Join(Environment.NewLine, landed));
        // At least one kill landed inside the upgrade (the file was found at schema 4 after frames were written).
        Assert.Contains(landed, l => l.Contains("schema 4", StringComparison.Ordinal));
    }

    // The crash host opens the store before it says READY: the upgrade runs at its start.
    private static Process StartHost(string db) => ChildProcessRelay.StartHost(db);

    private static void Execute(string path, string sql) => SqliteRelayTreeTests.Execute(path, sql);

    private static long Scalar(string path, string sql) => SqliteRelayTreeTests.Scalar(path, sql);
}
