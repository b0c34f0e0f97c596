using System.Security.Cryptography;
using System.Text;
using Ledger.Kernel;
using Ledger.Signing;
using Ledger.Sync;
using Microsoft.Data.Sqlite;

namespace Ledger.Tool.Tests;

/// <summary>One folder of every kind of file the tool reads, made by a real system: three devices' SQLite node stores
/// (with witnessed checkpoints of a signing relay), the relay's SQLite store, a chain file, a node export, a SQLite file
/// that is no store, and bytes that are no file format at all.</summary>
internal sealed record ToolFiles(string Folder, string[] NodeStores, string RelayStore, string ChainFile, string Export, string ForeignSqlite, string Junk, Relay Relay, NoteKey RelayKey)
{
    public const string LedgerName = "tool-ledger";
    public const string Origin = "relay.test/tool";
    private static readonly CounterTable Counter = new("n");
    private static readonly Tally TallyVerb = new();
    public static readonly Manifest Manifest = new ManifestBuilder("tool", 1).Table(Counter).Add(TallyVerb).Build();
    private static readonly SigningKey RelaySigningKey = Key("relay", 0);

    private sealed class Tally() : Verb<long>("tally", 1, Scope.Shared)
    {
        protected override void Execute(VerbContext context, long args) => context.Add(Counter, "n", args);
    }

    public static SigningKey Key(string label, int i) => SigningKey.FromSeed(Hash32.Sha256(Encoding.UTF8.GetBytes($"{label}/{i}")).ToArray());

    public static string NewFolder()
    {
        var dir = Path.Combine(Path.GetTempPath(), "ledger-tool-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    public static async Task<ToolFiles> Make()
    {
        var dir = NewFolder();
        var relayKey = NoteKey.Create(Origin, RelaySigningKey.Public);
        var relay = new Relay(new RelayOptions { Ledger = LedgerName, Origin = Origin, CheckpointKey = RelaySigningKey }, new InMemoryRelayStore());
        var link = new InMemoryRelayTransport(relay);
        var paths = new[] { "a", "b", "c" }.Select(l => Path.Combine(dir, $"till-{l}.db")).ToArray();
        var nodes = new DeviceNode[paths.Length];
        for (var i = 0; i < paths.Length; i++)
        {
            var options = new NodeOptions { Ledger = LedgerName, Manifests = new ManifestCatalog(Manifest), TrustedRelay = relayKey };
            nodes[i] = await DeviceNode.InceptAsync(options, new SqliteNodeStore(paths[i]), Key("till-" + i, 0), "till-" + i, Key("till-" + i, 1).Public.Digest);
        }
        for (var round = 0; round < 3; round++)
        {
            foreach (var node in nodes)
            {
                await node.AppendAsync(Manifest, TallyVerb, round + 1L);
                await node.SyncAsync(link);
            }
        }

        foreach (var node in nodes) await node.SyncAsync(link);
        await nodes[0].AppendAsync(Manifest, TallyVerb, 99L);
        var export = Path.Combine(dir, "till-a.export");
        File.WriteAllBytes(export, await nodes[0].ExportAsync());
        foreach (var node in nodes) await node.DisposeAsync();

        // The relay's store as a SQLite file, and every author's chain as a chain file.
        var relayStore = Path.Combine(dir, "relay.db");
        using (var store = new SqliteRelayStore(relayStore))
        {
            await store.AppendAsync(await relay.Store.ReadAsync(0, int.MaxValue));
        }

        var ops = (await relay.PullAsync(0)).Ops.Select(o => SignedOpCodec.Decode(o.Bytes)).GroupBy(o => o.Op.Author).SelectMany(g => g.OrderBy(o => o.Op.Seq));
        var chain = Path.Combine(dir, "all.chain");
        File.WriteAllBytes(chain, Signing.ChainFile.Encode(LedgerName, ops));

        // A SQLite file of another program, in the default rollback journal mode.
        var foreign = Path.Combine(dir, "other.sqlite");
        using (var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = foreign, Pooling = false }.ToString()))
        {
            db.Open();
            using var c = db.CreateCommand();
            c.CommandText = "CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT); INSERT INTO notes (text) VALUES ('keep me');";
            c.ExecuteNonQuery();
        }

        var junk = Path.Combine(dir, "junk.bin");
        File.WriteAllBytes(junk, RandomNumberGenerator.GetBytes(3000));
        return new ToolFiles(dir, paths, relayStore, chain, export, foreign, junk, relay, relayKey);
    }

    /// <summary>SHA-256 of every file in the folder (SQLite's -wal/-shm included), by name.</summary>
    public static SortedDictionary<string, string> Hashes(string folder) =>
        new(Directory.GetFiles(folder).ToDictionary(f => Path.GetFileName(f), f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f)))), StringComparer.Ordinal);
}
