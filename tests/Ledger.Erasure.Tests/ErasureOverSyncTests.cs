using System.Text;
using Ledger.Kernel;
using Ledger.Signing;
using Ledger.Sync;

namespace Ledger.Erasure.Tests;

/// <summary>The E2 witnesses over Ledger.Sync: the erase op travels through the relay like any op; every node shreds
/// in its post-commit hook (<see cref="NodeOptions.Folded"/> → <see cref="ErasureReplica.OnFolded"/>) when it folds
/// the op; the confirmations reach the controller's case, and each certificate lists exactly the nodes that confirmed.</summary>
public abstract class ErasureOverSyncTests
{
    /// <summary>A site's link to the relay: the in-memory transport here; over HTTP to a Kestrel relay in
    /// Ledger.Relay.Tests (HttpErasureOverSyncTests), which runs these same tests.</summary>
    protected virtual Task<IRelayProtocol> ConnectAsync(Sync.Relay relay) => Task.FromResult<IRelayProtocol>(new InMemoryRelayTransport(relay));

    [Fact]
    [Trait("Risk", "E2")]
    public async Task A_node_export_never_holds_a_subject_key_or_sealed_plaintext_so_an_erase_reaches_backups_too()
    {
        await using var shops = await SyncedShops.CreateAsync(ConnectAsync);
        var aliceKey = new byte[SubjectKey.Length];
        Assert.Equal(SubjectKeyStatus.Held, shops.A.Keys.TryRead(shops.Alice, aliceKey));
        foreach (var site in shops.Sites)
        {
            var export = await site.Node.ExportAsync();
            // The customer rows travel in the export (sealed), the key that opens them does not.
            Assert.True(export.AsSpan().IndexOf(aliceKey) < 0, $"{site.Name}'s export holds Alice's subject key");
            foreach (var text in SyncedShops.AlicePlaintexts) Assert.True(export.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) < 0, $"{site.Name}'s export holds '{text}' in clear");
            Assert.True(NodeExport.Decode(export).Verify().Ok);
        }
    }

    [Fact]
    [Trait("Risk", "E2")]
    public async Task Erase_over_sync_reaches_three_nodes_through_the_relay_one_offline_during_the_erase_and_each_certificate_lists_exactly_the_nodes_that_confirmed()
    {
        await using var shops = await SyncedShops.CreateAsync(ConnectAsync);
        var (a, b, c) = (shops.A, shops.B, shops.C);
        var booksBefore = Assert.Single(shops.Sites.Select(s => s.BooksHash()).Distinct());
        var stateBefore = Assert.Single(shops.Sites.Select(s => s.Node.StateHash()).Distinct());
        var aliceKey = new byte[SubjectKey.Length];
        Assert.Equal(SubjectKeyStatus.Held, a.Keys.TryRead(shops.Alice, aliceKey));
        foreach (var site in shops.Sites)
        {
            Assert.Equal("Alice Liddell", site.NameOf(shops.Alice, a.Id).Value);
            // The file scan below can fail: before the shred every site's key store holds Alice's key.
            Assert.NotEmpty(site.FilesContaining(aliceKey));
            Assert.Empty(site.Outbox);
        }

        // The controller (on A) takes the request; each site reports where the key is. Then C drops off the network.
        var erasure = new ErasureWorkflow(TestReplica.Ledger, a.Id, a.Key, new SteppingClock()).Intake(shops.Alice, await a.LogAsync());
        erasure.Locate(shops.Sites.Select(s => s.Erasure));
        c.Link.Online = false;

        // The erase op is an ordinary append on A's node; A's own fold runs the hook, which shreds at once.
        var receipt = await a.AppendAsync(ErasureManifest.Manifest, ErasureManifest.EraseVerb, new EraseArgs(shops.Alice.Value));
        Assert.Equal(ApplyStatus.Folded, receipt.Fold.Status);
        erasure.UseEraseOp(receipt.Signed.Op);
        var eraseRef = EraseOpRef.Of(receipt.Signed.Op);
        Assert.Equal(SubjectKeyStatus.Shredded, a.Keys.Status(shops.Alice));
        Assert.Single(a.Outbox);

        // A and B sync: A pushes the op through the relay, B pulls and folds it; each confirmation reaches the case.
        var fromA = await a.SyncAsync(erasure);
        Assert.Equal(DurabilityRung.Durable, a.Node.DurabilityOf(receipt.Op).Rung);
        var fromB = await b.SyncAsync(erasure);
        Assert.True(fromB.Sync.Pulled > 0);
        foreach (var (site, delivered) in new[] { (a, fromA.Delivered), (b, fromB.Delivered) })
        {
            var (confirmation, answer) = Assert.Single(delivered);
            Assert.Equal(ConfirmationAcceptance.Accepted, answer);
            Assert.Equal(site.Id, confirmation.Replica);
            Assert.Equal(ConfirmationOutcome.Shredded, confirmation.Outcome);
            Assert.Equal(eraseRef, confirmation.EraseOp);
            Assert.Equal(SubjectKeyStatus.Shredded, site.Keys.Status(shops.Alice));
            Assert.True(site.NameOf(shops.Alice, a.Id).IsErased);
        }

        // C is offline: the round reaches nothing, C never saw the erase op, still holds the key and reads the name.
        var offline = await c.SyncAsync(erasure);
        Assert.True(offline.Sync.Offline);
        Assert.Empty(offline.Delivered);
        Assert.Empty(c.Outbox);
        Assert.Equal(SubjectKeyStatus.Held, c.Keys.Status(shops.Alice));
        Assert.Equal("Alice Liddell", c.NameOf(shops.Alice, a.Id).Value);
        Assert.Empty(c.ErasedSubjects());

        var trusted = shops.Sites.ToDictionary(s => s.Id, s => s.Key.Public);
        var first = erasure.Certify();
        Assert.Equal(new[] { a.Id, b.Id }.Order(), first.ConfirmedReplicas.Order());
        Assert.Equal([c.Id], first.Pending);
        Assert.False(first.Complete);
        var firstVerdict = ErasureCertificateVerifier.Verify(first.Bytes, trusted);
        Assert.True(firstVerdict.IsValid, firstVerdict.ToString());

        // C comes back: it pulls the erase op from the relay, its hook shreds and confirms, the confirmation goes out.
        c.Link.Online = true;
        var fromC = await c.SyncAsync(erasure);
        Assert.False(fromC.Sync.Offline);
        var (late, lateAnswer) = Assert.Single(fromC.Delivered);
        Assert.Equal(ConfirmationAcceptance.Accepted, lateAnswer);
        Assert.Equal(c.Id, late.Replica);
        Assert.Equal(ConfirmationOutcome.Shredded, late.Outcome);
        Assert.Equal(eraseRef, late.EraseOp);

        var second = erasure.Certify();
        Assert.Equal(shops.Sites.Select(s => s.Id).Order(), second.ConfirmedReplicas.Order());
        Assert.Empty(second.Pending);
        Assert.True(second.Complete);
        var verdict = ErasureCertificateVerifier.Verify(second.Bytes, trusted);
        Assert.True(verdict.IsValid, verdict.ToString());
        Assert.True(verdict.KeysAnchored);
        Assert.Equal(shops.Alice, verdict.Certificate!.Subject);
        Assert.Equal(eraseRef, verdict.Certificate.EraseOp);
        Assert.Equal(
            [new CiphertextLocation(new OpRef(a.Id, 2), "email"), new CiphertextLocation(new OpRef(a.Id, 2), "name"), new CiphertextLocation(new OpRef(a.Id, 4), "buyer-address"), new CiphertextLocation(new OpRef(b.Id, 3), "recipient-address")],
            second.Remains);

        // One more round everywhere: nothing left to deliver, and every node holds the same ops.
        foreach (var site in shops.Sites) Assert.Empty((await site.SyncAsync(erasure)).Delivered);
        var stateAfter = Assert.Single(shops.Sites.Select(s => s.Node.StateHash()).Distinct());
        Assert.NotEqual(stateBefore, stateAfter);
        foreach (var site in shops.Sites)
        {
            Assert.Empty(site.Node.HandlerFaults);
            Assert.Equal(booksBefore, site.BooksHash());
            Assert.Equal([shops.Alice.Value], site.ErasedSubjects());
            Assert.Equal(SubjectKeyStatus.Shredded, site.Keys.Status(shops.Alice));
            Assert.True(site.NameOf(shops.Alice, a.Id).IsErased);
            Assert.True(new Unsealer(site.Keys).Open(ReadName(site, shops.Alice, a.Id)).IsErased);
            Assert.Equal("Bob Tables", site.NameOf(shops.Bob, a.Id).Value);
            Assert.Equal("Carol Danvers", site.NameOf(shops.Carol, b.Id).Value);

            // No file of the node — its op store and its key store, with their -wal/-shm — holds the key or a plaintext.
            Assert.Contains("node.db", Directory.EnumerateFiles(site.Directory).Select(Path.GetFileName));
            Assert.Empty(site.FilesContaining(aliceKey));
            foreach (var text in SyncedShops.AlicePlaintexts) Assert.Empty(site.FilesContaining(Encoding.UTF8.GetBytes(text)));
        }
    }

    [Fact]
    [Trait("Risk", "E2")]
    public async Task Erase_over_sync_a_node_reopened_from_its_sqlite_store_resurrects_no_key_and_its_repeated_confirmation_is_answered_already_confirmed()
    {
        await using var shops = await SyncedShops.CreateAsync(ConnectAsync);
        var a = shops.A;
        var erasure = new ErasureWorkflow(TestReplica.Ledger, a.Id, a.Key, new SteppingClock()).Intake(shops.Alice, await a.LogAsync());
        erasure.Locate(shops.Sites.Select(s => s.Erasure));
        var receipt = await a.AppendAsync(ErasureManifest.Manifest, ErasureManifest.EraseVerb, new EraseArgs(shops.Alice.Value));
        erasure.UseEraseOp(receipt.Signed.Op);
        foreach (var site in shops.Sites) Assert.Equal(ConfirmationAcceptance.Accepted, Assert.Single((await site.SyncAsync(erasure)).Delivered).Answer);
        var certified = erasure.Certify();
        Assert.True(certified.Complete);
        var state = Assert.Single(shops.Sites.Select(s => s.Node.StateHash()).Distinct());

        foreach (var site in shops.Sites)
        {
            // Close node and key store, open both from their files: the node folds its whole log again and the hook
            // runs again over the erase op. The key stays gone; the other subjects' keys stay held.
            await site.ReopenAsync();
            Assert.Equal(state, site.Node.StateHash());
            Assert.Empty(site.Node.HandlerFaults);
            Assert.Equal(SubjectKeyStatus.Shredded, site.Keys.Status(shops.Alice));
            Assert.True(site.NameOf(shops.Alice, a.Id).IsErased);
            Assert.Equal("Bob Tables", site.NameOf(shops.Bob, a.Id).Value);
            Assert.Equal("Carol Danvers", site.NameOf(shops.Carol, shops.B.Id).Value);

            // The repeated confirmation says "absent" (the key was already gone when the hook ran again) ...
            var again = Assert.Single(site.Outbox);
            Assert.Equal(ConfirmationOutcome.Absent, again.Outcome);
            Assert.Equal(EraseOpRef.Of(receipt.Signed.Op), again.EraseOp);
            Assert.Equal(site.Id, again.Replica);
            Assert.True(again.VerifySignature());

            // ... and the case answers AlreadyConfirmed, keeping the first one.
            var round = await site.SyncAsync(erasure);
            Assert.Equal(0, round.Sync.Pulled);
            Assert.Equal(ConfirmationAcceptance.AlreadyConfirmed, Assert.Single(round.Delivered).Answer);

            // A copy of Alice's key made before the shred is refused by the reopened node.
            var copy = WrappedSubjectKey.Wrap(shops.Alice, new byte[SubjectKey.Length], site.Id, site.Erasure.PublicKey.Span, site.Random);
            Assert.Equal(KeyImportStatus.Erased, site.Node.Read(k => site.Erasure.Import(copy.Bytes, k.State)).Status);
            Assert.Equal(SubjectKeyStatus.Shredded, site.Keys.Status(shops.Alice));
        }

        var after = erasure.Certify();
        Assert.Equal(certified.Confirmations.Select(x => x.Bytes.ToArray()), after.Confirmations.Select(x => x.Bytes.ToArray()));
        Assert.All(after.Confirmations, x => Assert.Equal(ConfirmationOutcome.Shredded, x.Outcome));
        Assert.Empty(after.Pending);
        Assert.Single(shops.Sites.Select(s => s.Node.StateHash()).Append(state).Distinct());
    }

    [Fact]
    [Trait("Risk", "E2")]
    public async Task Erase_over_sync_a_node_whose_shred_fails_in_the_hook_keeps_the_fault_stays_pending_and_shreds_and_confirms_when_reopened()
    {
        await using var shops = await SyncedShops.CreateAsync(ConnectAsync);
        var (a, b) = (shops.A, shops.B);
        var erasure = new ErasureWorkflow(TestReplica.Ledger, a.Id, a.Key, new SteppingClock()).Intake(shops.Alice, await a.LogAsync());
        erasure.Locate(shops.Sites.Select(s => s.Erasure));
        var receipt = await a.AppendAsync(ErasureManifest.Manifest, ErasureManifest.EraseVerb, new EraseArgs(shops.Alice.Value));
        erasure.UseEraseOp(receipt.Signed.Op);

        // B's key store fails the shred: the fold goes on (B's state records the erase), the fault is kept, and
        // B sends no confirmation — so the certificate keeps B pending rather than claiming a shred that did not happen.
        b.FailShreds = true;
        foreach (var site in shops.Sites) await site.SyncAsync(erasure);
        var fault = Assert.Single(b.Node.HandlerFaults);
        Assert.IsType<SubjectKeyStoreException>(fault);
        Assert.Equal([shops.Alice.Value], b.ErasedSubjects());
        Assert.Equal(SubjectKeyStatus.Held, b.Keys.Status(shops.Alice));
        Assert.True(b.NameOf(shops.Alice, a.Id).IsErased); // the read model follows the state, not the key store
        Assert.Empty(b.Outbox);
        var first = erasure.Certify();
        Assert.Equal([b.Id], first.Pending);
        Assert.Equal(new[] { a.Id, shops.C.Id }.Order(), first.ConfirmedReplicas.Order());

        // Reopened with a working store, B folds its log again; the hook shreds now and confirms "shredded".
        b.FailShreds = false;
        await b.ReopenAsync();
        Assert.Empty(b.Node.HandlerFaults);
        Assert.Equal(SubjectKeyStatus.Shredded, b.Keys.Status(shops.Alice));
        var (confirmation, answer) = Assert.Single((await b.SyncAsync(erasure)).Delivered);
        Assert.Equal(ConfirmationAcceptance.Accepted, answer);
        Assert.Equal(ConfirmationOutcome.Shredded, confirmation.Outcome);
        var second = erasure.Certify();
        Assert.True(second.Complete);
        Assert.Equal(shops.Sites.Select(s => s.Id).Order(), second.ConfirmedReplicas.Order());
        Assert.True(ErasureCertificateVerifier.Verify(second.Bytes, shops.Sites.ToDictionary(s => s.Id, s => s.Key.Public)).IsValid);
    }

    private static Sealed<string> ReadName(SyncedSite site, SubjectId subject, AuthorId owner) => site.Node.Read(kernel =>
    {
        Assert.True(kernel.State.TryGet(Crm.Customers, new BranchId(owner, "main"), subject.Value, out var row));
        return row.Name;
    });
}

/// <summary>Three shops on one relay, each a <see cref="SyncedSite"/>. Shop A registers Alice and Bob, shop B
/// registers Carol; two orders carry two subjects' addresses each; every subject key is wrapped for the other shops;
/// everything is synced to every node.</summary>
internal sealed class SyncedShops : IAsyncDisposable
{
    public static readonly string[] AlicePlaintexts = ["Alice Liddell", "alice.liddell@example.org", "1 Rabbit Hole Lane, Oxford", "4 Looking Glass Road, Oxford"];

    private readonly TempDirectory _root = new();

    private SyncedShops(Sync.Relay relay, IRelayProtocol[] links)
    {
        Relay = relay;
        A = new SyncedSite("shop-a", _root.Path, links[0]);
        B = new SyncedSite("shop-b", _root.Path, links[1]);
        C = new SyncedSite("shop-c", _root.Path, links[2]);
        Alice = A.Erasure.NewSubject();
        Bob = A.Erasure.NewSubject();
        Carol = B.Erasure.NewSubject();
    }

    public Sync.Relay Relay { get; }

    public SyncedSite A { get; }

    public SyncedSite B { get; }

    public SyncedSite C { get; }

    public SyncedSite[] Sites => [A, B, C];

    public SubjectId Alice { get; }

    public SubjectId Bob { get; }

    public SubjectId Carol { get; }

    /// <summary>The relay signs checkpoints (over HTTP the tree size is learnt from them); <paramref name="connect"/>
    /// gives each site its link to it.</summary>
    public static async Task<SyncedShops> CreateAsync(Func<Sync.Relay, Task<IRelayProtocol>> connect)
    {
        var relay = new Sync.Relay(new RelayOptions { Ledger = TestReplica.Ledger, CheckpointKey = SigningKey.FromSeed(Hash32.Sha256("erasure relay"u8).ToArray()) }, new InMemoryRelayStore());
        var links = new IRelayProtocol[3];
        for (var i = 0; i < links.Length; i++) links[i] = await connect(relay);
        var shops = new SyncedShops(relay, links);
        try
        {
            foreach (var site in shops.Sites) await site.StartAsync();
            await shops.PopulateAsync();
            return shops;
        }
        catch
        {
            await shops.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var site in Sites) await site.DisposeAsync();
        _root.Dispose();
    }

    private async Task PopulateAsync()
    {
        foreach (var (owner, subject) in new[] { (A, Alice), (A, Bob), (B, Carol) })
        {
            foreach (var other in Sites.Where(s => s != owner)) Assert.Equal(KeyImportStatus.Imported, other.ImportFrom(owner, subject).Status);
        }

        await RegisterAsync(A, Alice, "Alice Liddell", "alice.liddell@example.org", "acct-alice", 50_000);
        await RegisterAsync(A, Bob, "Bob Tables", "bob.tables@example.org", "acct-bob", 20_000);
        await RegisterAsync(B, Carol, "Carol Danvers", "carol.danvers@example.org", "acct-carol", 70_000);
        await OrderAsync(A, "ord-1", Alice, "1 Rabbit Hole Lane, Oxford", Bob, "2 Drop Table Street, Leeds", 12_345);
        await OrderAsync(B, "ord-2", Carol, "3 Binary Star Road, Hala", Alice, "4 Looking Glass Road, Oxford", 9_999);

        // Two rounds: after the second, every node holds every op (each author's inception included).
        for (var round = 0; round < 2; round++)
        {
            foreach (var site in Sites) Assert.False((await site.SyncAsync()).Sync.Offline);
        }

        Assert.Single(Sites.Select(s => s.Node.StateHash()).Distinct());
    }

    private static async Task RegisterAsync(SyncedSite shop, SubjectId subject, string name, string email, string account, long credit)
    {
        var sealer = shop.Erasure.Sealer;
        OpRef sealedFor = default;
        var receipt = await shop.Node.AppendAsync(Crm.Manifest, Crm.RegisterVerb, op =>
        {
            sealedFor = op;
            return new RegisterArgs(subject.Value, sealer.Seal(subject, name, op, "name"), sealer.Seal(subject, email, op, "email"), account, credit);
        });
        Assert.Equal(sealedFor, receipt.Op);
        Assert.Equal(ApplyStatus.Folded, receipt.Fold.Status);
    }

    private static async Task OrderAsync(SyncedSite shop, string order, SubjectId buyer, string buyerAddress, SubjectId recipient, string recipientAddress, long cents)
    {
        var sealer = shop.Erasure.Sealer;
        OpRef sealedFor = default;
        var receipt = await shop.Node.AppendAsync(Crm.Manifest, Crm.OrderVerb, op =>
        {
            sealedFor = op;
            return new OrderArgs(order, buyer.Value, sealer.Seal(buyer, buyerAddress, op, "buyer-address"),
                recipient.Value, sealer.Seal(recipient, recipientAddress, op, "recipient-address"), cents);
        });
        Assert.Equal(sealedFor, receipt.Op);
        Assert.Equal(ApplyStatus.Folded, receipt.Fold.Status);
    }
}
