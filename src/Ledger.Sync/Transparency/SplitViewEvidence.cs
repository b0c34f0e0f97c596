using System.Globalization;
using Ledger.Kernel;
using Ledger.Kernel.Wire;
using Ledger.Signing;
using MessagePack;

namespace Ledger.Sync;

/// <summary>Proof that a relay showed two different logs (a split view), verifiable by anyone who has the
/// relay's verifier key, which the evidence carries: either two relay-signed checkpoints of one size with
/// different roots, or two inclusion proofs of one index with different leaves, each under a relay-signed
/// checkpoint. An append-only log can produce neither.</summary>
public sealed class SplitViewEvidence : Evidence
{
    private SplitViewEvidence(string ledger, string relayVkey, byte[] note1, byte[] note2, long? index, byte[]? leaf1, IReadOnlyList<Hash32>? proof1, byte[]? leaf2, IReadOnlyList<Hash32>? proof2)
        : base(ledger)
    {
        RelayVkey = relayVkey;
        Note1 = note1;
        Note2 = note2;
        Index = index;
        Leaf1 = leaf1;
        Proof1 = proof1;
        Leaf2 = leaf2;
        Proof2 = proof2;
    }

    /// <inheritdoc />
    public override string Kind => "split-view";

    /// <summary>The relay's note verifier key (name = origin).</summary>
    public string RelayVkey { get; }

    /// <inheritdoc />
    public override string Accused => RelayVkey;

    /// <summary>The first relay-signed checkpoint.</summary>
    public byte[] Note1 { get; }

    /// <summary>The second relay-signed checkpoint.</summary>
    public byte[] Note2 { get; }

    /// <summary>For the inclusion form: the contested leaf index.</summary>
    public long? Index { get; }

    /// <summary>For the inclusion form: the leaf under the first checkpoint.</summary>
    public byte[]? Leaf1 { get; }

    /// <summary>For the inclusion form: its inclusion proof.</summary>
    public IReadOnlyList<Hash32>? Proof1 { get; }

    /// <summary>For the inclusion form: the leaf under the second checkpoint.</summary>
    public byte[]? Leaf2 { get; }

    /// <summary>For the inclusion form: its inclusion proof.</summary>
    public IReadOnlyList<Hash32>? Proof2 { get; }

    /// <summary>Two checkpoints of one size with different roots.</summary>
    public static SplitViewEvidence FromCheckpoints(string ledger, NoteKey relayKey, SignedNote first, SignedNote second)
    {
        ArgumentNullException.ThrowIfNull(relayKey);
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        return new SplitViewEvidence(ledger, relayKey.ToVkey(), first.ToBytes(), second.ToBytes(), null, null, null, null, null);
    }

    /// <summary>Two different leaves at one index, each proven under a relay-signed checkpoint.</summary>
    public static SplitViewEvidence FromInclusion(string ledger, NoteKey relayKey, long index, SignedNote first, ReadOnlyMemory<byte> leaf1, IReadOnlyList<Hash32> proof1,
        SignedNote second, ReadOnlyMemory<byte> leaf2, IReadOnlyList<Hash32> proof2)
    {
        ArgumentNullException.ThrowIfNull(relayKey);
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        return new SplitViewEvidence(ledger, relayKey.ToVkey(), first.ToBytes(), second.ToBytes(), index, leaf1.ToArray(), proof1, leaf2.ToArray(), proof2);
    }

    /// <inheritdoc />
    public override EvidenceVerdict Verify()
    {
        if (!NoteKey.TryParseVkey(RelayVkey, out var key) || key!.Type != NoteKey.Ed25519) return EvidenceVerdict.Rejected("the relay key is not an Ed25519 note verifier key.");
        RelayCheckpoint c1, c2;
        try
        {
            var (first, _, v1) = RelayCheckpoint.Open(Note1, key);
            var (second, _, v2) = RelayCheckpoint.Open(Note2, key);
            if (!v1.Ok) return EvidenceVerdict.Rejected("the first checkpoint is not signed by the relay: " + v1.Reason);
            if (!v2.Ok) return EvidenceVerdict.Rejected("the second checkpoint is not signed by the relay: " + v2.Reason);
            (c1, c2) = (first, second);
        }
        catch (LedgerFormatException e)
        {
            return EvidenceVerdict.Rejected("a checkpoint does not parse: " + e.Message);
        }

        if (Index is null)
        {
            if (c1.Size != c2.Size) return EvidenceVerdict.Rejected("the two checkpoints have different sizes.");
            if (c1.Root == c2.Root) return EvidenceVerdict.Rejected("the two checkpoints agree.");
            return EvidenceVerdict.Proven(string.Create(CultureInfo.InvariantCulture,
                $"relay {key.Name} signed two checkpoints of size {c1.Size} with different roots ({c1.Root.ToShortString()} and {c2.Root.ToShortString()})."));
        }

        var index = Index.Value;
        if (Leaf1 is null || Leaf2 is null || Proof1 is null || Proof2 is null) return EvidenceVerdict.Rejected("the inclusion form needs two leaves and two proofs.");
        if (Leaf1.AsSpan().SequenceEqual(Leaf2)) return EvidenceVerdict.Rejected("the two leaves are the same.");
        if (!MerkleProofs.VerifyInclusion(MerkleTree.LeafHash(Leaf1), index, c1.Size, Proof1, c1.Root)) return EvidenceVerdict.Rejected("the first inclusion proof does not verify.");
        if (!MerkleProofs.VerifyInclusion(MerkleTree.LeafHash(Leaf2), index, c2.Size, Proof2, c2.Root)) return EvidenceVerdict.Rejected("the second inclusion proof does not verify.");
        return EvidenceVerdict.Proven(string.Create(CultureInfo.InvariantCulture,
            $"relay {key.Name} placed two different ops at index {index} (under checkpoints of sizes {c1.Size} and {c2.Size})."));
    }

    /// <inheritdoc />
    public override byte[] Encode() => Index is null
        ? EvidenceCodec.Write(this, (ref MessagePackWriter w) =>
        {
            w.Write(RelayVkey);
            w.Write("checkpoints");
            w.Write(Note1);
            w.Write(Note2);
        }, bodyCount: 4)
        : EvidenceCodec.Write(this, (ref MessagePackWriter w) =>
        {
            w.Write(RelayVkey);
            w.Write("inclusion");
            w.Write(Index.Value);
            w.Write(Note1);
            w.Write(Leaf1);
            WriteProof(ref w, Proof1!);
            w.Write(Note2);
            w.Write(Leaf2);
            WriteProof(ref w, Proof2!);
        }, bodyCount: 9);

    /// <summary>Decodes split-view evidence (the whole evidence bytes).</summary>
    /// <exception cref="LedgerFormatException">Malformed bytes.</exception>
    public static SplitViewEvidence Decode(ReadOnlyMemory<byte> bytes)
    {
        var r = new WireReader(bytes, "evidence");
        var count = r.ReadArrayHeader("evidence", 7, 12);
        // The envelope is checked as EvidenceCodec.Decode checks it, so both refuse the same bytes the same way
        // (the Evidence constructor would otherwise refuse a bad ledger name with an ArgumentException).
        var labelAt = r.Offset;
        if (r.ReadString("label", 32) != Label) throw r.Fail("label", FormatProblem.UnknownVersion, labelAt, $"not '{Label}'.");
        var kindAt = r.Offset;
        if (r.ReadString("kind", 64) != "split-view") throw r.Fail("kind", FormatProblem.InvalidValue, kindAt, "not split-view evidence.");
        var ledgerAt = r.Offset;
        var ledger = r.ReadString("ledger", LedgerName.MaxLength);
        if (!LedgerName.IsValid(ledger)) throw r.Fail("ledger", FormatProblem.InvalidValue, ledgerAt, "not a ledger name.");
        var vkey = r.ReadString("relayVkey", 512);
        var modeAt = r.Offset;
        var mode = r.ReadString("mode", 16);
        SplitViewEvidence evidence;
        if (mode == "checkpoints" && count == 7)
        {
            var n1 = r.ReadBinary("note1", 1, SignedNote.MaxBytes).ToArray();
            var n2 = r.ReadBinary("note2", 1, SignedNote.MaxBytes).ToArray();
            evidence = new SplitViewEvidence(ledger, vkey, n1, n2, null, null, null, null, null);
        }
        else if (mode == "inclusion" && count == 12)
        {
            var indexAt = r.Offset;
            var index = r.ReadInt64("index");
            if (index < 0) throw r.Fail("index", FormatProblem.InvalidValue, indexAt, "negative.");
            var n1 = r.ReadBinary("note1", 1, SignedNote.MaxBytes).ToArray();
            var l1 = r.ReadBinary("leaf1", 1, SignedOpCodec.MaxBytes).ToArray();
            var p1 = ReadProof(ref r, "proof1");
            var n2 = r.ReadBinary("note2", 1, SignedNote.MaxBytes).ToArray();
            var l2 = r.ReadBinary("leaf2", 1, SignedOpCodec.MaxBytes).ToArray();
            var p2 = ReadProof(ref r, "proof2");
            evidence = new SplitViewEvidence(ledger, vkey, n1, n2, index, l1, p1, l2, p2);
        }
        else
        {
            throw r.Fail("mode", FormatProblem.InvalidValue, modeAt, $"'{mode}' with {count} elements is not a split-view form.");
        }

        r.EnsureEnd();
        if (!evidence.Encode().AsSpan().SequenceEqual(bytes.Span)) throw r.Fail("evidence", FormatProblem.NonCanonical, 0, "not in canonical form.");
        return evidence;
    }

    static SplitViewEvidence() => EvidenceCodec.Register("split-view", (_, bytes) => Decode(bytes));

    /// <summary>Makes <see cref="EvidenceCodec.Decode"/> understand split-view evidence. Relays and nodes do this
    /// themselves; call it before decoding evidence in a process that uses neither.</summary>
    public static void Register()
    {
        // The static constructor does the work; this method only makes sure it has run.
    }

    private static void WriteProof(ref MessagePackWriter w, IReadOnlyList<Hash32> proof)
    {
        w.WriteArrayHeader(proof.Count);
        var buffer = new byte[Hash32.Length];
        foreach (var h in proof)
        {
            h.CopyTo(buffer);
            w.Write(buffer);
        }
    }

    private static Hash32[] ReadProof(ref WireReader r, string field)
    {
        var n = r.ReadArrayHeader(field, 0, 64);
        var proof = new Hash32[n];
        for (var i = 0; i < n; i++) proof[i] = r.ReadHash(field + "[]");
        return proof;
    }
}
