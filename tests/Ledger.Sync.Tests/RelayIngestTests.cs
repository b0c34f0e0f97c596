using Ledger.Kernel;
using Ledger.Signing;
using Ledger.Sync;

namespace Ledger.Sync.Tests;

public class RelayIngestTests
{
    private static ReadOnlyMemory<byte>[] Bytes(IEnumerable<SignedOp> ops) => ops.Select(o => o.Bytes).ToArray();

    [Fact]
    [Trait("Risk", "G1")]
    public async Task The_same_batch_twice_is_acknowledged_twice_at_the_same_positions()
    {
        var relay = World.NewRelay();
        var chain = World.Chain("till", 4);
        var first = (await relay.PushAsync(Bytes(chain)));
        var second = (await relay.PushAsync(Bytes(chain)));
        Assert.All(first.Results, r => Assert.Equal(IngestStatus.Accepted, r.Status));
        Assert.All(second.Results, r => Assert.Equal(IngestStatus.Duplicate, r.Status));
        Assert.Equal(first.Results.Select(r => r.Position), second.Results.Select(r => r.Position));
        Assert.Equal(chain.Count, relay.Size);
    }

    [Fact]
    [Trait("Risk", "G1")]
    public async Task Reordered_batches_are_refused_with_send_from_seq_then_accepted_in_order()
    {
        var relay = World.NewRelay();
        var chain = World.Chain("till", 5);
        var late = (await relay.PushAsync(Bytes(chain.Skip(3))));
        Assert.All(late.Results, r => Assert.Equal(IngestRefusal.Gap, r.Refusal));
        Assert.Equal(1UL, late.Results[0].SendFromSeq);
        Assert.Contains("send from seq 1", late.Results[0].Detail);
        await relay.PushAsync(Bytes(chain.Take(3)));
        Assert.All((await relay.PushAsync(Bytes(chain.Skip(3)))).Results, r => Assert.Equal(IngestStatus.Accepted, r.Status));
        Assert.Equal(chain.Select(o => o.ChainHash), (await relay.PullAsync(0)).Ops.Select(o => Hash32.Sha256(o.Bytes.Span)));
    }

    [Fact]
    [Trait("Risk", "G1")]
    public async Task A_resend_after_a_relay_restart_gets_its_original_position()
    {
        var path = Path.Combine(World.TempDir(), "relay.db");
        var a = World.Chain("a", 3);
        var b = World.Chain("b", 3);
        IngestResponse first;
        using (var store = new SqliteRelayStore(path))
        {
            var relay = World.NewRelay(store);
            await relay.PushAsync(Bytes(a));
            first = (await relay.PushAsync(Bytes(b)));
        }

        using var reopened = new SqliteRelayStore(path);
        var restarted = World.NewRelay(reopened);
        var again = (await restarted.PushAsync(Bytes(b.Concat(a))));
        Assert.All(again.Results, r => Assert.Equal(IngestStatus.Duplicate, r.Status));
        Assert.Equal(first.Results.Select(r => r.Position), again.Results.Take(b.Count).Select(r => r.Position));
        var more = World.Chain("a", 4);
        Assert.Equal(IngestStatus.Accepted, (await restarted.PushAsync(Bytes(more.Skip(4)))).Results[0].Status);
    }

    [Fact]
    [Trait("Risk", "D4")]
    [Trait("Risk", "G1")]
    public async Task Another_op_at_a_taken_seq_is_refused_and_kept_as_client_fork_evidence()
    {
        var relay = World.NewRelay();
        var chain = World.Chain("till", 3);
        await relay.PushAsync(Bytes(chain));
        var author = chain[0].Op.Author;
        var twinOp = Ledger.TestDomain.TestManifest.V1.CreateOp(Ledger.TestDomain.TestManifest.AddTally, new Ledger.TestDomain.AmountArgs("other", 99),
            author, 3, chain[1].ChainHash, new BranchId(author, "main"), 5, Guid.Empty);
        var twin = SignedOpCodec.Sign(twinOp, World.Ledger, World.Key("till", 0));
        var result = (await relay.PushAsync([twin.Bytes])).Results.Single();
        Assert.Equal(IngestRefusal.Fork, result.Refusal);
        var evidence = Assert.Single((await relay.GetEvidenceAsync()));
        Assert.True(evidence.Verify().Valid);
        Assert.Equal(author.Value, evidence.Accused);
        Assert.Equal(chain.Count, relay.Size);
    }

    [Fact]
    [Trait("Category", "BadInput")]
    [Trait("Risk", "G1")]
    [Trait("Risk", "D1")]
    public async Task An_inception_whose_args_are_nil_is_refused_alone_and_the_honest_ops_of_its_batch_are_accepted()
    {
        var relay = World.NewRelay();
        var a = World.Chain("a", 2);
        var b = World.Chain("b", 2);
        // Issue 14, defect 1: args c0 (nil), signed by any key, once threw NullReferenceException out of the chain
        // verifier and dropped the whole batch. One for a new author, one at a seq the relay already holds.
        SignedOp NilInception(AuthorId author) => SignedOpCodec.Sign(KeyEvents.Manifest.CreateOpFromEncodedArgs(KeyEvents.InceptVerb, [0xc0], author, 1, Hash32.Zero,
            new BranchId(author, KeyEvents.BranchName), 5, Guid.Empty), World.Ledger, World.Key("mallory", 0));
        var stranger = AuthorIdentity.Derive("mallory", World.Key("mallory", 0).Public, World.Key("mallory", 1).Public.Digest);
        await relay.PushAsync(Bytes(b.Take(1)));

        var results = (await relay.PushAsync([a[0].Bytes, NilInception(stranger).Bytes, a[1].Bytes, NilInception(b[0].Op.Author).Bytes, .. Bytes(b.Skip(1)), a[2].Bytes])).Results;

        Assert.Equal(IngestRefusal.InvalidChain, results[1].Refusal);
        Assert.Equal(ChainBreak.BadKeyEvent, results[1].Break);
        Assert.Equal(IngestStatus.Refused, results[3].Status);
        Assert.Equal(IngestRefusal.InvalidChain, results[3].Refusal);
        Assert.All(new[] { 0, 2, 4, 5, 6 }, i => Assert.Equal(IngestStatus.Accepted, results[i].Status));
        Assert.Equal(a.Count + b.Count, relay.Size);
        Assert.Empty(await relay.GetEvidenceAsync());
    }

    [Fact]
    [Trait("Category", "BadInput")]
    [Trait("Risk", "G1")]
    public async Task Forged_mutated_truncated_oversized_and_foreign_input_is_refused_typed_and_nothing_stored_is_lost()
    {
        var relay = new Relay(new RelayOptions { Ledger = World.Ledger, MaxBatch = 8 }, new InMemoryRelayStore());
        var chain = World.Chain("till", 6);
        await relay.PushAsync(Bytes(chain.Take(3)));
        var before = (await relay.PullAsync(0)).Ops.Select(o => o.Bytes.ToArray()).ToArray();

        var forged = chain[3].Bytes.ToArray();
        forged[^3] ^= 0x55;
        var truncated = chain[3].Bytes[..^10];
        var random = new byte[200];
        new Random(1).NextBytes(random);
        AuthorLog.Incept("other-ledger", "x", World.Key("x", 0), World.Key("x", 1).Public.Digest, out var otherInception);

        var results = (await relay.PushAsync([forged, truncated, random, otherInception.Bytes, chain[5].Bytes])).Results;
        Assert.Equal(IngestRefusal.InvalidChain, results[0].Refusal);
        Assert.Equal(ChainBreak.BadSignature, results[0].Break);
        Assert.Equal(IngestRefusal.Malformed, results[1].Refusal);
        Assert.Equal(IngestRefusal.Malformed, results[2].Refusal);
        Assert.Equal(IngestRefusal.WrongLedger, results[3].Refusal);
        Assert.Equal(IngestRefusal.Gap, results[4].Refusal);
        Assert.All((await relay.PushAsync(Enumerable.Repeat(chain[3].Bytes, 9).ToArray())).Results, r => Assert.Equal(IngestRefusal.BatchTooLarge, r.Refusal));
        Assert.Equal(before, (await relay.PullAsync(0)).Ops.Select(o => o.Bytes.ToArray()).ToArray());

        // Every single-byte flip of a valid op is refused (or, if it still decodes, refused by the chain rules).
        var op = chain[3].Bytes.ToArray();
        for (var i = 0; i < op.Length; i += 5)
        {
            var m = (byte[])op.Clone();
            m[i] ^= 0x08;
            var r = (await relay.PushAsync([m])).Results.Single();
            Assert.Equal(IngestStatus.Refused, r.Status);
        }

        Assert.Equal(3, relay.Size);
    }

    [Fact]
    [Trait("Category", "BadInput")]
    [Trait("Risk", "G1")]
    [Trait("Risk", "D4")]
    public async Task In_a_large_batch_decoded_in_parallel_bad_ops_are_refused_at_their_index_and_the_tree_holds_exactly_the_accepted_ops()
    {
        var key = World.Key("relay", 0);
        var relay = new Relay(new RelayOptions { Ledger = World.Ledger, Origin = "relay.example/big", CheckpointKey = key, VerifyThreads = 2 }, new InMemoryRelayStore());
        var a = World.Chain("a", 39);
        var b = World.Chain("b", 39);
        var batch = a.Zip(b).SelectMany(p => new[] { p.First.Bytes, p.Second.Bytes }).ToArray(); // 80 ops, over the parallel threshold
        var truncated = batch[11][..^7];
        var flipped = batch[30].ToArray();
        flipped[5] ^= 0x40;
        batch[11] = truncated;
        batch[30] = flipped;

        Assert.NotNull((await relay.GetCheckpointAsync())); // the tree exists from here, so this batch's leaves come from the parallel pass
        var results = (await relay.PushAsync(batch)).Results;
        Assert.Equal(80, results.Count);
        Assert.Equal(Enumerable.Range(0, 80), results.Select(r => r.Index));
        Assert.Equal(IngestRefusal.Malformed, results[11].Refusal);
        Assert.Contains("signed op", results[11].Detail);
        Assert.Equal(IngestStatus.Refused, results[30].Status);
        // b's op at index 11 (seq 6) broke b's chain from there; a's op at index 30 (seq 16) broke a's from there.
        Assert.All(results.Where(r => r.Index % 2 == 1 && r.Index > 11), r => Assert.Equal(IngestStatus.Refused, r.Status));
        Assert.All(results.Where(r => r.Index % 2 == 0 && r.Index > 30), r => Assert.Equal(IngestStatus.Refused, r.Status));
        var held = results.Where(r => r.Held).ToArray();
        Assert.Equal(held.Length, relay.Size);

        // The relay's Merkle tree covers exactly the held ops, in position order: recomputed here from the bytes.
        var tree = new MerkleTree();
        foreach (var r in held.OrderBy(r => r.Position)) tree.Append(batch[r.Index].Span);
        Assert.Equal(tree.Root(), (await relay.GetRootAsync(relay.Size)));
    }

    [Fact]
    [Trait("Risk", "G1")]
    public async Task A_bad_op_in_a_batch_refuses_that_authors_later_ops_but_not_other_authors()
    {
        var relay = World.NewRelay();
        var a = World.Chain("a", 4);
        var b = World.Chain("b", 2);
        // a's third op carries a broken signature, and a fourth op is chained on it (so only the signature is wrong).
        var badBytes = a[2].Bytes.ToArray();
        badBytes[^1] ^= 1;
        var bad = SignedOpCodec.Decode(badBytes);
        var author = a[0].Op.Author;
        var onBad = SignedOpCodec.Sign(Ledger.TestDomain.TestManifest.V1.CreateOp(Ledger.TestDomain.TestManifest.AddTally, new Ledger.TestDomain.AmountArgs("k", 1),
            author, 4, bad.ChainHash, new BranchId(author, "main"), 9, Guid.Empty), World.Ledger, World.Key("a", 0));
        var batch = new[] { a[0].Bytes, a[1].Bytes, b[0].Bytes, bad.Bytes, b[1].Bytes, onBad.Bytes, b[2].Bytes };
        var results = (await relay.PushAsync(batch)).Results;
        Assert.Equal([IngestStatus.Accepted, IngestStatus.Accepted, IngestStatus.Accepted, IngestStatus.Refused, IngestStatus.Accepted, IngestStatus.Refused, IngestStatus.Accepted],
            results.Select(r => r.Status));
        Assert.Equal(ChainBreak.BadSignature, results[3].Break);
        Assert.Equal(IngestRefusal.AfterRefused, results[5].Refusal);
        Assert.Equal(5, relay.Size);
        // The author continues from where the relay's chain is.
        Assert.All((await relay.PushAsync(Bytes(a.Skip(2)))).Results, r => Assert.Equal(IngestStatus.Accepted, r.Status));
    }

    [Fact]
    [Trait("Risk", "G1")]
    public async Task Signatures_checked_before_the_gate_under_an_authors_last_key_never_let_an_op_under_a_rotated_out_or_broken_key_in()
    {
        var relay = World.NewRelay();
        var log = AuthorLog.Incept(World.Ledger, "rot", World.Key("rot", 0), World.Key("rot", 1).Public.Digest, out var inception);
        var first = log.Append(Ledger.TestDomain.TestManifest.V1, Ledger.TestDomain.TestManifest.AddTally, new Ledger.TestDomain.AmountArgs("k", 1));
        Assert.All((await relay.PushAsync([inception.Bytes, first.Bytes])).Results, r => Assert.Equal(IngestStatus.Accepted, r.Status));

        // The relay now checks this author's ops under key 0 before its gate (PreparedBatch). A rotation to key 1 and,
        // chained on it, an op signed with key 0: its early check under key 0 passes, but the chain refuses the key.
        var rotation = log.Rotate(World.Key("rot", 1), World.Key("rot", 2).Public.Digest, 1);
        var author = inception.Op.Author;
        var stale = SignedOpCodec.Sign(Ledger.TestDomain.TestManifest.V1.CreateOp(Ledger.TestDomain.TestManifest.AddTally, new Ledger.TestDomain.AmountArgs("k", 2),
            author, rotation.Op.Seq + 1, rotation.ChainHash, new BranchId(author, "main"), 9, Guid.Empty), World.Ledger, World.Key("rot", 0));
        var results = (await relay.PushAsync([rotation.Bytes, stale.Bytes])).Results;
        Assert.Equal([IngestStatus.Accepted, IngestStatus.Refused], results.Select(r => r.Status));
        Assert.Equal(ChainBreak.StaleKey, results[1].Break);

        // Under the new key the author goes on, and a broken signature under the key the relay expects is still refused.
        var next = log.Append(Ledger.TestDomain.TestManifest.V1, Ledger.TestDomain.TestManifest.AddTally, new Ledger.TestDomain.AmountArgs("k", 3));
        var broken = next.Bytes.ToArray();
        broken[^1] ^= 1;
        Assert.Equal(ChainBreak.BadSignature, (await relay.PushAsync([broken])).Results.Single().Break);
        Assert.Equal(IngestStatus.Accepted, (await relay.PushAsync([next.Bytes])).Results.Single().Status);
        Assert.Equal(4, relay.Size);
    }

    [Fact]
    [Trait("Risk", "G1")]
    public void A_check_made_before_the_gate_counts_only_for_the_very_key_it_used()
    {
        var chain = World.Chain("early", 2);
        var author = chain[0].Op.Author;
        var key0 = World.Key("early", 0).Public;
        var key1 = World.Key("early", 1).Public;
        var broken = chain[1].Bytes.ToArray();
        broken[^1] ^= 1;
        var hints = new System.Collections.Concurrent.ConcurrentDictionary<AuthorId, VerificationKey>();
        hints[author] = key0;
        var prepared = PreparedBatch.Of([chain[1].Bytes, broken, new byte[] { 0xc1 }], hints, new ParallelOptions { MaxDegreeOfParallelism = 1 });

        // Checked under key 0: the result counts for key 0 only; under any other key the op must be checked again.
        Assert.True(prepared.TryGetCheck(0, key0, out var verified) && verified);
        Assert.False(prepared.TryGetCheck(0, key1, out _));
        Assert.True(prepared.TryGetCheck(1, key0, out verified) && !verified);
        Assert.False(prepared.TryGetCheck(2, key0, out _));
        Assert.NotNull(prepared.Malformed[2]);

        // No hint for the author: nothing was checked early.
        var none = PreparedBatch.Of([chain[1].Bytes], new System.Collections.Concurrent.ConcurrentDictionary<AuthorId, VerificationKey>(), new ParallelOptions());
        Assert.False(none.TryGetCheck(0, key0, out _));
        Assert.Equal(MerkleTree.LeafHash(chain[1].Bytes.Span), none.Leaves[0]);
    }

    [Fact]
    [Trait("Risk", "B3")]
    [Trait("Risk", "G1")]
    public async Task A_full_store_acknowledges_no_repeat_of_an_op_it_could_not_hold()
    {
        var relay = new Relay(new RelayOptions { Ledger = World.Ledger }, new InMemoryRelayStore(capBytes: 64));
        var chain = World.Chain("till", 2);
        // The batch repeats its own ops: nothing of it fits, so neither the ops nor their repeats may be acknowledged.
        var response = (await relay.PushAsync(Bytes(chain.Concat(chain))));
        Assert.All(response.Results, r => Assert.False(r.Held, $"op {r.Index} was acknowledged ({r.Status}) but the store holds nothing"));
        Assert.All(response.Results.Take(chain.Count), r => Assert.Equal(IngestRefusal.StoreFull, r.Refusal));
        Assert.Equal(0, relay.Size);
    }

    [Fact]
    [Trait("Risk", "D4")]
    public void A_relay_origin_that_cannot_name_a_checkpoint_key_is_refused_at_start()
    {
        var error = Assert.Throws<ArgumentException>(() => new Relay(new RelayOptions { Ledger = World.Ledger, Origin = "relay example" }, new InMemoryRelayStore()));
        Assert.Contains("Origin", error.Message);
    }
}
