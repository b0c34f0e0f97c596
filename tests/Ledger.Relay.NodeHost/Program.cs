// A device node in its own process, syncing with an HTTP relay: the relay tests start several of these against a
// Kestrel relay on loopback. Driven over stdin/stdout, one command a line:
//   APPEND <n>   appends n ops offline (no sync)              -> "APPENDED <own ops>"
//   SYNC         one sync round over HTTP                       -> "SYNCED pushed=<n> acked=<n> pulled=<n> offline=<bool> size=<n>"
//   HASH         the node's state hash and durability           -> "HASH <hex> local=<n> durable=<n>"
// Each answer ends with a newline; an error is "ERROR <type>: <message>". The node store is in memory: the process
// is one device's life, unless a fifth argument names a SQLite node store (then a killed host restarts on it).
// Usage: Ledger.Relay.NodeHost <relay url> <ledger> <device label> <relay vkey> [node.db]
using System.Globalization;
using System.Text;
using Ledger.Kernel;
using Ledger.Signing;
using Ledger.Sync;
using Ledger.Sync.Http;
using Ledger.TestDomain;

if (args.Length is not (4 or 5))
{
    Console.Error.WriteLine("usage: Ledger.Relay.NodeHost <relay url> <ledger> <device label> <relay vkey> [node.db]");
    return 2;
}

var (url, ledger, label, vkey) = (args[0], args[1], args[2], args[3]);
if (!NoteKey.TryParseVkey(vkey, out var trusted))
{
    Console.Error.WriteLine("not a verifier key: " + vkey);
    return 2;
}

static SigningKey Key(string label, uint index) => SigningKey.FromSeed(Hash32.Sha256(Encoding.UTF8.GetBytes($"{label}/{index}")).ToArray());

var options = new NodeOptions { Ledger = ledger, Manifests = new ManifestCatalog(TestManifest.V1), TrustedRelay = trusted, PullBatch = 100 };
INodeStore store = args.Length == 5 ? new SqliteNodeStore(args[4]) : new InMemoryNodeStore();
await using var node = await store.IsEmptyAsync()
    ? await DeviceNode.InceptAsync(options, store, Key(label, 0), label, Key(label, 1).Public.Digest)
    : await DeviceNode.OpenAsync(options, store, Key(label, 0));
using var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(30) };
var relay = new HttpRelayClient(http, new HttpRelayClientOptions { Ledger = ledger });
var appended = node.Ladder().Count - 1; // own ops beyond the inception, after a restart
Console.Out.WriteLine("READY");
Console.Out.Flush();
string? line;
while ((line = Console.In.ReadLine()) is not null)
{
    try
    {
        var parts = line.Split(' ');
        switch (parts[0])
        {
            case "APPEND":
                var n = int.Parse(parts[1], CultureInfo.InvariantCulture);
                for (var i = 0; i < n; i++)
                {
                    await node.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs(label, ++appended));
                }

                Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"APPENDED {appended}"));
                break;
            case "SYNC":
                var r = await node.SyncAsync(relay);
                Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"SYNCED pushed={r.Pushed} acked={r.Acknowledged} pulled={r.Pulled} offline={r.Offline} size={r.RelaySize}"));
                break;
            case "HASH":
                var d = node.Durability();
                Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"HASH {node.StateHash()} local={d.Local} durable={d.Safe}"));
                break;
            default:
                Console.Out.WriteLine("ERROR unknown command: " + parts[0]);
                break;
        }
    }
    catch (Exception e)
    {
        Console.Out.WriteLine($"ERROR {e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}");
    }

    Console.Out.Flush();
}

return 0;
