using System.Security.Cryptography;
using System.Text;
using Ledger.Kernel;
using Ledger.Signing;

namespace Ledger.Erasure.Tests;

/// <summary>One replica of a test ledger: a device author with its own chain, a kernel, a SQLite key store in its
/// own directory, and the erasure side. It writes its log and a checkpoint into that directory too, so a file
/// scan covers everything a replica persists.</summary>
internal sealed class TestReplica : IDisposable
{
    public const string Ledger = "erasure-tests";

    private readonly HashSet<OpRef> _known = [];

    public TestReplica(string name, string root, RandomNumberGenerator? random = null)
    {
        Name = name;
        Directory = Path.Combine(root, name);
        System.IO.Directory.CreateDirectory(Directory);
        Key = SigningKey.FromSeed(Hash32.Sha256(Encoding.UTF8.GetBytes($"{name}/0")).ToArray());
        var next = SigningKey.FromSeed(Hash32.Sha256(Encoding.UTF8.GetBytes($"{name}/1")).ToArray());
        Author = AuthorLog.Incept(Ledger, name, Key, next.Public.Digest, out var inception, 0, new SteppingClock(), _ids.Next);
        Kernel = new LedgerKernel(ErasureManifest.Use(KeyEvents.Use(new KernelOptions().Use(Crm.Manifest))));
        Store = new SqliteSubjectKeyStore(Path.Combine(Directory, "keys.db"));
        Random = random ?? new SeededRandom("replica/" + name);
        Erasure = new ErasureReplica(Ledger, Author.Author, Key, ReplicaKeyPair.Generate(Random), Store, new SteppingClock(), Random);
        Receive(inception);
    }

    public string Name { get; }

    public string Directory { get; }

    public SigningKey Key { get; }

    public AuthorLog Author { get; }

    public AuthorId Id => Author.Author;

    public LedgerKernel Kernel { get; }

    public SqliteSubjectKeyStore Store { get; }

    public RandomNumberGenerator Random { get; }

    public ErasureReplica Erasure { get; }

    /// <summary>Every op this replica holds, in the order it applied them.</summary>
    public List<SignedOp> Log { get; } = [];

    /// <summary>Confirmations this replica signed, waiting to be sent to the controller.</summary>
    public List<ErasureConfirmation> Outbox { get; } = [];

    public Unsealer Unsealer => Erasure.Unsealer(Kernel.State);

    /// <summary>The seq the author's next op will have: sealing binds to it.</summary>
    public OpRef NextOp => new(Id, Author.Seq + 1);

    public SignedOp Append<TArgs>(Manifest manifest, Verb<TArgs> verb, TArgs args)
    {
        var op = Author.Append(manifest, verb, args);
        Receive(op);
        return op;
    }

    /// <summary>Applies an op this replica lacks and runs the post-commit handler.</summary>
    public void Receive(SignedOp op)
    {
        if (!_known.Add(op.Ref)) return;
        Log.Add(op);
        var result = Kernel.Apply(op.Op);
        Assert.True(result.Status is ApplyStatus.Folded, $"{Name}: {result}");
        if (Erasure.OnApplied(op.Op, result) is { } confirmation) Outbox.Add(confirmation);
    }

    /// <summary>Sends this replica's wrapped copy of the subject key to <paramref name="other"/>.</summary>
    public KeyImportResult ShareKey(SubjectId subject, TestReplica other) =>
        other.Erasure.Import(Erasure.WrapFor(subject, other.Id, other.Erasure.PublicKey.Span).Bytes, other.Kernel.State);

    /// <summary>Writes the log and a checkpoint beside the key store, as a device would.</summary>
    public void Persist()
    {
        File.WriteAllBytes(Path.Combine(Directory, "log.chain"), ChainFile.Encode(Ledger, Log));
        File.WriteAllBytes(Path.Combine(Directory, "state.checkpoint"), CheckpointCodec.Encode(Kernel.CreateCheckpoint()));
    }

    /// <summary>The files of this replica whose bytes contain <paramref name="needle"/>.</summary>
    public IReadOnlyList<string> FilesContaining(ReadOnlySpan<byte> needle) => FileScan.FilesContaining(Directory, needle);

    /// <summary>The files this replica has written (so a scan is known to have looked at something).</summary>
    public IReadOnlyList<string> Files() =>
        System.IO.Directory.EnumerateFiles(Directory, "*", SearchOption.AllDirectories).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToArray();

    public void Dispose() => Store.Dispose();

    private readonly DeterministicIds _ids = new();
}

/// <summary>The in-memory exchange of logs between replicas (Ledger.Sync repeats it over a relay).</summary>
internal static class Exchange
{
    /// <summary>Every replica given receives every op any of them holds, each author's ops in seq order.</summary>
    public static void Sync(params TestReplica[] online)
    {
        var all = online.SelectMany(r => r.Log).DistinctBy(o => o.Ref).OrderBy(o => o.Op.Author).ThenBy(o => o.Op.Seq).ToArray();
        foreach (var replica in online)
        {
            foreach (var op in all) replica.Receive(op);
        }
    }
}

/// <summary>A directory under the system temp folder, deleted with the test.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "ledger-erasure-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A file still open on another thread; the OS temp cleaner takes it.
        }
    }
}
