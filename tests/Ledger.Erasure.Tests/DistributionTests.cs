using Ledger.Kernel;
using Ledger.Signing;

namespace Ledger.Erasure.Tests;

/// <summary>Subject keys travel between replicas only wrapped for one recipient.</summary>
public class DistributionTests
{
    [Fact]
    [Trait("Risk", "E2")]
    public void A_wrapped_key_opens_only_at_the_replica_it_names_and_carries_no_key_bytes_in_clear()
    {
        var random = new SeededRandom("wrap");
        using var b = ReplicaKeyPair.Generate(random);
        using var c = ReplicaKeyPair.Generate(random);
        var subject = SubjectId.New(random);
        var key = SubjectKey.Generate(random);
        var wrapped = WrappedSubjectKey.Wrap(subject, key, new AuthorId("replica-b"), b.PublicKey.Span, random);
        Assert.True(wrapped.Bytes.Span.IndexOf(key) < 0);

        var output = new byte[SubjectKey.Length];
        Assert.True(wrapped.TryUnwrap(new AuthorId("replica-b"), b, output, out _));
        Assert.Equal(key, output);
        Assert.False(wrapped.TryUnwrap(new AuthorId("replica-c"), c, output, out var wrongReplica));
        Assert.Equal(KeyWrapProblem.NotForThisReplica, wrongReplica.Problem);
        Assert.False(wrapped.TryUnwrap(new AuthorId("replica-b"), c, output, out var wrongKey));
        Assert.Equal(KeyWrapProblem.NotForThisReplica, wrongKey.Problem);
    }

    [Fact]
    public void Replicas_share_keys_and_refuse_a_conflicting_or_foreign_one()
    {
        var random = new SeededRandom("share");
        using var storeA = new InMemorySubjectKeyStore();
        using var storeB = new InMemorySubjectKeyStore();
        using var keyA = SigningKey.FromSeed(new byte[32]);
        var a = new ErasureReplica("l", new AuthorId("a"), keyA, ReplicaKeyPair.Generate(random), storeA, random: random);
        var b = new ErasureReplica("l", new AuthorId("b"), keyA, ReplicaKeyPair.Generate(random), storeB, random: random);
        var subject = a.NewSubject();
        var wrapped = a.WrapFor(subject, b.Id, b.PublicKey.Span);
        Assert.Equal(KeyImportStatus.Imported, b.Import(wrapped.Bytes).Status);
        Assert.Equal(KeyImportStatus.AlreadyHeld, b.Import(wrapped.Bytes).Status);
        var forged = WrappedSubjectKey.Wrap(subject, SubjectKey.Generate(random), b.Id, b.PublicKey.Span, random);
        Assert.Equal(KeyImportStatus.Conflict, b.Import(forged.Bytes).Status);
        Assert.Equal(KeyImportStatus.Invalid, a.Import(wrapped.Bytes).Status);
        Assert.Equal(SubjectKeyStatus.Held, b.Locate(subject).Status);
        Assert.Throws<SubjectKeyUnavailableException>(() => a.WrapFor(SubjectId.New(random), b.Id, b.PublicKey.Span));
    }

    [Fact]
    public void Reconcile_shreds_keys_of_subjects_erased_in_the_state_after_a_restore()
    {
        var random = new SeededRandom("reconcile");
        using var store = new InMemorySubjectKeyStore();
        var replica = new ErasureReplica("l", new AuthorId("a"), SigningKey.FromSeed(new byte[32]), ReplicaKeyPair.Generate(random), store, random: random);
        var kept = replica.NewSubject();
        var erased = replica.NewSubject();
        var kernel = new LedgerKernel(ErasureManifest.Use(new KernelOptions()));
        var till = new AuthorId("till");
        kernel.Apply(ErasureManifest.Manifest.CreateOp(ErasureManifest.EraseVerb, new EraseArgs(erased.Value), till, 1, Hash32.Zero, new BranchId(till, "main"), 1, Guid.Empty));
        var restored = LedgerKernel.Restore(CheckpointCodec.Encode(kernel.CreateCheckpoint()), ErasureManifest.Use(new KernelOptions()));
        Assert.Equal([erased], replica.Reconcile(restored.State));
        Assert.Equal(SubjectKeyStatus.Shredded, store.Status(erased));
        Assert.Equal(SubjectKeyStatus.Held, store.Status(kept));
        Assert.Empty(replica.Reconcile(restored.State));
    }
}
