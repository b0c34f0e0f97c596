using Ledger.Kernel;
using Ledger.Sync;

namespace Ledger.Relay.Tests;

/// <summary>Device nodes sync through a real Kestrel relay on loopback, over the HTTP client.</summary>
public sealed class HttpSyncTests
{
    [Fact]
    [Trait("Risk", "G1")]
    public async Task Devices_that_appended_offline_converge_to_one_state_hash_over_http()
    {
        var relay = World.NewRelay();
        await using var host = await World.StartAsync(o => o.AddLedger(relay));
        using var http = World.Http(host);
        var client = World.Client(http);
        // Small pull pages: pulls cross entry-bundle boundaries and ask for the checkpoint of each page's prefix.
        await using var a = await World.NewNodeAsync("dev-a", World.Trusted(relay), pullBatch: 100);
        await using var b = await World.NewNodeAsync("dev-b", World.Trusted(relay), pullBatch: 100);
        await using var c = await World.NewNodeAsync("dev-c", World.Trusted(relay));
        for (var i = 0; i < 150; i++)
        {
            await a.AppendAsync(Ledger.TestDomain.TestManifest.V1, Ledger.TestDomain.TestManifest.AddTally, new Ledger.TestDomain.AmountArgs("a", i));
            await b.AppendAsync(Ledger.TestDomain.TestManifest.V1, Ledger.TestDomain.TestManifest.AddTally, new Ledger.TestDomain.AmountArgs("b", i));
        }

        for (var i = 0; i < 10; i++) await c.AppendAsync(Ledger.TestDomain.TestManifest.V1, Ledger.TestDomain.TestManifest.AddTally, new Ledger.TestDomain.AmountArgs("c", i));

        await World.ConvergeAsync(client, a, b, c);

        Assert.Equal(3 + 150 + 150 + 10, relay.Size);
        Assert.Single(new[] { a.StateHash(), b.StateHash(), c.StateHash() }.Distinct());
        Assert.All(new[] { a, b, c }, n => Assert.Equal(0, n.Durability().Local));
        // The nodes witnessed the relay's signed checkpoint of the whole log.
        Assert.All(new[] { a, b, c }, n => Assert.Equal(relay.Size, n.WitnessedCheckpoint!.Size));
        Assert.True(host.Server.Pushes >= 3);
    }

    [Fact]
    public async Task Http_pull_returns_the_same_ops_and_the_checkpoint_of_exactly_the_prefix_held_as_the_relay_itself()
    {
        var relay = World.NewRelay();
        await relay.PushAsync(World.Chain("author-x", 300).Select(o => o.Bytes).ToArray());
        await using var host = await World.StartAsync(o => o.AddLedger(relay));
        using var http = World.Http(host);
        var client = World.Client(http);
        foreach (var (from, max) in new (long, int)[] { (0, 1), (0, 256), (0, 257), (255, 2), (250, 40), (256, 1000), (300, 10), (301, 5), (0, 5000) })
        {
            var expected = (await relay.PullAsync(from, max));
            var actual = await client.PullAsync(from, max);
            Assert.Equal(expected.RelaySize, actual.RelaySize);
            Assert.Equal(expected.Origin, actual.Origin);
            Assert.Equal(expected.Ops.Select(o => (o.Position, Convert.ToHexString(o.Bytes.Span))), actual.Ops.Select(o => (o.Position, Convert.ToHexString(o.Bytes.Span))));
            Assert.Equal(expected.Checkpoint, actual.Checkpoint);
        }
    }

    [Fact]
    public async Task Author_chain_fetch_proofs_and_cosignatures_over_http_answer_as_the_relay_does()
    {
        var relay = World.NewRelay();
        var chain = World.Chain("author-y", 20);
        await relay.PushAsync(chain.Select(o => o.Bytes).ToArray());
        await using var host = await World.StartAsync(o => o.AddLedger(relay));
        using var http = World.Http(host);
        var client = World.Client(http);

        var fetched = await client.FetchAuthorAsync(new AuthorId("author-y"), 5);
        Assert.Equal((await relay.FetchAuthorAsync(new AuthorId("author-y"), 5)).Select(o => o.Position), fetched.Select(o => o.Position));
        Assert.Equal((await relay.GetConsistencyProofAsync(7, 21)), await client.GetConsistencyProofAsync(7, 21));
        Assert.Equal((await relay.GetInclusionProofAsync(3, 21)), await client.GetInclusionProofAsync(3, 21));
        Assert.Equal((await relay.GetCheckpointAsync(9)), await client.GetCheckpointAsync(9));
        var outOfRange = await Assert.ThrowsAsync<RelayProtocolException>(() => client.GetConsistencyProofAsync(7, 99));
        Assert.Equal(RelayErrorCode.OutOfRange, outOfRange.Code);

        var note = (await relay.GetCheckpointAsync())!;
        await client.PostCosignatureAsync(note);
        Assert.Equal(note, Assert.Single(await client.GetCosignaturesAsync()));
        var notANote = await Assert.ThrowsAsync<RelayProtocolException>(() => client.PostCosignatureAsync("not a note"u8.ToArray()));
        Assert.Equal(RelayErrorCode.BadRequest, notANote.Code);
        Assert.Single((await relay.GetCosignaturesAsync()));
    }

    [Fact]
    [Trait("Risk", "G1")]
    public async Task A_relay_that_cannot_be_reached_is_offline_for_the_node_and_nothing_is_lost()
    {
        var port = World.FreePort();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(5) };
        var client = World.Client(http);
        var relay = World.NewRelay();
        await using var node = await World.NewNodeAsync("dev-offline", World.Trusted(relay));
        await node.AppendAsync(Ledger.TestDomain.TestManifest.V1, Ledger.TestDomain.TestManifest.AddTally, new Ledger.TestDomain.AmountArgs("k", 1));

        var offline = await node.SyncAsync(client);
        Assert.True(offline.Offline);
        Assert.Equal(2, node.Durability().Local);

        await using var host = await World.StartAsync(o => o.AddLedger(relay), port);
        var online = await node.SyncAsync(client);
        Assert.False(online.Offline);
        Assert.Equal(0, node.Durability().Local);
        Assert.Equal(2, relay.Size);
    }
}
