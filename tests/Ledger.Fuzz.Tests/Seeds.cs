using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Ledger.Erasure;
using Ledger.Kernel;
using Ledger.Migration;
using Ledger.Signing;
using Ledger.Signing.Recovery;
using Ledger.Sync;
using Ledger.TestDomain;

namespace Ledger.Fuzz.Tests;

/// <summary>The valid inputs the mutations start from: the checked-in golden vectors of the other test projects where
/// there are some (so the fuzzer starts from the documented bytes), and fixed-key, fixed-clock structures built here for
/// the rest. Every seed is the same on every run, so a case number replays.</summary>
internal static class Seeds
{
    public const string Ledger = "fuzz-ledger";
    public const string Passphrase = "pass phrase";

    /// <summary>The <c>key=value</c> lines of a golden file of another test project.</summary>
    public static Dictionary<string, string> Golden(string project, string file)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in File.ReadAllText(GoldenPath(project, file)).ReplaceLineEndings("\n").Split('\n'))
        {
            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (line.Length == 0 || line[0] == '#' || eq < 0) continue;
            values[line[..eq]] = line[(eq + 1)..];
        }

        return values;
    }

    public static string GoldenPath(string project, string file) => Path.Combine(RepositoryFiles.Root, "tests", project, "Golden", file);

    public static byte[] Hex(string hex) => Convert.FromHexString(hex);

    public static SigningKey Key(string label) => SigningKey.FromSeed(Hash32.Sha256(Encoding.UTF8.GetBytes(label)).ToArray());

    /// <summary>Op ids from the edge time and a counter (UUIDv7 layout), so signed bytes are the same on every run.</summary>
    public static Func<DateTimeOffset, Guid> Ids() => new DeterministicIds().Next;

    /// <summary>An author with an inception, three app ops, a rotation and one more op; and the keys.</summary>
    public static (List<SignedOp> Chain, AuthorLog Log) Author(string label = "fuzz")
    {
        var log = AuthorLog.Incept(Ledger, label, Key(label + "/0"), Key(label + "/1").Public.Digest, out var inception, 0, new SteppingClock(), Ids());
        var chain = new List<SignedOp> { inception };
        for (var i = 0; i < 3; i++) chain.Add(log.Append(TestManifest.V1, TestManifest.AddTally, new AmountArgs("k", i)));
        chain.Add(log.Rotate(Key(label + "/1"), Key(label + "/2").Public.Digest, 1));
        chain.Add(log.Append(TestManifest.V1, TestManifest.PutNote, new NoteArgs("n", "hello"), claimKey: null));
        return (chain, log);
    }

    public static IReadOnlyList<byte[]> Ops()
    {
        var golden = Golden("Ledger.Kernel.Tests", "op-v1.txt");
        return [Hex(golden["op1.bytes"]), Hex(golden["op2.bytes"]), .. Author().Chain.Select(s => s.Op.CanonicalBytes.ToArray())];
    }

    /// <summary>The unsigned ops of <see cref="Author"/>'s chain (inception, app ops, rotation).</summary>
    public static IReadOnlyList<byte[]> ChainOps() => [.. Author().Chain.Select(s => s.Op.CanonicalBytes.ToArray())];

    /// <summary>Byte 0 = 0 and the inception's args, byte 0 = 1 and the rotation's args (target key-event-args).</summary>
    public static IReadOnlyList<byte[]> KeyEventArgs()
    {
        var (chain, _) = Author();
        return [[0, .. chain[0].Op.Args.Span], [1, .. chain[4].Op.Args.Span]];
    }

    public static IReadOnlyList<byte[]> SignedOps()
    {
        var golden = Golden("Ledger.Signing.Tests", "signed-op-v1.txt");
        return [Hex(golden["op1.signed"]), Hex(golden["op2.signed"]), .. Author().Chain.Select(s => s.Bytes.ToArray())];
    }

    public static IReadOnlyList<byte[]> ChainFiles()
    {
        var (chain, _) = Author();
        return [ChainFile.Encode(Ledger, chain), ChainFile.Encode(Ledger, chain.Take(2)), ChainFile.Encode(Ledger, [])];
    }

    public static IReadOnlyList<byte[]> Evidence()
    {
        SplitViewEvidence.Register();
        var (chain, _) = Author();
        var original = chain[2].Op;
        var twin = TestManifest.V1.CreateOp(TestManifest.AddTally, new AmountArgs("other", 42), original.Author, original.Seq, original.Prev, original.Branch, original.At + 5, Guid.Empty);
        var fork = ClientForkEvidence.FromChain(Ledger, chain, SignedOpCodec.Sign(twin, Ledger, Key("fuzz/0")));
        var last = chain[^1].Op;
        var stale = TestManifest.V1.CreateOp(TestManifest.AddTally, new AmountArgs("late", 1), last.Author, last.Seq + 1, last.ChainHash, last.Branch, last.At + 5, Guid.Empty);
        var staleKey = new StaleKeyEvidence(Ledger, [chain[0], chain[4]], SignedOpCodec.Sign(stale, Ledger, Key("fuzz/0")));
        var split = Golden("Ledger.Sync.Tests", "split-view-v1.txt");
        return [fork.Encode(), staleKey.Encode(), Hex(split["evidence.checkpoints"]), Hex(split["evidence.inclusion"])];
    }

    public static IReadOnlyList<byte[]> SplitViews()
    {
        var split = Golden("Ledger.Sync.Tests", "split-view-v1.txt");
        return [Hex(split["evidence.checkpoints"]), Hex(split["evidence.inclusion"])];
    }

    public static IReadOnlyList<byte[]> Grants()
    {
        var (_, log) = Author();
        return
        [
            Grant.Issue(Ledger, "g-1", log.Author, Key("fuzz/1"), GrantKind.Bearer, 5, singleUse: true).Bytes.ToArray(),
            Grant.Issue(Ledger, "offer:42", log.Author, Key("fuzz/1"), GrantKind.Bound, -7, singleUse: false).Bytes.ToArray(),
        ];
    }

    public static byte[] MasterSecret { get; } = Hash32.Sha256("fuzz master secret"u8).ToArray();

    public static IReadOnlyList<byte[]> Backups() =>
    [
        MasterSecretBackup.Wrap(MasterSecret, Passphrase, new BackupParameters(64, 1), new SeededRandom("backup-32")),
        MasterSecretBackup.Wrap(MasterSecret[..16], Passphrase, new BackupParameters(8, 2), new SeededRandom("backup-16")),
    ];

    public static ShareSet Shares() => Slip39.Split(MasterSecret[..16], 2, 3, "", extendable: true, iterationExponent: 0, random: new SeededRandom("slip39"));

    public static IReadOnlyList<byte[]> Mnemonics() => [.. Shares().AllMnemonics.Select(m => Encoding.UTF8.GetBytes(m))];

    /// <summary>Share sets as lines: two and three shares of a 2-of-3 split.</summary>
    public static IReadOnlyList<byte[]> ShareSets()
    {
        var all = Shares().AllMnemonics.ToArray();
        return [Encoding.UTF8.GetBytes(all[0] + "\n" + all[1]), Encoding.UTF8.GetBytes(all[2] + "\n" + all[0])];
    }

    /// <summary>erasure-v1.txt: a label line, then the hex on the next line.</summary>
    public static byte[] Erasure(string labelStart)
    {
        var lines = File.ReadAllText(GoldenPath("Ledger.Erasure.Tests", "erasure-v1.txt")).ReplaceLineEndings("\n").Split('\n');
        var at = Array.FindIndex(lines, l => l.StartsWith(labelStart, StringComparison.Ordinal));
        return Hex(lines[at + 1]);
    }

    public static string ErasureValue(string key)
    {
        var line = File.ReadAllText(GoldenPath("Ledger.Erasure.Tests", "erasure-v1.txt")).ReplaceLineEndings("\n").Split('\n').First(l => l.StartsWith(key + " ", StringComparison.Ordinal));
        return line[(key.Length + 1)..];
    }

    public static IReadOnlyList<byte[]> Fixtures()
    {
        var ops = FixtureLog.Decode(File.ReadAllBytes(GoldenPath("Ledger.Migration.Tests", "fixture-v1.bin")));
        return [FixtureLog.Encode(ops.Take(3)), FixtureLog.Encode(ops.Skip(10).Take(2)), FixtureLog.Encode([])];
    }

    public static IReadOnlyList<byte[]> LockFiles() => [File.ReadAllBytes(GoldenPath("Ledger.Migration.Tests", "manifests.lock.json"))];

    public static IReadOnlyList<byte[]> Exports() => [Hex(Golden("Ledger.Sync.Tests", "node-export-v1.txt")["export"])];

    public static IReadOnlyList<byte[]> Notes()
    {
        var checkpoints = Golden("Ledger.Sync.Tests", "checkpoint-v1.txt");
        return [Hex(checkpoints["checkpoint7"]), Hex(checkpoints["checkpoint0"]), Hex(Golden("Ledger.Sync.Tests", "cosignature-v1.txt")["cosigned"])];
    }

    public static NoteKey RelayKey() => NoteKey.TryParseVkey(Golden("Ledger.Sync.Tests", "checkpoint-v1.txt")["relay.vkey"], out var key) ? key! : throw new InvalidOperationException("the golden relay key does not parse.");

    /// <summary>Merkle proofs as bytes: u8 kind (0 inclusion, 1 consistency) ‖ i64be index or size1 ‖ i64be size ‖
    /// hash ‖ hash ‖ proof hashes; for inclusion the hashes are the leaf hash and the root, for consistency the two roots.</summary>
    public static IReadOnlyList<byte[]> MerkleProofs()
    {
        var golden = Golden("Ledger.Sync.Tests", "merkle-v1.txt");
        static byte[] Proof(string list) => list.Length == 0 ? [] : [.. list.Split(',').SelectMany(Hex)];
        var seeds = new List<byte[]>();
        for (var i = 0; i < 7; i++)
        {
            seeds.Add([0, .. BigEndian(i), .. BigEndian(7), .. Hex(golden[$"leafHash{i}"]), .. Hex(golden["root7"]), .. Proof(golden[$"inclusion.{i}.7"])]);
        }

        for (var m = 1; m <= 7; m++)
        {
            seeds.Add([1, .. BigEndian(m), .. BigEndian(7), .. Hex(golden[$"root{m}"]), .. Hex(golden["root7"]), .. Proof(golden[$"consistency.{m}.7"])]);
        }

        return seeds;
    }

    private static byte[] BigEndian(long value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(bytes, value);
        return bytes;
    }

    /// <summary>A kernel checkpoint with every section filled (rows, a folded and a pending claim, a parked op, relay
    /// cut, key digest, adoption), and one of a fresh kernel.</summary>
    public static IReadOnlyList<byte[]> Checkpoints()
    {
        var kernel = TestManifest.NewKernel();
        var a = new OpChain("till-1");
        var b = new OpChain("till-2");
        kernel.Apply(a.Next(TestManifest.PostSale, new SaleArgs("i1", "acct", 500)));
        kernel.Apply(b.Next(TestManifest.SetPrice, new AmountArgs("sku", 250)));
        kernel.Apply(b.Next(TestManifest.AddTag, new TagArgs("sku", "red")));
        kernel.Apply(a.Next(TestManifest.PutNote, new NoteArgs("n", "hello")));
        kernel.Apply(a.Next(TestManifest.StockPool, new UnitsArgs(5, "r"), "sku:1"), 0);
        kernel.AdvanceRelayFrontier(1);
        kernel.Apply(a.Next(TestManifest.StockPool, new UnitsArgs(1, "r"), "sku:1"), 5);
        var future = new ManifestBuilder("testdomain", 9).Tables(Tables.All).Add(TestManifest.PutNote).Build();
        kernel.Apply(new OpChain("till-new").Next(TestManifest.PutNote, new NoteArgs("n", "later"), manifest: future));
        var full = kernel.CreateCheckpoint(new CheckpointExtras
        {
            RelayCut = new RelayCut("relay.example/ledger-1", 6, Hash32.Sha256("root"u8)),
            KeyStateDigest = Hash32.Sha256("keys"u8),
            Adopted = [new AdoptedManifest(a.Branch, TestManifest.V1.Id)],
        });
        return [CheckpointCodec.Encode(full), CheckpointCodec.Encode(TestManifest.NewKernel().CreateCheckpoint())];
    }

    public static KernelOptions CheckpointOptions() => new() { Manifests = new ManifestCatalog(TestManifest.V1) };

    /// <summary>Identifiers as text: author, branch and subject ids, hashes, note verifier keys.</summary>
    public static IReadOnlyList<byte[]> Identifiers()
    {
        var (chain, _) = Author();
        return
        [
            .. new[]
            {
                chain[0].Op.Author.Value, new BranchId(chain[0].Op.Author, "main").ToString(), ErasureValue("subject"), Hash32.Sha256("x"u8).ToString(),
                Golden("Ledger.Sync.Tests", "checkpoint-v1.txt")["relay.vkey"], Golden("Ledger.Sync.Tests", "cosignature-v1.txt")["witness.vkey"],
            }.Select(Encoding.UTF8.GetBytes),
        ];
    }
}

/// <summary>Unsigned ops of one author for the kernel (the test domain's manifest).</summary>
internal sealed class OpChain(string author)
{
    private ulong _seq;
    private Hash32 _tip;
    private long _at = 1_767_225_600_000;

    public AuthorId Author { get; } = new(author);

    public BranchId Branch => new(Author, "main");

    public Op Next<TArgs>(Verb<TArgs> verb, TArgs args, string? claimKey = null, Manifest? manifest = null)
    {
        _seq++;
        _at += 1000;
        var m = manifest ?? TestManifest.V1;
        var op = new Op(new Guid(_at.ToString("x32", System.Globalization.CultureInfo.InvariantCulture)), Author, _seq, _tip, m.Id, verb.Name, verb.Version, Branch, claimKey, _at, verb.EncodeArgs(args));
        _tip = op.ChainHash;
        return op;
    }
}
