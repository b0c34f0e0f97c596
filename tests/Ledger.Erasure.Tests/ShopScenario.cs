using Ledger.Kernel;
using Ledger.Signing;

namespace Ledger.Erasure.Tests;

/// <summary>Three shops share a ledger. Shop A registers Alice and Bob, shop B registers Carol; orders carry two
/// subjects' addresses in one op; every subject key is wrapped for the other shops. Names, e-mails and addresses
/// are sealed; accounts and cents are clear.</summary>
internal sealed class ShopScenario : IDisposable
{
    private readonly TempDirectory _root = new();

    public ShopScenario()
    {
        A = new TestReplica("shop-a", _root.Path);
        B = new TestReplica("shop-b", _root.Path);
        C = new TestReplica("shop-c", _root.Path);
        Alice = A.Erasure.NewSubject();
        Bob = A.Erasure.NewSubject();
        Carol = B.Erasure.NewSubject();
        foreach (var (owner, subject) in new[] { (A, Alice), (A, Bob), (B, Carol) })
        {
            foreach (var other in Replicas.Where(r => r != owner))
            {
                Assert.Equal(KeyImportStatus.Imported, owner.ShareKey(subject, other).Status);
            }
        }

        Register(A, Alice, "Alice Liddell", "alice.liddell@example.org", "acct-alice", 50_000);
        Register(A, Bob, "Bob Tables", "bob.tables@example.org", "acct-bob", 20_000);
        Register(B, Carol, "Carol Danvers", "carol.danvers@example.org", "acct-carol", 70_000);
        Order(A, "ord-1", Alice, "1 Rabbit Hole Lane, Oxford", Bob, "2 Drop Table Street, Leeds", 12_345);
        Order(B, "ord-2", Carol, "3 Binary Star Road, Hala", Alice, "4 Looking Glass Road, Oxford", 9_999);
        Exchange.Sync(A, B, C);
    }

    public TestReplica A { get; }

    public TestReplica B { get; }

    public TestReplica C { get; }

    public TestReplica[] Replicas => [A, B, C];

    public SubjectId Alice { get; }

    public SubjectId Bob { get; }

    public SubjectId Carol { get; }

    /// <summary>Every plaintext sealed for each subject.</summary>
    public Dictionary<SubjectId, List<string>> Plaintexts { get; } = [];

    /// <summary>Where each customer's row lives: (branch, subject).</summary>
    public Dictionary<SubjectId, BranchId> CustomerBranch { get; } = [];

    /// <summary>Every op of every author, in (author, seq) order.</summary>
    public IReadOnlyList<SignedOp> FullLog => Replicas.SelectMany(r => r.Log).DistinctBy(o => o.Ref).OrderBy(o => o.Op.Author).ThenBy(o => o.Op.Seq).ToArray();

    /// <summary>The customer's name as <paramref name="replica"/>'s read model shows it, from the row.</summary>
    public Unsealed<string> NameAt(TestReplica replica, SubjectId subject)
    {
        Assert.True(replica.Kernel.State.TryGet(Crm.Customers, CustomerBranch[subject], subject.Value, out var row));
        return replica.Unsealer.Open(row.Name);
    }

    /// <summary>Runs an erasure of <paramref name="subject"/> from shop A with the replicas given online.</summary>
    public (ErasureCase Case, SignedOp EraseOp) Erase(SubjectId subject, params TestReplica[] online)
    {
        var workflow = new ErasureWorkflow(TestReplica.Ledger, A.Id, A.Key, new SteppingClock());
        var erasure = workflow.Intake(subject, FullLog.Select(o => o.Op));
        erasure.Locate(Replicas.Select(r => r.Erasure));
        var op = erasure.Erase(A.Author);
        A.Receive(op);
        Exchange.Sync(online);
        Collect(erasure, online);
        return (erasure, op);
    }

    /// <summary>Hands the confirmations waiting at the replicas to the controller.</summary>
    public static void Collect(ErasureCase erasure, params TestReplica[] replicas)
    {
        foreach (var replica in replicas)
        {
            foreach (var confirmation in replica.Outbox) Assert.Equal(ConfirmationAcceptance.Accepted, erasure.Accept(confirmation));
            replica.Outbox.Clear();
        }
    }

    public void Dispose()
    {
        foreach (var replica in Replicas) replica.Dispose();
        _root.Dispose();
    }

    private void Register(TestReplica shop, SubjectId subject, string name, string email, string account, long credit)
    {
        var op = shop.NextOp;
        var args = new RegisterArgs(subject.Value, shop.Erasure.Sealer.Seal(subject, name, op, "name"), shop.Erasure.Sealer.Seal(subject, email, op, "email"), account, credit);
        shop.Append(Crm.Manifest, Crm.RegisterVerb, args);
        Remember(subject, name, email);
        CustomerBranch[subject] = shop.Author.Branch();
    }

    private void Order(TestReplica shop, string order, SubjectId buyer, string buyerAddress, SubjectId recipient, string recipientAddress, long cents)
    {
        var op = shop.NextOp;
        var sealer = shop.Erasure.Sealer;
        shop.Append(Crm.Manifest, Crm.OrderVerb, new OrderArgs(order, buyer.Value, sealer.Seal(buyer, buyerAddress, op, "buyer-address"),
            recipient.Value, sealer.Seal(recipient, recipientAddress, op, "recipient-address"), cents));
        Remember(buyer, buyerAddress);
        Remember(recipient, recipientAddress);
    }

    private void Remember(SubjectId subject, params string[] texts)
    {
        if (!Plaintexts.TryGetValue(subject, out var list)) Plaintexts[subject] = list = [];
        list.AddRange(texts);
    }
}
