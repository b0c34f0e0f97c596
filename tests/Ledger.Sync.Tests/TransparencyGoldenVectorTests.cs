using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Ledger.Kernel;
using Ledger.Signing;
using Ledger.Sync;

namespace Ledger.Sync.Tests;

/// <summary>Golden vectors for the transparency formats (docs/wire-format.md, "Transparency"): the RFC 9162 tree
/// and proofs, a relay checkpoint note, a cosignature and split-view evidence. Every input is fixed (leaf bytes,
/// key seeds, the cosignature time) and Ed25519 is deterministic, so the bytes are too. Each test rebuilds the
/// bytes and compares them with its file under Golden/, then reads the file back and verifies it — the second
/// half by the steps the document gives, so that it is what another language would have to do.</summary>
public class TransparencyGoldenVectorTests
{
    private const string LedgerName = "golden";
    private const string Origin = "ledger-relay/golden";
    private const string WitnessName = "ledger-witness/golden-witness";
    private const long CosignedAt = 1_767_225_600;
    private const int ForkedIndex = 5;

    /// <summary>Ed25519 seed of a test key: SHA-256 of a fixed label.</summary>
    private static byte[] Seed(string label) => Hash32.Sha256(Encoding.UTF8.GetBytes(label)).ToArray();

    private static SigningKey RelayKey() => SigningKey.FromSeed(Seed("golden-relay/0"));

    private static SigningKey WitnessKey() => SigningKey.FromSeed(Seed("golden-witness/0"));

    /// <summary>Leaf i of the honest log: ASCII "leaf-i".</summary>
    private static byte[] Leaf(int i) => Encoding.ASCII.GetBytes("leaf-" + i.ToString(CultureInfo.InvariantCulture));

    /// <summary>The leaf a forked view shows at <see cref="ForkedIndex"/> instead.</summary>
    private static byte[] ForkedLeaf() => Encoding.ASCII.GetBytes("leaf-5-forked");

    private static MerkleTree Honest() => Build(Enumerable.Range(0, 7).Select(Leaf));

    private static MerkleTree Forked() => Build(Enumerable.Range(0, 7).Select(i => i == ForkedIndex ? ForkedLeaf() : Leaf(i)));

    private static MerkleTree Build(IEnumerable<byte[]> leaves)
    {
        var tree = new MerkleTree();
        foreach (var leaf in leaves) tree.Append(leaf);
        return tree;
    }

    [Fact]
    [Trait("Risk", "D4")]
    public void Merkle_root_inclusion_and_consistency_proofs_of_a_seven_leaf_tree_are_pinned_and_verify_under_the_rfc_9162_rules()
    {
        var tree = Honest();
        var text = new StringBuilder()
            .Append("# RFC 9162 Merkle tree over 7 leaves, leaf i = ASCII \"leaf-<i>\" (docs/wire-format.md, \"Merkle tree\").\n")
            .Append("# leafHash = SHA-256(0x00 || leaf); node = SHA-256(0x01 || left || right); rootN = MTH of the first N leaves.\n")
            .Append("# Proofs list hashes leaf-side first, comma-separated, as they appear in an evidence array.\n");
        for (var i = 0; i < 7; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"leaf{i}={Convert.ToHexStringLower(Leaf(i))}\n");
            text.Append(CultureInfo.InvariantCulture, $"leafHash{i}={tree.Leaf(i)}\n");
        }

        for (var n = 0; n <= 7; n++) text.Append(CultureInfo.InvariantCulture, $"root{n}={tree.Root(n)}\n");
        for (var i = 0; i < 7; i++) text.Append(CultureInfo.InvariantCulture, $"inclusion.{i}.7={Join(tree.InclusionProof(i, 7))}\n");
        for (var m = 1; m <= 7; m++) text.Append(CultureInfo.InvariantCulture, $"consistency.{m}.7={Join(tree.ConsistencyProof(m, 7))}\n");
        Golden.Match("merkle-v1.txt", text.ToString());

        // Read back: roots by RFC 9162 §2.1.1 taken literally, proofs by §2.1.3.2 and §2.1.4.2.
        var golden = ReadGolden("merkle-v1.txt");
        var leaves = Enumerable.Range(0, 7).Select(i => Convert.FromHexString(golden[$"leaf{i}"])).ToArray();
        Assert.Equal(MerkleTree.EmptyRoot, Hash32.Parse(golden["root0"]));
        Assert.Equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", golden["root0"]);
        for (var i = 0; i < 7; i++) Assert.Equal(Hash32.Sha256([0x00, .. leaves[i]]), Hash32.Parse(golden[$"leafHash{i}"]));
        for (var n = 1; n <= 7; n++) Assert.Equal(Mth(leaves.Take(n).ToArray()), Hash32.Parse(golden[$"root{n}"]));

        var root7 = Hash32.Parse(golden["root7"]);
        for (var i = 0; i < 7; i++)
        {
            var leafHash = Hash32.Parse(golden[$"leafHash{i}"]);
            var proof = Split(golden[$"inclusion.{i}.7"]);
            Assert.True(MerkleProofs.VerifyInclusion(leafHash, i, 7, proof, root7), $"inclusion {i}");

            // Exact length: one hash more or one fewer fails; so do an index outside the tree and another leaf.
            Assert.False(MerkleProofs.VerifyInclusion(leafHash, i, 7, [.. proof, root7], root7));
            Assert.False(MerkleProofs.VerifyInclusion(leafHash, i, 7, proof.Take(proof.Length - 1).ToArray(), root7));
            Assert.False(MerkleProofs.VerifyInclusion(leafHash, 7, 7, proof, root7));
            Assert.False(MerkleProofs.VerifyInclusion(MerkleTree.LeafHash(ForkedLeaf()), i, 7, proof, root7));
        }

        for (var m = 1; m <= 7; m++)
        {
            var rootM = Hash32.Parse(golden[$"root{m}"]);
            var proof = Split(golden[$"consistency.{m}.7"]);
            Assert.True(MerkleProofs.VerifyConsistency(m, 7, proof, rootM, root7), $"consistency {m} -> 7");
            if (m == 7)
            {
                // Equal sizes: the proof is empty and the roots must be equal.
                Assert.Empty(proof);
                Assert.False(MerkleProofs.VerifyConsistency(7, 7, [root7], root7, root7));
                continue;
            }

            Assert.False(MerkleProofs.VerifyConsistency(m, 7, [.. proof, root7], rootM, root7));
            Assert.False(MerkleProofs.VerifyConsistency(m, 7, proof.Take(proof.Length - 1).ToArray(), rootM, root7));
            Assert.False(MerkleProofs.VerifyConsistency(7, m, proof, root7, rootM));
            Assert.False(MerkleProofs.VerifyConsistency(0, 7, proof, MerkleTree.EmptyRoot, root7));
        }

        Assert.False(MerkleProofs.VerifyConsistency(0, 7, [], MerkleTree.EmptyRoot, root7));
        Assert.False(MerkleProofs.VerifyConsistency(0, 0, [], MerkleTree.EmptyRoot, MerkleTree.EmptyRoot));
    }

    [Fact]
    [Trait("Risk", "D4")]
    public async Task A_relay_checkpoint_note_signed_with_a_seed_derived_key_is_pinned_and_verifies_as_documented()
    {
        using var relayKey = RelayKey();
        var noteKey = NoteKey.Create(Origin, relayKey.Public);
        var note = new RelayCheckpoint(Origin, 7, Honest().Root()).Sign(relayKey).ToBytes();

        // The empty checkpoint exactly as a relay for ledger "golden" with this key serves it.
        var relay = new Relay(new RelayOptions { Ledger = LedgerName, CheckpointKey = relayKey }, new InMemoryRelayStore());
        Assert.Equal(Origin, relay.Origin);
        Assert.Equal(noteKey.ToVkey(), relay.CheckpointVerifierKey!.ToVkey());
        var empty = (await relay.GetCheckpointAsync())!;

        var text = new StringBuilder()
            .Append("# C2SP tlog-checkpoint notes signed by a relay (docs/wire-format.md, \"Relay checkpoint\").\n")
            .Append("# relay.seed = SHA-256(\"golden-relay/0\"), the Ed25519 private-key seed (RFC 8032).\n")
            .Append(CultureInfo.InvariantCulture, $"relay.seed={Convert.ToHexStringLower(Seed("golden-relay/0"))}\n")
            .Append(CultureInfo.InvariantCulture, $"relay.public={Convert.ToHexStringLower(relayKey.Public.RawBytes)}\n")
            .Append(CultureInfo.InvariantCulture, $"relay.keyId={noteKey.Id:x8}\n")
            .Append(CultureInfo.InvariantCulture, $"relay.vkey={noteKey.ToVkey()}\n")
            .Append("# The checkpoint of the 7-leaf tree of merkle-v1.txt, as UTF-8 hex, then as text:\n")
            .Append(CultureInfo.InvariantCulture, $"checkpoint7={Convert.ToHexStringLower(note)}\n")
            .Append(Commented(note))
            .Append("# The checkpoint an empty relay serves (size 0, root = SHA-256 of nothing):\n")
            .Append(CultureInfo.InvariantCulture, $"checkpoint0={Convert.ToHexStringLower(empty)}\n")
            .Append(Commented(empty));
        Golden.Match("checkpoint-v1.txt", text.ToString());

        // Read back with the library.
        var golden = ReadGolden("checkpoint-v1.txt");
        Assert.True(NoteKey.TryParseVkey(golden["relay.vkey"], out var vkey));
        var bytes = Convert.FromHexString(golden["checkpoint7"]);
        var (checkpoint, parsed, verdict) = RelayCheckpoint.Open(bytes, vkey!);
        Assert.True(verdict.Ok, verdict.Reason);
        Assert.Equal((Origin, 7L, Honest().Root()), (checkpoint.Origin, checkpoint.Size, checkpoint.Root));
        Assert.Equal(bytes, parsed.ToBytes());
        var (zero, _, zeroVerdict) = RelayCheckpoint.Open(Convert.FromHexString(golden["checkpoint0"]), vkey!);
        Assert.True(zeroVerdict.Ok, zeroVerdict.Reason);
        Assert.Equal((0L, MerkleTree.EmptyRoot), (zero.Size, zero.Root));

        // Read back by hand, as the document says another language does it.
        var seed = Convert.FromHexString(golden["relay.seed"]);
        using var fromSeed = SigningKey.FromSeed(seed);
        var pub = Convert.FromHexString(golden["relay.public"]);
        Assert.Equal(pub, fromSeed.Public.RawBytes.ToArray());
        var keyId = Hash32.Sha256([.. Encoding.UTF8.GetBytes(Origin), 0x0A, 0x01, .. pub]).ToArray()[..4];
        Assert.Equal(golden["relay.keyId"], Convert.ToHexStringLower(keyId));
        Assert.Equal($"{Origin}+{Convert.ToHexStringLower(keyId)}+{Convert.ToBase64String([0x01, .. pub])}", golden["relay.vkey"]);

        var all = Encoding.UTF8.GetString(bytes);
        var split = all.LastIndexOf("\n\n", StringComparison.Ordinal);
        var body = all[..(split + 1)];
        var lines = body.Split('\n');
        Assert.Equal(new[] { Origin, "7", Convert.ToBase64String(Honest().Root().ToArray()), "" }, lines);
        var signatureLine = all[(split + 2)..];
        Assert.StartsWith("\u2014 " + Origin + " ", signatureLine, StringComparison.Ordinal);
        Assert.EndsWith("\n", signatureLine, StringComparison.Ordinal);
        var payload = Convert.FromBase64String(signatureLine[("\u2014 " + Origin + " ").Length..^1]);
        Assert.Equal(4 + 64, payload.Length);
        Assert.Equal(keyId, payload[..4]);
        Assert.True(VerificationKey.Import(pub).Verify(Encoding.UTF8.GetBytes(body), payload[4..]));
    }

    [Fact]
    [Trait("Risk", "D4")]
    public void A_timestamped_cosignature_on_the_checkpoint_is_pinned_and_verifies_as_documented()
    {
        using var relayKey = RelayKey();
        using var witnessKey = WitnessKey();
        var note = new RelayCheckpoint(Origin, 7, Honest().Root()).Sign(relayKey);
        var cosigned = Cosignatures.Cosign(note, WitnessName, witnessKey, DateTimeOffset.FromUnixTimeSeconds(CosignedAt)).ToBytes();
        var witness = NoteKey.Create(WitnessName, witnessKey.Public, NoteKey.Cosignature);
        var message = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"cosignature/v1\ntime {CosignedAt}\n{note.Text}"));

        var text = new StringBuilder()
            .Append("# A tlog-cosignature (type 0x04) added to checkpoint7 of checkpoint-v1.txt (docs/wire-format.md, \"Cosignature\").\n")
            .Append("# witness.seed = SHA-256(\"golden-witness/0\"); time = 2026-01-01T00:00:00Z in Unix seconds.\n")
            .Append(CultureInfo.InvariantCulture, $"witness.seed={Convert.ToHexStringLower(Seed("golden-witness/0"))}\n")
            .Append(CultureInfo.InvariantCulture, $"witness.public={Convert.ToHexStringLower(witnessKey.Public.RawBytes)}\n")
            .Append(CultureInfo.InvariantCulture, $"witness.keyId={witness.Id:x8}\n")
            .Append(CultureInfo.InvariantCulture, $"witness.vkey={witness.ToVkey()}\n")
            .Append(CultureInfo.InvariantCulture, $"cosignature.time={CosignedAt}\n")
            .Append("# The signed message, as UTF-8 hex:\n")
            .Append(CultureInfo.InvariantCulture, $"cosignature.message={Convert.ToHexStringLower(message)}\n")
            .Append("# The cosigned note, as UTF-8 hex, then as text:\n")
            .Append(CultureInfo.InvariantCulture, $"cosigned={Convert.ToHexStringLower(cosigned)}\n")
            .Append(Commented(cosigned));
        Golden.Match("cosignature-v1.txt", text.ToString());

        // Read back with the library: the cosignature verifies, and the relay's signature is untouched.
        var golden = ReadGolden("cosignature-v1.txt");
        Assert.True(NoteKey.TryParseVkey(golden["witness.vkey"], out var vkey));
        Assert.Equal(NoteKey.Cosignature, vkey!.Type);
        var parsed = SignedNote.Parse(Convert.FromHexString(golden["cosigned"]));
        Assert.Equal([witness.Id], Cosignatures.Verify(parsed, [vkey], out var failed).Select(k => k.Id));
        Assert.Empty(failed);
        Assert.True(parsed.Verify([NoteKey.Create(Origin, relayKey.Public)]).Ok);
        Assert.False(parsed.Verify([vkey]).Ok); // a cosignature is not a note signature (type 0x01)

        // Read back by hand.
        var pub = Convert.FromHexString(golden["witness.public"]);
        var keyId = Hash32.Sha256([.. Encoding.UTF8.GetBytes(WitnessName), 0x0A, 0x04, .. pub]).ToArray()[..4];
        Assert.Equal(golden["witness.keyId"], Convert.ToHexStringLower(keyId));
        var line = Encoding.UTF8.GetString(Convert.FromHexString(golden["cosigned"])).Split('\n').Single(l => l.StartsWith("\u2014 " + WitnessName + " ", StringComparison.Ordinal));
        var payload = Convert.FromBase64String(line[("\u2014 " + WitnessName + " ").Length..]);
        Assert.Equal(4 + 8 + 64, payload.Length);
        Assert.Equal(keyId, payload[..4]);
        var time = BinaryPrimitives.ReadUInt64BigEndian(payload.AsSpan(4, 8));
        Assert.Equal(ulong.Parse(golden["cosignature.time"], CultureInfo.InvariantCulture), time);
        var signed = Convert.FromHexString(golden["cosignature.message"]);
        Assert.Equal(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"cosignature/v1\ntime {time}\n{parsed.Text}")), signed);
        Assert.True(VerificationKey.Import(pub).Verify(signed, payload[12..]));
    }

    [Fact]
    [Trait("Risk", "D4")]
    public void Split_view_evidence_in_both_forms_is_pinned_and_verifies_standalone()
    {
        SplitViewEvidence.Register();
        using var relayKey = RelayKey();
        var noteKey = NoteKey.Create(Origin, relayKey.Public);
        var (honest, forked) = (Honest(), Forked());
        var honest7 = new RelayCheckpoint(Origin, 7, honest.Root()).Sign(relayKey);
        var forked7 = new RelayCheckpoint(Origin, 7, forked.Root()).Sign(relayKey);
        var forked6 = new RelayCheckpoint(Origin, 6, forked.Root(6)).Sign(relayKey);
        var byCheckpoints = SplitViewEvidence.FromCheckpoints(LedgerName, noteKey, honest7, forked7).Encode();
        var byInclusion = SplitViewEvidence.FromInclusion(LedgerName, noteKey, ForkedIndex,
            honest7, Leaf(ForkedIndex), honest.InclusionProof(ForkedIndex, 7),
            forked6, ForkedLeaf(), forked.InclusionProof(ForkedIndex, 6)).Encode();

        var text = new StringBuilder()
            .Append("# Split-view evidence v1 (docs/wire-format.md, \"Split-view evidence\"), relay key of checkpoint-v1.txt, ledger \"golden\".\n")
            .Append("# The forked view replaces leaf 5 of merkle-v1.txt with ASCII \"leaf-5-forked\".\n")
            .Append(CultureInfo.InvariantCulture, $"forked.leaf5={Convert.ToHexStringLower(ForkedLeaf())}\n")
            .Append(CultureInfo.InvariantCulture, $"forked.root6={forked.Root(6)}\n")
            .Append(CultureInfo.InvariantCulture, $"forked.root7={forked.Root(7)}\n")
            .Append("# Form \"checkpoints\": checkpoint7 of checkpoint-v1.txt and the forked checkpoint of size 7.\n")
            .Append(CultureInfo.InvariantCulture, $"evidence.checkpoints={Convert.ToHexStringLower(byCheckpoints)}\n")
            .Append("# Form \"inclusion\": index 5, leaf-5 under checkpoint7, leaf-5-forked under the forked checkpoint of size 6.\n")
            .Append(CultureInfo.InvariantCulture, $"evidence.inclusion={Convert.ToHexStringLower(byInclusion)}\n");
        Golden.Match("split-view-v1.txt", text.ToString());

        var golden = ReadGolden("split-view-v1.txt");
        foreach (var (field, form) in new[] { ("evidence.checkpoints", "checkpoints"), ("evidence.inclusion", "inclusion") })
        {
            var bytes = Convert.FromHexString(golden[field]);
            var evidence = Assert.IsType<SplitViewEvidence>(EvidenceCodec.Decode(bytes));
            Assert.Equal(("split-view", LedgerName, noteKey.ToVkey()), (evidence.Kind, evidence.Ledger, evidence.Accused));
            Assert.Equal(bytes, evidence.Encode());
            var verdict = evidence.Verify();
            Assert.True(verdict.Valid, $"{form}: {verdict.Finding}");
        }

        var inclusion = SplitViewEvidence.Decode(Convert.FromHexString(golden["evidence.inclusion"]));
        Assert.Equal((long?)ForkedIndex, inclusion.Index);
        Assert.Equal(Convert.FromHexString(golden["forked.leaf5"]), inclusion.Leaf2);
        Assert.Equal(Hash32.Parse(golden["forked.root6"]), RelayCheckpoint.Open(inclusion.Note2, noteKey).Checkpoint.Root);

        // What a verifier refuses: two notes that agree, and two proofs of one leaf.
        Assert.False(SplitViewEvidence.FromCheckpoints(LedgerName, noteKey, honest7, honest7).Verify().Valid);
        Assert.False(SplitViewEvidence.FromCheckpoints(LedgerName, noteKey, honest7, forked6).Verify().Valid);
        Assert.False(SplitViewEvidence.FromInclusion(LedgerName, noteKey, ForkedIndex, honest7, Leaf(ForkedIndex), honest.InclusionProof(ForkedIndex, 7),
            honest7, Leaf(ForkedIndex), honest.InclusionProof(ForkedIndex, 7)).Verify().Valid);
    }

    [Fact]
    [Trait("Risk", "D1")]
    [Trait("Category", "BadInput")]
    public void Split_view_evidence_naming_an_invalid_ledger_is_refused_typed_by_its_own_decoder_as_by_the_evidence_codec()
    {
        SplitViewEvidence.Register();
        var golden = ReadGolden("split-view-v1.txt");
        foreach (var field in new[] { "evidence.checkpoints", "evidence.inclusion" })
        {
            // "golden" (fixstr 6) becomes "gol den": the same length, not a ledger name.
            var bytes = Convert.FromHexString(golden[field]);
            byte[] name = [0xa6, .. "golden"u8];
            var at = bytes.AsSpan().IndexOf(name);
            Assert.True(at > 0);
            bytes[at + 4] = (byte)' ';
            foreach (var decode in new Func<byte[], object>[] { b => SplitViewEvidence.Decode(b), b => EvidenceCodec.Decode(b) })
            {
                var error = Assert.Throws<LedgerFormatException>(() => decode(bytes));
                Assert.Equal(("evidence", "ledger", FormatProblem.InvalidValue, (long)at), (error.Structure, error.Field, error.Problem, error.Offset));
            }
        }
    }

    /// <summary>MTH by RFC 9162 §2.1.1 taken literally.</summary>
    private static Hash32 Mth(IReadOnlyList<byte[]> leaves)
    {
        if (leaves.Count == 0) return Hash32.Sha256([]);
        if (leaves.Count == 1) return Hash32.Sha256([0x00, .. leaves[0]]);
        var k = 1;
        while (k * 2 < leaves.Count) k *= 2;
        return Hash32.Sha256([0x01, .. Mth(leaves.Take(k).ToArray()).ToArray(), .. Mth(leaves.Skip(k).ToArray()).ToArray()]);
    }

    private static string Join(IReadOnlyList<Hash32> proof) => string.Join(",", proof.Select(h => h.ToString()));

    private static Hash32[] Split(string proof) => proof.Length == 0 ? [] : proof.Split(',').Select(Hash32.Parse).ToArray();

    /// <summary>A note as comment lines, for people reading the golden file.</summary>
    private static string Commented(byte[] note) =>
        string.Concat(Encoding.UTF8.GetString(note).Split('\n')[..^1].Select(l => l.Length == 0 ? "#\n" : "#   " + l + "\n"));

    /// <summary>The key=value lines of a golden file (lines starting with '#' are comments).</summary>
    private static Dictionary<string, string> ReadGolden(string name)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in File.ReadAllText(Golden.PathOf(name)).ReplaceLineEndings("\n").Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#') continue;
            var eq = line.IndexOf('=', StringComparison.Ordinal);
            values.Add(line[..eq], line[(eq + 1)..]);
        }

        return values;
    }
}
