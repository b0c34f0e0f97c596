using System.Text;
using Ledger.Kernel;
using Ledger.Signing;

namespace Ledger.Erasure.Tests;

/// <summary>The E2 witnesses: erasing a subject destroys its key everywhere and leaves the chain, the books and
/// every other subject as they were.</summary>
public class ErasureWitnessTests
{
    [Fact]
    [Trait("Risk", "E2")]
    public void Books_intact_after_an_erase_the_chain_verifies_the_books_are_byte_identical_others_still_read_and_no_file_holds_the_key_or_plaintext()
    {
        using var shop = new ShopScenario();
        foreach (var r in shop.Replicas) r.Persist();
        var booksBefore = shop.Replicas.Select(r => r.Kernel.State.BooksHash()).ToArray();
        var stateBefore = shop.Replicas.Select(r => r.Kernel.StateHash()).ToArray();
        Assert.Single(booksBefore.Distinct());

        Span<byte> aliceKey = stackalloc byte[SubjectKey.Length];
        Assert.Equal(SubjectKeyStatus.Held, shop.A.Store.TryRead(shop.Alice, aliceKey));
        var aliceKeyBytes = aliceKey.ToArray();
        foreach (var r in shop.Replicas)
        {
            // The scan can fail: before the shred every replica's files hold Alice's key (the key store's WAL).
            Assert.NotEmpty(r.FilesContaining(aliceKeyBytes));
            Assert.Equal("Alice Liddell", shop.NameAt(r, shop.Alice).Value);
        }

        var (erasure, _) = shop.Erase(shop.Alice, shop.Replicas);
        foreach (var r in shop.Replicas) r.Persist();

        foreach (var r in shop.Replicas)
        {
            // The chain verifies: every author's ops, the erase op included, as this replica holds them.
            foreach (var chain in r.Log.GroupBy(o => o.Op.Author))
            {
                var report = ChainVerifier.Verify(TestReplica.Ledger, chain.OrderBy(o => o.Op.Seq).ToArray());
                Assert.True(report.Ok, report.ToString());
            }

            // Every table but $erased is byte-identical; the state differs by exactly the $erased row.
            Assert.Equal(booksBefore[0], r.Kernel.State.BooksHash());
            Assert.NotEqual(stateBefore[0], r.Kernel.StateHash());
            Assert.Equal([shop.Alice.Value], r.Kernel.State.ErasedSubjects());

            // Alice reads as erased, without throwing; Bob and Carol still read.
            Assert.True(shop.NameAt(r, shop.Alice).IsErased);
            Assert.Equal("Bob Tables", shop.NameAt(r, shop.Bob).Value);
            Assert.Equal("Carol Danvers", shop.NameAt(r, shop.Carol).Value);
            Assert.Equal(SubjectKeyStatus.Shredded, r.Store.Status(shop.Alice));

            // No file of the replica — key store, its -wal/-shm/-journal, log, checkpoint — holds the key or a plaintext.
            Assert.Contains("keys.db", r.Files());
            Assert.Contains("log.chain", r.Files());
            Assert.Contains("state.checkpoint", r.Files());
            Assert.Empty(r.FilesContaining(aliceKeyBytes));
            foreach (var text in shop.Plaintexts[shop.Alice]) Assert.Empty(r.FilesContaining(Encoding.UTF8.GetBytes(text)));
        }

        Assert.Equal(3, erasure.Confirmations.Count);
        Assert.Equal(2, erasure.Remains.Count(p => p.Field.EndsWith("address", StringComparison.Ordinal)));
    }

    [Fact]
    [Trait("Risk", "E2")]
    public void Replay_after_erase_a_fresh_replica_without_any_key_reaches_the_state_hash_of_the_replicas_that_shredded()
    {
        using var shop = new ShopScenario();
        shop.Erase(shop.Bob, shop.Replicas);
        var shredded = shop.Replicas.Select(r => r.Kernel.StateHash()).Distinct().ToArray();
        Assert.Single(shredded);

        // A fresh replica: no key store at all, the whole log in another legal order (authors reversed).
        var fresh = new LedgerKernel(ErasureManifest.Use(KeyEvents.Use(new KernelOptions().Use(Crm.Manifest))));
        foreach (var op in shop.FullLog.OrderByDescending(o => o.Op.Author).ThenBy(o => o.Op.Seq))
        {
            Assert.Equal(ApplyStatus.Folded, fresh.Apply(op.Op).Status);
        }

        Assert.Equal(shredded[0], fresh.StateHash());
        Assert.Equal([shop.Bob.Value], fresh.State.ErasedSubjects());
    }

    [Fact]
    [Trait("Risk", "E2")]
    public void Propagation_a_replica_offline_during_the_erase_shreds_and_confirms_when_the_erase_op_reaches_it_and_certificates_list_exactly_who_confirmed()
    {
        using var shop = new ShopScenario();
        var (erasure, eraseOp) = shop.Erase(shop.Carol, shop.A, shop.B);

        // C was offline: it still holds Carol's key and reads her name; the certificate says so.
        Assert.Equal(SubjectKeyStatus.Held, shop.C.Store.Status(shop.Carol));
        Assert.Equal("Carol Danvers", shop.NameAt(shop.C, shop.Carol).Value);
        var first = erasure.Certify();
        Assert.Equal(new[] { shop.A.Id, shop.B.Id }.Order(), first.ConfirmedReplicas.Order());
        Assert.Equal([shop.C.Id], first.Pending);
        Assert.False(first.Complete);
        Assert.True(ErasureCertificateVerifier.Verify(first.Bytes).IsValid);

        // C comes back and receives the erase op: its handler shreds and confirms.
        Exchange.Sync(shop.A, shop.B, shop.C);
        var confirmation = Assert.Single(shop.C.Outbox);
        Assert.Equal(ConfirmationOutcome.Shredded, confirmation.Outcome);
        Assert.Equal(EraseOpRef.Of(eraseOp.Op), confirmation.EraseOp);
        ShopScenario.Collect(erasure, shop.C);
        Assert.Equal(SubjectKeyStatus.Shredded, shop.C.Store.Status(shop.Carol));
        Assert.True(shop.NameAt(shop.C, shop.Carol).IsErased);

        var second = erasure.Certify();
        Assert.Equal(shop.Replicas.Select(r => r.Id).Order(), second.ConfirmedReplicas.Order());
        Assert.Empty(second.Pending);
        Assert.True(second.Complete);
        var trusted = shop.Replicas.ToDictionary(r => r.Id, r => r.Key.Public);
        var verdict = ErasureCertificateVerifier.Verify(second.Bytes, trusted);
        Assert.True(verdict.IsValid, verdict.ToString());
        Assert.True(verdict.KeysAnchored);
        Assert.Equal(shop.Carol, verdict.Certificate!.Subject);
        Assert.Equal(EraseOpRef.Of(eraseOp.Op), verdict.Certificate.EraseOp);

        // What remains is ciphertext only: Carol's sealed fields, located without a key.
        Assert.Equal(
            [new CiphertextLocation(new OpRef(shop.B.Id, 2), "email"), new CiphertextLocation(new OpRef(shop.B.Id, 2), "name"), new CiphertextLocation(new OpRef(shop.B.Id, 3), "buyer-address")],
            second.Remains);

        // A key for Carol that arrives late (a copy made before the shred) is discarded everywhere.
        var late = WrappedSubjectKey.Wrap(shop.Carol, new byte[SubjectKey.Length], shop.C.Id, shop.C.Erasure.PublicKey.Span, shop.C.Random);
        Assert.Equal(KeyImportStatus.Erased, shop.C.Erasure.Import(late.Bytes, shop.C.Kernel.State).Status);
    }
}
