using System.Net;
using System.Net.Sockets;
using System.Text;
using Ledger.Kernel;
using Ledger.Sync.AspNetCore;
using Ledger.Signing;
using Ledger.Sync;
using Ledger.Sync.Http;
using Ledger.TestDomain;

namespace Ledger.Relay.Tests;

internal static class World
{
    public const string Ledger = "http-test";

    public static SigningKey Key(string label, uint index) => SigningKey.FromSeed(Hash32.Sha256(Encoding.UTF8.GetBytes($"{label}/{index}")).ToArray());

    public static SigningKey RelayKey { get; } = Key("relay-checkpoints", 0);

    public static NoteKey Trusted(Sync.Relay relay) => relay.CheckpointVerifierKey!;

    public static NodeOptions Options(NoteKey? trusted = null, int pullBatch = 1024) => new()
    {
        Ledger = Ledger,
        Manifests = new ManifestCatalog(TestManifest.V1),
        TrustedRelay = trusted,
        PullBatch = pullBatch,
    };

    public static Task<DeviceNode> NewNodeAsync(string label, NoteKey? trusted = null, int pullBatch = 1024) =>
        DeviceNode.InceptAsync(Options(trusted, pullBatch), new InMemoryNodeStore(), Key(label, 0), label, Key(label, 1).Public.Digest);

    public static Sync.Relay NewRelay(IRelayStore? store = null, string ledger = Ledger) =>
        new(new RelayOptions { Ledger = ledger, CheckpointKey = RelayKey }, store ?? new InMemoryRelayStore());

    /// <summary>A Kestrel relay on loopback, on a port the system picks.</summary>
    public static async Task<LedgerRelayHost> StartAsync(Action<LedgerRelayOptions> configure, int port = 0)
    {
        var options = new LedgerRelayOptions();
        configure(options);
        return await LedgerRelayHost.StartAsync(new LedgerRelayServer(options), [$"http://127.0.0.1:{port}"]);
    }

    public static HttpClient Http(LedgerRelayHost host) => new() { BaseAddress = new Uri(host.Urls[0] + "/"), Timeout = TimeSpan.FromSeconds(30) };

    public static HttpRelayClient Client(HttpClient http, string ledger = Ledger) => new(http, new HttpRelayClientOptions { Ledger = ledger });

    /// <summary>Signed ops of an author, built outside any node (for pushing raw).</summary>
    public static List<SignedOp> Chain(string label, int ops)
    {
        var log = AuthorLog.Incept(Ledger, label, Key(label, 0), Key(label, 1).Public.Digest, out var inception);
        var chain = new List<SignedOp> { inception };
        for (var i = 0; i < ops; i++) chain.Add(log.Append(TestManifest.V1, TestManifest.AddTally, new AmountArgs("k", i)));
        return chain;
    }

    /// <summary>A loopback port nothing listens on now.</summary>
    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>Runs sync rounds on every node until a full round pulls and acknowledges nothing (bounded).</summary>
    public static async Task ConvergeAsync(IRelayProtocol relay, params DeviceNode[] nodes)
    {
        for (var round = 0; round < 20; round++)
        {
            var moved = 0;
            foreach (var node in nodes)
            {
                var r = await node.SyncAsync(relay);
                Assert.False(r.Offline, "the relay is reachable on loopback");
                moved += r.Pulled + r.Acknowledged;
            }

            if (moved == 0) return;
        }

        Assert.Fail("the nodes did not converge within 20 rounds");
    }
}
