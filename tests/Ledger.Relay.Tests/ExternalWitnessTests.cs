using Ledger.Sync;
using Ledger.Sync.AspNetCore;

namespace Ledger.Relay.Tests;

/// <summary>The relay submits its checkpoints to an external C2SP tlog-witness (add-checkpoint) and serves the
/// witness's cosignatures beside the checkpoint; a witness that refuses or signs with another key adds nothing.</summary>
public sealed class ExternalWitnessTests
{
    private static async Task<IReadOnlyList<NoteKey>> CosignedAtAsync(Sync.Relay relay, NoteKey witness, long size)
    {
        foreach (var bytes in await relay.GetCosignaturesAsync())
        {
            var note = SignedNote.Parse(bytes);
            if (RelayCheckpoint.TryParse(note, out var checkpoint, out _) && checkpoint!.Size == size && note.Verify([World.Trusted(relay)]).Ok)
            {
                var ok = Cosignatures.Verify(note, [witness], out _);
                if (ok.Count > 0) return ok;
            }
        }

        return [];
    }

    [Fact]
    [Trait("Risk", "D4")]
    public async Task Each_grown_checkpoint_goes_to_the_external_witness_with_a_consistency_proof_and_its_cosignature_is_served()
    {
        var relay = World.NewRelay();
        await using var witness = await TestTlogWitness.StartAsync(World.Trusted(relay));
        await using var host = await World.StartAsync(o => o.AddLedger(relay).AddWitness(World.Ledger, new TlogWitness(witness.Prefix, witness.Key)));
        using var http = World.Http(host);
        var client = World.Client(http);
        var chain = World.Chain("wit-a", 9);
        await client.PushAsync(chain.Take(4).Select(o => o.Bytes).ToArray());
        Assert.True(await host.Server.SubmitToWitnessesAsync(), "the witness cosigned size 4");
        Assert.Equal(4, witness.Size);
        await client.PushAsync(chain.Skip(4).Select(o => o.Bytes).ToArray());
        Assert.True(await host.Server.SubmitToWitnessesAsync(), "the witness cosigned size 10 from 4 (a consistency proof)");
        Assert.Equal(10, witness.Size);

        // Served over HTTP beside the checkpoint, verifiable with the witness's key alone.
        var served = await client.GetCosignaturesAsync();
        Assert.Contains(served, b => Cosignatures.Verify(SignedNote.Parse(b), [witness.Key], out _).Count == 1
                                     && RelayCheckpoint.TryParse(SignedNote.Parse(b), out var c, out _) && c!.Size == 10);
        Assert.NotEmpty(await CosignedAtAsync(relay, witness.Key, 4));
        Assert.Equal(0, host.Server.WitnessFailures);

        // A relay restarted (no memory of what the witness holds) asks with old 0, is told 10 (409), and proves from there.
        await client.PushAsync(World.Chain("wit-b", 2).Select(o => o.Bytes).ToArray());
        await using var restarted = await World.StartAsync(o => o.AddLedger(relay).AddWitness(World.Ledger, new TlogWitness(witness.Prefix, witness.Key)));
        Assert.True(await restarted.Server.SubmitToWitnessesAsync());
        Assert.Equal(13, witness.Size);
        Assert.NotEmpty(await CosignedAtAsync(relay, witness.Key, 13));
    }

    [Fact]
    [Trait("Risk", "D4")]
    public async Task A_witness_that_refuses_or_cosigns_with_another_key_adds_no_cosignature_and_the_relay_keeps_serving()
    {
        var relay = World.NewRelay();
        await using var witness = await TestTlogWitness.StartAsync(World.Trusted(relay));
        await using var host = await World.StartAsync(o => o.AddLedger(relay).AddWitness(World.Ledger, new TlogWitness(witness.Prefix, witness.Key)));
        using var http = World.Http(host);
        var client = World.Client(http);
        witness.SignWithWrongKey = true;
        var answer = await client.PushAsync(World.Chain("wit-c", 2).Select(o => o.Bytes).ToArray());
        Assert.All(answer.Results, r => Assert.Equal(IngestStatus.Accepted, r.Status));
        Assert.False(await host.Server.SubmitToWitnessesAsync());
        witness.SignWithWrongKey = false;
        witness.ForceStatus = 403;
        await client.PushAsync(World.Chain("wit-d", 0).Select(o => o.Bytes).ToArray());
        Assert.False(await host.Server.SubmitToWitnessesAsync());
        Assert.True(host.Server.WitnessFailures >= 2);
        Assert.Empty(await relay.GetCosignaturesAsync());
        Assert.Equal(4, (await client.PullAsync(0, 100)).Ops.Count);

        // The witness recovers: the next submission is cosigned.
        witness.ForceStatus = null;
        Assert.True(await host.Server.SubmitToWitnessesAsync());
        Assert.NotEmpty(await CosignedAtAsync(relay, witness.Key, 4));
    }
}
