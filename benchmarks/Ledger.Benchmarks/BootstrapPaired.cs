using System.Diagnostics;
using System.Globalization;
using Ledger.Kernel;
using Ledger.Signing;
using Ledger.Sync;

namespace Ledger.Benchmarks;

/// <summary><c>--bootstrap-quick [ops]</c> (issue 19, risk B2): the first sync of a new device from a relay checkpoint
/// another member posted vs from genesis, in paired rounds (order alternating), in process over an in-memory relay.
/// A member writes <c>ops</c> posting ops and publishes a checkpoint; a 1 % tail follows it. Stopwatch, not a benchmark.</summary>
public static class BootstrapPaired
{
    private static SigningKey Key(string label, uint index) => SigningKey.FromSeed(Hash32.Sha256(System.Text.Encoding.UTF8.GetBytes(label + "/" + index.ToString(CultureInfo.InvariantCulture))).ToArray());

    private static readonly SigningKey RelayKey = Key("bench-relay", 0);

    private static NodeOptions Options() => new()
    {
        Ledger = "bench", Manifests = new ManifestCatalog(PostingDataset.Manifest), TrackProvenance = false, PullBatch = 4096,
        TrustedRelay = NoteKey.Create("ledger-relay/bench", RelayKey.Public),
    };

    private static async Task WriteAsync(DeviceNode node, int ops, Random random)
    {
        for (var done = 0; done < ops;)
        {
            var batch = Math.Min(512, ops - done);
            await Task.WhenAll(Enumerable.Range(0, batch).Select(i =>
                node.AppendAsync(PostingDataset.Manifest, PostingDataset.PostVerb, new PostArgs("acct:" + random.Next(10_000).ToString("D7", CultureInfo.InvariantCulture), done + i))));
            done += batch;
        }
    }

    public static async Task RunAsync(int ops, int rounds = 3)
    {
        var relay = new Relay(new RelayOptions { Ledger = "bench", CheckpointKey = RelayKey }, new InMemoryRelayStore());
        await using var member = await DeviceNode.InceptAsync(Options(), new InMemoryNodeStore(), Key("bench-member", 0), "member", Key("bench-member", 1).Public.Digest);
        var random = new Random(42);
        await WriteAsync(member, ops, random);
        while ((await member.SyncAsync(relay)).Pulled > 0 || member.Durability().Local > 0)
        {
        }

        var published = await member.PublishBootstrapCheckpointAsync(relay);
        await WriteAsync(member, Math.Max(1, ops / 100), random);
        await member.SyncAsync(relay);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"relay log {relay.Size} ops; checkpoint at prefix {published.Prefix} ({published.Checkpoint.Length} bytes); tail {relay.Size - published.Prefix} ops"));

        for (var round = 0; round < rounds; round++)
        {
            double bootstrapMs = 0, genesisMs = 0;
            Hash32 fromCheckpoint = default, fromGenesis = default;
            foreach (var checkpointFirst in round % 2 == 0 ? new[] { true, false } : [false, true])
            {
                var label = (checkpointFirst ? "boot" : "gen") + round.ToString(CultureInfo.InvariantCulture);
                var sw = Stopwatch.StartNew();
                await using var device = checkpointFirst
                    ? await DeviceNode.BootstrapAsync(Options(), new InMemoryNodeStore(), Key(label, 0), label, Key(label, 1).Public.Digest, relay)
                    : await DeviceNode.InceptAsync(Options(), new InMemoryNodeStore(), Key(label, 0), label, Key(label, 1).Public.Digest);
                while (device.Store.Cursor < relay.Size) await device.SyncAsync(relay);
                var ms = sw.Elapsed.TotalMilliseconds;
                if (checkpointFirst && device.Startup.Path != NodeStartPath.Bootstrapped) throw new InvalidOperationException("refused: " + device.Startup.BootstrapRefused);

                // The member's state plus the device's own inception: the member's kernel, asked after the device's push.
                await member.SyncAsync(relay);
                await device.SyncAsync(relay);
                if (device.StateHash() != member.StateHash()) throw new InvalidOperationException("the device's state differs from the member's");
                if (checkpointFirst) (bootstrapMs, fromCheckpoint) = (ms, device.StateHash());
                else (genesisMs, fromGenesis) = (ms, device.StateHash());
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"round {round + 1}: first sync from genesis {genesisMs:F0} ms, from the relay checkpoint {bootstrapMs:F0} ms, {genesisMs / bootstrapMs:F1}x"));
        }
    }
}
