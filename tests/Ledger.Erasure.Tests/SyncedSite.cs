using System.Collections.Concurrent;
using System.Text;
using Ledger.Kernel;
using Ledger.Signing;
using Ledger.Sync;

namespace Ledger.Erasure.Tests;

/// <summary>One replica over Ledger.Sync: a <see cref="DeviceNode"/> on a SQLite node store, with its own link to the
/// relay (switch it off to take the site offline), and the erasure side on a SQLite key store — both in the site's
/// own directory. The node's post-commit hook is the documented one-liner: every confirmation the replica signs
/// goes to an outbox, delivered to the controller when the site is next online.</summary>
internal sealed class SyncedSite : IAsyncDisposable
{
    private readonly ConcurrentQueue<ErasureConfirmation> _outbox = new();
    private readonly Hash32 _nextKeyDigest;

    public SyncedSite(string name, string root, IRelayProtocol link)
    {
        Name = name;
        Directory = Path.Combine(root, name);
        System.IO.Directory.CreateDirectory(Directory);
        Key = SigningKey.FromSeed(Hash32.Sha256(Encoding.UTF8.GetBytes($"{name}/0")).ToArray());
        using (var next = SigningKey.FromSeed(Hash32.Sha256(Encoding.UTF8.GetBytes($"{name}/1")).ToArray())) _nextKeyDigest = next.Public.Digest;
        Id = AuthorIdentity.Derive(name, Key.Public, _nextKeyDigest);
        Random = new SeededRandom("synced/" + name);
        KeyPair = ReplicaKeyPair.Generate(Random);
        Link = new SwitchableLink(link);
        Keys = new SqliteSubjectKeyStore(KeyStorePath);
        Erasure = new ErasureReplica(TestReplica.Ledger, Id, Key, KeyPair, new SwitchableShreds(Keys, this), Clock, Random);
        Node = null!;
    }

    /// <summary>Incepts the site's node (called once, right after construction).</summary>
    public async Task StartAsync()
    {
        Node = await DeviceNode.InceptAsync(Options(), new SqliteNodeStore(NodeStorePath), Key, Name, _nextKeyDigest);
        Assert.Equal(Id, Node.Author);
    }

    public string Name { get; }

    public string Directory { get; }

    public SigningKey Key { get; }

    public AuthorId Id { get; }

    public SeededRandom Random { get; }

    public ReplicaKeyPair KeyPair { get; }

    public SteppingClock Clock { get; } = new();

    /// <summary>This site's link to the relay; <c>Online = false</c> takes the site off the network.</summary>
    public SwitchableLink Link { get; }

    public SqliteSubjectKeyStore Keys { get; private set; }

    /// <summary>True: the replica's key store fails every shred (a disk error), as <see cref="ISubjectKeyStore.Shred"/> may.</summary>
    public bool FailShreds { get; set; }

    public ErasureReplica Erasure { get; private set; }

    public DeviceNode Node { get; private set; }

    public string NodeStorePath => Path.Combine(Directory, "node.db");

    public string KeyStorePath => Path.Combine(Directory, "keys.db");

    /// <summary>Confirmations signed here and not yet delivered.</summary>
    public IReadOnlyList<ErasureConfirmation> Outbox => _outbox.ToArray();

    public Task<AppendReceipt> AppendAsync<TArgs>(Manifest manifest, Verb<TArgs> verb, TArgs args) => Node.AppendAsync(manifest, verb, args);

    /// <summary>One sync round with the relay; when it reached the relay and <paramref name="controller"/> is given,
    /// the outbox goes to the controller's case too (the same network). Returns what the case answered to each.</summary>
    public async Task<(SyncResult Sync, IReadOnlyList<(ErasureConfirmation Confirmation, ConfirmationAcceptance Answer)> Delivered)> SyncAsync(ErasureCase? controller = null)
    {
        var sync = await Node.SyncAsync(Link);
        var delivered = new List<(ErasureConfirmation, ConfirmationAcceptance)>();
        if (!sync.Offline && controller is not null)
        {
            while (_outbox.TryDequeue(out var confirmation)) delivered.Add((confirmation, controller.Accept(confirmation)));
        }

        return (sync, delivered);
    }

    /// <summary>Imports the subject's key wrapped for this site by <paramref name="owner"/>.</summary>
    public KeyImportResult ImportFrom(SyncedSite owner, SubjectId subject)
    {
        var wrapped = owner.Erasure.WrapFor(subject, Id, Erasure.PublicKey.Span);
        return Node.Read(kernel => Erasure.Import(wrapped.Bytes, kernel.State));
    }

    /// <summary>The customer's name as this site's read model shows it, from its row on the owner's branch.</summary>
    public Unsealed<string> NameOf(SubjectId subject, AuthorId owner) => Node.Read(kernel =>
    {
        Assert.True(kernel.State.TryGet(Crm.Customers, new BranchId(owner, "main"), subject.Value, out var row), $"{Name} has no customer row for {subject}.");
        return Erasure.Unsealer(kernel.State).Open(row.Name);
    });

    public Hash32 BooksHash() => Node.Read(kernel => kernel.State.BooksHash());

    public IReadOnlyList<string> ErasedSubjects() => Node.Read(kernel => kernel.State.ErasedSubjects());

    /// <summary>Every op the node holds, from its store.</summary>
    public async Task<IReadOnlyList<Op>> LogAsync() => (await Node.Store.ReadAllAsync().ToListAsync()).Select(r => SignedOpCodec.Decode(r.Bytes).Op).ToArray();

    /// <summary>Closes the node and the key store and opens both again from their files, with a fresh outbox
    /// (the handler's queue is in memory, as an app's would be unless it persists it).</summary>
    public async Task ReopenAsync()
    {
        await Node.DisposeAsync();
        Keys.Dispose();
        _outbox.Clear();
        Keys = new SqliteSubjectKeyStore(KeyStorePath);
        Erasure = new ErasureReplica(TestReplica.Ledger, Id, Key, KeyPair, new SwitchableShreds(Keys, this), Clock, Random);
        Node = await DeviceNode.OpenAsync(Options(), new SqliteNodeStore(NodeStorePath), Key);
    }

    /// <summary>The files of this site (node store, key store, their -wal/-shm) whose bytes contain <paramref name="needle"/>.</summary>
    public IReadOnlyList<string> FilesContaining(ReadOnlySpan<byte> needle) => FileScan.FilesContaining(Directory, needle);

    public async ValueTask DisposeAsync()
    {
        await Node.DisposeAsync();
        Keys.Dispose();
    }

    private NodeOptions Options() => new()
    {
        Ledger = TestReplica.Ledger,
        Manifests = new ManifestCatalog(Crm.Manifest, ErasureManifest.Manifest),
        Time = Clock,
        Folded = batch =>
        {
            foreach (var confirmation in Erasure.OnFolded(batch.Select(f => (f.Op, f.Result)))) _outbox.Enqueue(confirmation);
        },
    };

    /// <summary>The site's SQLite key store, whose shreds fail while the site's <see cref="FailShreds"/> is on.</summary>
    private sealed class SwitchableShreds(SqliteSubjectKeyStore inner, SyncedSite site) : ISubjectKeyStore
    {
        public KeyAddResult Add(SubjectId subject, ReadOnlySpan<byte> key) => inner.Add(subject, key);

        public SubjectKeyStatus TryRead(SubjectId subject, Span<byte> key) => inner.TryRead(subject, key);

        public SubjectKeyStatus Status(SubjectId subject) => inner.Status(subject);

        public ShredResult Shred(SubjectId subject) =>
            site.FailShreds ? throw new SubjectKeyStoreException(inner.Path, "disk I/O error (simulated).") : inner.Shred(subject);

        public IReadOnlyList<SubjectId> HeldSubjects() => inner.HeldSubjects();

        public void Dispose()
        {
            // The site owns the SQLite store and disposes it.
        }
    }
}
