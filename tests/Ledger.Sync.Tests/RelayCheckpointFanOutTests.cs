using Ledger.Kernel;
using Ledger.Signing;
using Ledger.Sync;
using Ledger.Tests;

namespace Ledger.Sync.Tests;

/// <summary>The latest checkpoint is asked by every long poll a commit wakes — thousands at once on a busy ledger. It
/// must not wait behind the pushes holding the relay's gate, and one signing serves every caller that finds the note
/// stale (docs/performance.md, "Long polls at fleet size").</summary>
public sealed class RelayCheckpointFanOutTests
{
    private const string Origin = "relay.example/fan-out";

    private static SigningKey RelayKey => World.Key("relay", 0);

    [Fact]
    [Trait("Risk", "G1")]
    public async Task The_latest_checkpoint_already_signed_is_served_while_a_push_holds_the_gate_in_its_store_write()
    {
        var store = new HeldAppendStore();
        var relay = new Relay(new RelayOptions { Ledger = World.Ledger, Origin = Origin, CheckpointKey = RelayKey }, store);
        var chain = World.Chain("till", 2);
        await relay.PushAsync([chain[0].Bytes, chain[1].Bytes]);
        var signed = (await relay.GetCheckpointAsync())!;

        store.Hold();
        var held = relay.PushAsync([chain[2].Bytes]);
        await store.Holding.WaitAsync(TimeSpan.FromSeconds(10));

        // The push is inside the store's write, under the gate: the note for the size the store holds comes back anyway.
        var again = await relay.GetCheckpointAsync().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(signed, again);
        Assert.False(held.IsCompleted);

        store.Release();
        await held;
        Assert.Equal(3, Checkpoint((await relay.GetCheckpointAsync())!).Size);
    }

    [Fact]
    [Trait("Risk", "G1")]
    public async Task Many_callers_after_a_commit_get_one_note_for_the_new_size_and_it_verifies()
    {
        var relay = new Relay(new RelayOptions { Ledger = World.Ledger, Origin = Origin, CheckpointKey = RelayKey }, new InMemoryRelayStore());
        var chain = World.Chain("till", 3);
        await relay.PushAsync([chain[0].Bytes, chain[1].Bytes]);
        _ = await relay.GetCheckpointAsync();
        await relay.PushAsync([chain[2].Bytes, chain[3].Bytes]);

        var notes = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => Task.Run(() => relay.GetCheckpointAsync())));
        Assert.All(notes, n => Assert.Equal(notes[0], n));
        Assert.True(SignedNote.Parse(notes[0]).Verify([NoteKey.Create(Origin, RelayKey.Public)]).Ok);
        var checkpoint = Checkpoint(notes[0]!);
        Assert.Equal(4, checkpoint.Size);
        Assert.Equal(await relay.GetRootAsync(4), checkpoint.Root);
    }

    private static RelayCheckpoint Checkpoint(byte[] note) =>
        RelayCheckpoint.TryParse(SignedNote.Parse(note), out var checkpoint, out var problem) ? checkpoint! : throw new InvalidOperationException(problem);
}
