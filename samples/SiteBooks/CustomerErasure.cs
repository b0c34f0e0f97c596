using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Ledger.Erasure;
using Ledger.Kernel;
using Ledger.Signing;
using SiteBooks.Domain;

namespace SiteBooks;

/// <summary>The crypto-shred step of the demo: the front desks of three sites register customers with sealed names
/// and invoice them (manifest v3, signed chains), share the customers' keys wrapped per site, then erase one
/// customer. Everything printed is measured: whether any site can still recover the name (open it, or find the
/// key or the name in any file it wrote), whether every chain verifies, whether the books are byte-identical,
/// and the id of a certificate that verifies against the sites' keys.</summary>
public static class CustomerErasure
{
    private const string Ledger = "sitebooks";

    /// <summary>Runs the step; <c>Ok</c> is false when a witness fails.</summary>
    public static (string Line, bool Ok) Run(int seed)
    {
        var random = new SeedRandom(seed);
        var root = Path.Combine(Path.GetTempPath(), "sitebooks-erasure-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)));
        var desks = new[] { "site-a", "site-b", "site-c" }.Select(site => new Desk(site, root, seed, random)).ToArray();
        try
        {
            return Run(desks, random);
        }
        finally
        {
            foreach (var desk in desks) desk.Dispose();
            Directory.Delete(root, recursive: true);
        }
    }

    private static (string Line, bool Ok) Run(Desk[] desks, SeedRandom random)
    {
        // Customers registered at each desk; each customer's key is wrapped for the other two sites.
        var names = new Dictionary<SubjectId, string>();
        var home = new Dictionary<SubjectId, Desk>();
        string[] people = ["Ada Lovelace", "Grace Hopper", "Alan Turing", "Edsger Dijkstra", "Barbara Liskov", "Donald Knuth", "Frances Allen", "Tony Hoare", "Radia Perlman"];
        for (var i = 0; i < people.Length; i++)
        {
            var desk = desks[i % desks.Length];
            var subject = desk.Erasure.NewSubject();
            foreach (var other in desks.Where(d => d != desk))
            {
                other.Erasure.Import(desk.Erasure.WrapFor(subject, other.Id, other.Erasure.PublicKey.Span).Bytes, other.Kernel.State);
            }

            var op = new OpRef(desk.Id, desk.Author.Seq + 1);
            desk.Append(Books.RegisterCustomer, new CustomerArgs(subject.Value, desk.Erasure.Sealer.Seal(subject, people[i], op, "name"), 100_000 + (random.Next(90) * 1_000)));
            desk.Append(Books.PostInvoiceV2, new InvoiceArgs($"{desk.Id.Value}-inv-{i}", subject.Value, 1_000 + (random.Next(50_000))));
            names[subject] = people[i];
            home[subject] = desk;
        }

        Exchange(desks);
        var booksBefore = desks.Select(d => d.Kernel.State.BooksHash()).ToArray();
        foreach (var desk in desks) desk.SnapshotKeys();

        // The erasure: intake at site A, locate the key on every site, the signed erase op, confirmations, certificate.
        var victim = names.Keys.First();
        var workflow = new ErasureWorkflow(Ledger, desks[0].Id, desks[0].Key, desks[0].Clock);
        var erasure = workflow.Intake(victim, desks[0].Log.Select(o => o.Op));
        erasure.Locate(desks.Select(d => d.Erasure));
        desks[0].Receive(erasure.Erase(desks[0].Author));
        Exchange(desks);
        foreach (var desk in desks)
        {
            foreach (var confirmation in desk.Outbox) erasure.Accept(confirmation);
            desk.Persist();
        }

        var certificate = erasure.Certify();
        var verdict = ErasureCertificateVerifier.Verify(certificate.Bytes, desks.ToDictionary(d => d.Id, d => d.Key.Public));
        var certified = verdict.IsValid && certificate.Complete && certificate.ConfirmedReplicas.Count == desks.Length;

        // Measured, not asserted: can any site still get the name back?
        var nameBytes = Encoding.UTF8.GetBytes(names[victim]);
        var piiRecoverable = desks.Any(d => d.NameOf(home[victim], victim).IsOpen || d.FilesContaining(nameBytes) || d.FilesContaining(desks[0].KeySnapshot(victim)));
        var othersRead = names.Where(n => n.Key != victim).All(n => desks.All(d => d.NameOf(home[n.Key], n.Key).ValueOr("") == n.Value));
        var chainOk = desks.All(d => d.Log.GroupBy(o => o.Op.Author).All(chain => ChainVerifier.Verify(Ledger, chain.OrderBy(o => o.Op.Seq).ToArray()).Ok));
        var booksIdentical = desks.Select((d, i) => d.Kernel.State.BooksHash() == booksBefore[i] && booksBefore[i] == booksBefore[0]).All(x => x);
        var line = string.Create(CultureInfo.InvariantCulture,
            $"ERASE subject={victim} piiRecoverable={(piiRecoverable ? 'Y' : 'N')} chainOk={(chainOk ? 'Y' : 'N')} booksIdentical={(booksIdentical ? 'Y' : 'N')} certificate={(certified ? certificate.Id : "invalid")}");
        return (line, !piiRecoverable && chainOk && booksIdentical && certified && othersRead);
    }

    private static void Exchange(Desk[] desks)
    {
        var all = desks.SelectMany(d => d.Log).DistinctBy(o => o.Ref).OrderBy(o => o.Op.Author).ThenBy(o => o.Op.Seq).ToArray();
        foreach (var desk in desks)
        {
            foreach (var op in all) desk.Receive(op);
        }
    }

    /// <summary>One site's front desk: a signed author, a kernel, a SQLite key store, all in its own directory.</summary>
    private sealed class Desk : IDisposable
    {
        private readonly HashSet<OpRef> _known = [];
        private readonly string _directory;
        private readonly Dictionary<SubjectId, byte[]> _keySnapshots = [];
        private int _ops;

        public Desk(string site, string root, int seed, SeedRandom random)
        {
            _directory = Path.Combine(root, site);
            Directory.CreateDirectory(_directory);
            Clock = new DemoClock(1_767_340_800_000);
            Key = SigningKey.FromSeed(Seed(site, seed, 0));
            using var next = SigningKey.FromSeed(Seed(site, seed, 1));
            Author = AuthorLog.Incept(Ledger, site + "-desk", Key, next.Public.Digest, out var inception, 0, Clock, _ => new Guid(Seed(site, seed, 2 + _ops++).AsSpan(0, 16)));
            Kernel = new LedgerKernel(ErasureManifest.Use(KeyEvents.Use(new KernelOptions { Manifests = Books.History(), CheckDeterminism = true })));
            Store = new SqliteSubjectKeyStore(Path.Combine(_directory, "keys.db"));
            Erasure = new ErasureReplica(Ledger, Author.Author, Key, ReplicaKeyPair.Generate(random), Store, Clock, random);
            Receive(inception);
        }

        public DemoClock Clock { get; }

        public SigningKey Key { get; }

        public AuthorLog Author { get; }

        public AuthorId Id => Author.Author;

        public LedgerKernel Kernel { get; }

        public SqliteSubjectKeyStore Store { get; }

        public ErasureReplica Erasure { get; }

        public List<SignedOp> Log { get; } = [];

        public List<ErasureConfirmation> Outbox { get; } = [];

        public void Append<TArgs>(Verb<TArgs> verb, TArgs args) => Receive(Author.Append(Books.V3, verb, args));

        public void Receive(SignedOp op)
        {
            if (!_known.Add(op.Ref)) return;
            Log.Add(op);
            var result = Kernel.Apply(op.Op);
            if (Erasure.OnApplied(op.Op, result) is { } confirmation) Outbox.Add(confirmation);
        }

        /// <summary>The customer's name as this site's read model shows it.</summary>
        public Unsealed<string> NameOf(Desk home, SubjectId subject) =>
            Kernel.State.TryGet(Books.Customers, home.Author.Branch(), subject.Value, out var row)
                ? Erasure.Unsealer(Kernel.State).Open(row.Name)
                : default;

        /// <summary>The subject's key as this site held it before any shred (the file scan looks for these bytes).</summary>
        public byte[] KeySnapshot(SubjectId subject)
        {
            if (!_keySnapshots.TryGetValue(subject, out var key)) throw new InvalidOperationException($"no key snapshot of {subject}.");
            return key;
        }

        /// <summary>Writes the log and a checkpoint beside the key store, as a device would; remembers keys first.</summary>
        public void Persist()
        {
            File.WriteAllBytes(Path.Combine(_directory, "log.chain"), ChainFile.Encode(Ledger, Log));
            File.WriteAllBytes(Path.Combine(_directory, "state.checkpoint"), CheckpointCodec.Encode(Kernel.CreateCheckpoint()));
        }

        /// <summary>Takes copies of every key this site holds, for the scan after the shred.</summary>
        public void SnapshotKeys()
        {
            foreach (var subject in Store.HeldSubjects())
            {
                var key = new byte[SubjectKey.Length];
                Store.TryRead(subject, key);
                _keySnapshots[subject] = key;
            }
        }

        // The key store's lock file (-ledger-lock) is held exclusively while the store is open and never holds a byte:
        // its length is checked instead of its contents.
        public bool FilesContaining(byte[] needle) =>
            Directory.EnumerateFiles(_directory, "*", SearchOption.AllDirectories).Any(f => f.EndsWith("-ledger-lock", StringComparison.Ordinal)
                ? new FileInfo(f).Length > 0
                : File.ReadAllBytes(f).AsSpan().IndexOf(needle) >= 0);

        public void Dispose() => Store.Dispose();

        private static byte[] Seed(string site, int seed, int index) =>
            SHA256.HashData(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"sitebooks/{site}/{seed}/{index}")));
    }

    /// <summary>An edge clock for the desks: one second per reading from a fixed start, so runs are reproducible.</summary>
    private sealed class DemoClock(long startUnixMs) : TimeProvider
    {
        private long _now = startUnixMs;

        public override DateTimeOffset GetUtcNow() => DateTimeOffset.FromUnixTimeMilliseconds(Interlocked.Add(ref _now, 1000));
    }

    /// <summary>Reproducible randomness from the demo's seed (SHA-256 in counter mode): the same seed gives the same
    /// pseudonyms, keys and nonces on every machine. A real app uses the system generator.</summary>
    private sealed class SeedRandom(int seed) : RandomNumberGenerator
    {
        private ulong _counter;

        public int Next(int max)
        {
            Span<byte> bytes = stackalloc byte[4];
            GetBytes(bytes);
            return (int)(BinaryPrimitives.ReadUInt32BigEndian(bytes) % (uint)max);
        }

        public override void GetBytes(byte[] data) => GetBytes(data.AsSpan());

        public override void GetBytes(Span<byte> data)
        {
            Span<byte> input = stackalloc byte[12];
            Span<byte> block = stackalloc byte[32];
            BinaryPrimitives.WriteInt32BigEndian(input, seed);
            while (data.Length > 0)
            {
                BinaryPrimitives.WriteUInt64BigEndian(input[4..], _counter++);
                SHA256.HashData(input, block);
                var n = Math.Min(data.Length, block.Length);
                block[..n].CopyTo(data);
                data = data[n..];
            }
        }
    }
}
