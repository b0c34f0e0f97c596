using Ledger.Kernel;
using MessagePack;

namespace Ledger.Erasure.Tests;

/// <summary>Sealed fields inside op args and rows: opaque to the fold, open only in read models.</summary>
public class SealedFieldTests
{
    private static readonly AuthorId Till = new("till-1");

    [Fact]
    public void A_sealed_field_round_trips_inside_messagepack_args_as_a_bin_of_its_envelope()
    {
        var random = new SeededRandom("args");
        using var store = new InMemorySubjectKeyStore();
        var subject = SubjectId.New(random);
        store.Add(subject, SubjectKey.Generate(random));
        var op = new OpRef(Till, 2);
        var sealer = new Sealer(store, random);
        var args = new RegisterArgs(subject.Value, sealer.Seal(subject, "Ada", op, "name"), sealer.Seal(subject, "ada@example.org", op, "email"), "acct-1", 5);
        var bytes = Crm.RegisterVerb.EncodeArgs(args);
        var reader = new MessagePackReader(bytes);
        Assert.Equal(5, reader.ReadArrayHeader());
        reader.Skip();
        Assert.Equal(MessagePackType.Binary, reader.NextMessagePackType);
        var decoded = Crm.RegisterVerb.DecodeArgs(bytes);
        Assert.Equal(args.Name, decoded.Name);
        Assert.Equal("Ada", new Unsealer(store).Open(decoded.Name, op, "name").Value);
        Assert.Equal("ada@example.org", new Unsealer(store).Open(decoded.Email, op, "email").Value);
        Assert.DoesNotContain("Ada", args.Name.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Risk", "E2")]
    public void The_fold_never_opens_a_sealed_field_so_keys_change_nothing_and_even_a_damaged_envelope_folds()
    {
        var random = new SeededRandom("opaque");
        using var store = new InMemorySubjectKeyStore();
        var subject = SubjectId.New(random);
        store.Add(subject, SubjectKey.Generate(random));
        var sealer = new Sealer(store, random);
        var branch = new BranchId(Till, "main");
        var good = Crm.Manifest.CreateOp(Crm.RegisterVerb, new RegisterArgs(subject.Value, sealer.Seal(subject, "Ada", new OpRef(Till, 1), "name"),
            sealer.Seal(subject, "a@b.c", new OpRef(Till, 1), "email"), "acct", 7), Till, 1, Hash32.Zero, branch, 1, Guid.Empty);
        var damaged = Crm.Manifest.CreateOp(Crm.RegisterVerb, new RegisterArgs(SubjectId.New(random).Value, Sealed<string>.FromEnvelope("garbage"u8),
            Sealed<string>.FromEnvelope([]), "acct-2", 3), Till, 2, good.ChainHash, branch, 2, Guid.Empty);

        var kernel = new LedgerKernel(Crm.Manifest);
        Assert.Equal(ApplyStatus.Folded, kernel.Apply(good).Status);
        Assert.Equal(ApplyStatus.Folded, kernel.Apply(damaged).Status);
        Assert.Equal(10, kernel.State.Get(Crm.Accounts, "credit-granted"));

        // The row keeps the ciphertext exactly; a read model opens it from the row, trusting its authenticated header.
        Assert.True(kernel.State.TryGet(Crm.Customers, branch, subject.Value, out var row));
        Assert.Equal("Ada", new Unsealer(store).Open(row.Name).Value);
        store.Shred(subject);
        Assert.True(new Unsealer(store).Open(row.Name).IsErased);
        Assert.Equal("(erased)", new Unsealer(store).Open(row.Name).ValueOr("(erased)"));
    }

    [Fact]
    public void An_erase_op_folded_before_the_shred_already_reads_as_erased_in_the_read_model()
    {
        var random = new SeededRandom("between");
        using var store = new InMemorySubjectKeyStore();
        var subject = SubjectId.New(random);
        store.Add(subject, SubjectKey.Generate(random));
        var field = new Sealer(store, random).Seal(subject, "Ada", new OpRef(Till, 1), "name");
        var kernel = new LedgerKernel(ErasureManifest.Use(new KernelOptions()));
        var erase = ErasureManifest.Manifest.CreateOp(ErasureManifest.EraseVerb, new EraseArgs(subject.Value), Till, 1, Hash32.Zero, new BranchId(Till, "main"), 1, Guid.Empty);
        Assert.Equal(ApplyStatus.Folded, kernel.Apply(erase).Status);
        Assert.Equal(SubjectKeyStatus.Held, store.Status(subject));
        Assert.True(Unsealer.For(store, kernel.State).Open(field).IsErased);
        Assert.Equal("Ada", new Unsealer(store).Open(field).Value);
    }

    [Fact]
    public void An_erase_op_naming_something_that_is_not_a_pseudonym_is_refused_by_every_replica()
    {
        var kernel = new LedgerKernel(ErasureManifest.Use(new KernelOptions()));
        var erase = ErasureManifest.Manifest.CreateOp(ErasureManifest.EraseVerb, new EraseArgs("alice@example.org"), Till, 1, Hash32.Zero, new BranchId(Till, "main"), 1, Guid.Empty);
        var result = kernel.Apply(erase);
        Assert.Equal(ApplyStatus.Refused, result.Status);
        Assert.Equal("rule:not-a-subject", result.RefusalCode);
        Assert.Empty(kernel.State.ErasedSubjects());
        Assert.False(ErasureManifest.TryReadErase(erase, out _));
    }

    [Fact]
    public void Sealing_needs_the_subjects_key_and_is_refused_after_a_shred()
    {
        var random = new SeededRandom("refuse");
        using var store = new InMemorySubjectKeyStore();
        var sealer = new Sealer(store, random);
        var subject = SubjectId.New(random);
        Assert.Equal(SubjectKeyStatus.Unknown, Assert.Throws<SubjectKeyUnavailableException>(() => sealer.Seal(subject, "x", new OpRef(Till, 1), "name")).Status);
        store.Add(subject, SubjectKey.Generate(random));
        sealer.Seal(subject, "x", new OpRef(Till, 1), "name");
        store.Shred(subject);
        Assert.Equal(SubjectKeyStatus.Shredded, Assert.Throws<SubjectKeyUnavailableException>(() => sealer.Seal(subject, "x", new OpRef(Till, 1), "name")).Status);
        Assert.Throws<ArgumentException>(() => sealer.Seal(subject, "x", new OpRef(Till, 1), "Name"));
    }

    [Fact]
    public void A_subject_without_its_key_here_reads_as_key_not_held_not_as_erased()
    {
        var random = new SeededRandom("missing");
        using var owner = new InMemorySubjectKeyStore();
        using var other = new InMemorySubjectKeyStore();
        var subject = SubjectId.New(random);
        owner.Add(subject, SubjectKey.Generate(random));
        var field = new Sealer(owner, random).Seal(subject, "Ada", new OpRef(Till, 1), "name");
        var result = new Unsealer(other).Open(field);
        Assert.Equal(UnsealStatus.KeyNotHeld, result.Status);
        Assert.False(result.IsErased);
        Assert.Throws<InvalidOperationException>(() => result.Value);
    }

    [Fact]
    public void Provenance_lists_every_sealed_field_of_a_subject_without_any_key()
    {
        using var shop = new ShopScenario();
        var log = shop.FullLog.Select(o => o.Op).ToArray();
        var alice = SubjectProvenance.Find(log, shop.Alice);
        Assert.Equal(
            [new CiphertextLocation(new OpRef(shop.A.Id, 2), "email"), new CiphertextLocation(new OpRef(shop.A.Id, 2), "name"),
             new CiphertextLocation(new OpRef(shop.A.Id, 4), "buyer-address"), new CiphertextLocation(new OpRef(shop.B.Id, 3), "recipient-address")],
            alice);
        var order = log.Single(o => o.Ref == new OpRef(shop.A.Id, 4));
        Assert.Equal([shop.Alice, shop.Bob], SubjectProvenance.SealedFields(order).Select(e => e.Subject));
    }
}
