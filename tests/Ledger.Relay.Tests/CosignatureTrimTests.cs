using Ledger.Kernel;
using Ledger.Sync;

namespace Ledger.Relay.Tests;

/// <summary>Every witnessing device posts a cosigned note each time its checkpoint moves (the fleet's three observers:
/// ~400 a second at 100 ops/s), and a relay serves only its newest <see cref="RelayOptions.MaxCosignatures"/>. The rest
/// used to stay in the store for ever, growing faster than the log; the relay now trims them as notes arrive.</summary>
public sealed class CosignatureTrimTests
{
    [Fact]
    [Trait("Risk", "B3")]
    public async Task A_relay_keeps_only_about_the_notes_it_serves_however_many_witnesses_post()
    {
        var dir = Path.Combine(Path.GetTempPath(), "ledger-cosignature-trim-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            using var store = new SqliteRelayStore(Path.Combine(dir, "relay.db"));
            using var relay = new Sync.Relay(new RelayOptions { Ledger = World.Ledger, CheckpointKey = World.RelayKey, MaxCosignatures = 8 }, store);
            await relay.PushAsync(World.Chain("author-trim", 3).Select(o => o.Bytes).ToArray());
            var checkpoint = SignedNote.Parse((await relay.GetCheckpointAsync())!);
            var posted = new List<string>();
            for (var i = 0; i < 300; i++)
            {
                var note = Cosignatures.Cosign(checkpoint, "witness.example/w", World.Key("witness", 0), DateTimeOffset.FromUnixTimeSeconds(1_700_000_000 + i)).ToBytes();
                await relay.PostCosignatureAsync(note);
                posted.Add(Convert.ToHexString(note));
            }

            // Held: the served eight and at most one trimming interval more, all of them the newest, in order.
            var held = (await store.ReadCosignaturesAsync(int.MaxValue)).Select(Convert.ToHexString).ToArray();
            Assert.InRange(held.Length, 8, 8 + 64);
            Assert.Equal(posted.TakeLast(held.Length), held);
            Assert.Equal(posted.TakeLast(8), (await relay.GetCosignaturesAsync()).Select(Convert.ToHexString));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
