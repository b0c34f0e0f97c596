using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Ledger.Kernel;
using Ledger.Signing;
using Ledger.Sync;
using Ledger.TestDomain;
using static Ledger.Sync.Tests.Vectors.VectorFile;

namespace Ledger.Sync.Tests.Vectors;

/// <summary>Merkle proofs, checkpoint notes, cosignatures, evidence and node exports.</summary>
internal static class SyncVectors
{
    private const string Origin = "ledger-relay/vectors";
    private const string WitnessName = "ledger-witness/vector-witness";
    private const long CosignedAt = 1_767_225_600;

    private static SigningKey RelayKey() => KeyEventCases.Key("relay", 0);

    private static SigningKey WitnessKey() => KeyEventCases.Key("witness", 0);

    private static byte[] Leaf(int i) => Encoding.ASCII.GetBytes("leaf-" + i.ToString(CultureInfo.InvariantCulture));

    private static MerkleTree Tree(int size, int? forkAt = null)
    {
        var tree = new MerkleTree();
        for (var i = 0; i < size; i++) tree.Append(i == forkAt ? Encoding.ASCII.GetBytes("leaf-5-forked") : Leaf(i));
        return tree;
    }

    private static JsonObject Keys() => new()
    {
        ["keys"] = "Ed25519 private-key seeds are SHA-256(\"ledger-vectors/<label>/<index>\"): the relay is label relay index 0, the witness label witness index 0.",
        ["relayVkey"] = NoteKey.Create(Origin, RelayKey().Public).ToVkey(),
        ["witnessVkey"] = NoteKey.Create(WitnessName, WitnessKey().Public, NoteKey.Cosignature).ToVkey(),
    };

    // Merkle.

    public static VectorFile MerkleFile() => new()
    {
        FileName = "merkle.json",
        Structure = "RFC 9162 Merkle tree hashes, inclusion and consistency proofs",
        Documentation = "docs/wire-format.md, \"Merkle tree\" and \"Inclusion and consistency proofs\"",
        Description = "kind tree: hash input.leaves (leaf = H(0x00 ‖ d), node = H(0x01 ‖ l ‖ r)); expected.root. kind inclusion: verify that input.leaf is at input.index in the tree of input.size with input.root by input.proof. kind consistency: verify input.proof from (size1, root1) to (size2, root2). Valid: the proof verifies. Leaf i is the ASCII of \"leaf-<i>\".",
        Cases = () =>
        {
            var cases = new List<VectorCase>();
            var tree = Tree(7);
            foreach (var n in new[] { 0, 1, 2, 3, 4, 5, 6, 7 })
            {
                cases.Add(new($"tree-{n}", $"the first {n} leaves", new JsonObject { ["kind"] = "tree", ["leaves"] = HexArray(Enumerable.Range(0, n).Select(Leaf)) }, true,
                    n == 0 ? "the empty tree's root is H() of no bytes" : "RFC 9162 §2.1.1 MTH"));
            }

            JsonObject Inclusion(byte[] leaf, long index, long size, IEnumerable<Hash32> proof, Hash32 root) => new()
            {
                ["kind"] = "inclusion", ["leaf"] = Hex(leaf), ["index"] = index, ["size"] = size, ["proof"] = HexArray(proof), ["root"] = Hex(root),
            };
            JsonObject Consistency(long size1, long size2, IEnumerable<Hash32> proof, Hash32 root1, Hash32 root2) => new()
            {
                ["kind"] = "consistency", ["size1"] = size1, ["size2"] = size2, ["proof"] = HexArray(proof), ["root1"] = Hex(root1), ["root2"] = Hex(root2),
            };

            for (var i = 0; i < 7; i++)
            {
                cases.Add(new($"inclusion-{i}-of-7", $"leaf {i} in the tree of 7", Inclusion(Leaf(i), i, 7, tree.InclusionProof(i, 7), tree.Root(7)), true, "RFC 9162 §2.1.3.2"));
            }

            var p5 = tree.InclusionProof(5, 7).ToList();
            cases.Add(new("inclusion-1-of-1", "the only leaf of a tree of 1, empty proof", Inclusion(Leaf(0), 0, 1, [], tree.Root(1)), true, "the root of a one-leaf tree is its leaf hash"));
            cases.Add(new("inclusion-wrong-leaf", "leaf 4 with leaf 5's proof", Inclusion(Leaf(4), 5, 7, p5, tree.Root(7)), false, "the path does not reach the root"));
            cases.Add(new("inclusion-proof-one-longer", "leaf 5's proof with the root appended", Inclusion(Leaf(5), 5, 7, [.. p5, tree.Root(7)], tree.Root(7)), false, "the proof length is exact"));
            cases.Add(new("inclusion-proof-one-shorter", "leaf 5's proof without its last hash", Inclusion(Leaf(5), 5, 7, p5.Take(p5.Count - 1), tree.Root(7)), false, "the proof length is exact"));
            cases.Add(new("inclusion-proof-reordered", "leaf 5's proof with its first two hashes swapped", Inclusion(Leaf(5), 5, 7, [p5[1], p5[0], .. p5.Skip(2)], tree.Root(7)), false, "order matters"));
            cases.Add(new("inclusion-index-equals-size", "index 7 in the tree of 7", Inclusion(Leaf(6), 7, 7, tree.InclusionProof(6, 7), tree.Root(7)), false, "0 ≤ index < size"));
            cases.Add(new("inclusion-size-0", "index 0 in the tree of 0", Inclusion(Leaf(0), 0, 0, [], MerkleTree.EmptyRoot), false, "size ≥ 1"));
            cases.Add(new("inclusion-negative-index", "index -1", Inclusion(Leaf(0), -1, 7, tree.InclusionProof(0, 7), tree.Root(7)), false, "0 ≤ index"));

            foreach (var (a, b) in new[] { (1, 7), (2, 7), (3, 7), (4, 7), (5, 7), (6, 7), (3, 5), (1, 2) })
            {
                cases.Add(new($"consistency-{a}-to-{b}", $"from the tree of {a} to the tree of {b}", Consistency(a, b, tree.ConsistencyProof(a, b), tree.Root(a), tree.Root(b)), true, "RFC 9162 §2.1.4.2"));
            }

            var c37 = tree.ConsistencyProof(3, 7).ToList();
            cases.Add(new("consistency-equal-sizes-empty-proof", "from 7 to 7 with an empty proof", Consistency(7, 7, [], tree.Root(7), tree.Root(7)), true, "size1 = size2: accepted exactly when the proof is empty and the roots are equal"));
            cases.Add(new("consistency-equal-sizes-non-empty-proof", "from 7 to 7 with one hash", Consistency(7, 7, [tree.Root(7)], tree.Root(7), tree.Root(7)), false, "size1 = size2 needs an empty proof"));
            cases.Add(new("consistency-from-0", "from the empty tree to 7 with an empty proof", Consistency(0, 7, [], MerkleTree.EmptyRoot, tree.Root(7)), false, "size1 ≥ 1: RFC 9162 defines no proof from the empty tree"));
            cases.Add(new("consistency-backwards", "from 7 to 3", Consistency(7, 3, c37, tree.Root(7), tree.Root(3)), false, "size2 ≥ size1"));
            cases.Add(new("consistency-wrong-root2", "from 3 to 7 against the forked root of 7", Consistency(3, 7, c37, tree.Root(3), Tree(7, forkAt: 5).Root(7)), false, "the proof does not reach root2"));
            cases.Add(new("consistency-proof-one-longer", "from 3 to 7 with root7 appended", Consistency(3, 7, [.. c37, tree.Root(7)], tree.Root(3), tree.Root(7)), false, "the proof length is exact"));
            cases.Add(new("consistency-empty-proof", "from 3 to 7 with an empty proof", Consistency(3, 7, [], tree.Root(3), tree.Root(7)), false, "a proof between different sizes is never empty"));
            return cases;
        },
        Judge = input =>
        {
            static Hash32[] Proof(JsonNode? node) => ((JsonArray)node!).Select(h => new Hash32(VectorFile.Bytes(h))).ToArray();
            switch ((string)input["kind"]!)
            {
                case "tree":
                    var tree = new MerkleTree();
                    var leaves = ((JsonArray)input["leaves"]!).Select(VectorFile.Bytes).ToArray();
                    foreach (var leaf in leaves) tree.Append(leaf);
                    return new(true, new JsonObject { ["leafHashes"] = HexArray(leaves.Select(l => MerkleTree.LeafHash(l))), ["root"] = Hex(tree.Root()) });
                case "inclusion":
                    var ok = MerkleProofs.VerifyInclusion(MerkleTree.LeafHash(VectorFile.Bytes(input["leaf"])), (long)input["index"]!, (long)input["size"]!, Proof(input["proof"]),
                        new Hash32(VectorFile.Bytes(input["root"])));
                    return new(ok, new JsonObject { ["verifies"] = ok });
                default:
                    var consistent = MerkleProofs.VerifyConsistency((long)input["size1"]!, (long)input["size2"]!, Proof(input["proof"]),
                        new Hash32(VectorFile.Bytes(input["root1"])), new Hash32(VectorFile.Bytes(input["root2"])));
                    return new(consistent, new JsonObject { ["verifies"] = consistent });
            }
        },
    };

    // Checkpoint notes.

    private static byte[] Note(string text) => Encoding.UTF8.GetBytes(text);

    private static string Root64(Hash32 root) => Convert.ToBase64String(root.ToArray());

    public static VectorFile CheckpointNoteFile() => new()
    {
        FileName = "checkpoint-note.json",
        Structure = "relay checkpoint: C2SP tlog-checkpoint in a C2SP signed note",
        Documentation = "docs/wire-format.md, \"Relay checkpoint\"",
        Description = "Open input.note (UTF-8 bytes, hex) as a relay checkpoint trusted under input.relayVkey: parse the note, parse the checkpoint, check the origin is the key's name, verify the relay's signature line. Valid: all hold; expected gives origin, size and root. Invalid: expected.error (the note or the checkpoint does not parse: a typed format error) or signatureVerifies false.",
        Notes = Keys(),
        Cases = () =>
        {
            using var relay = RelayKey();
            var vkey = NoteKey.Create(Origin, relay.Public).ToVkey();
            var tree = Tree(7);
            JsonObject In(byte[] note, string? key = null) => new() { ["note"] = Hex(note), ["relayVkey"] = key ?? vkey };
            var note7 = new RelayCheckpoint(Origin, 7, tree.Root(7)).Sign(relay).ToBytes();
            var text7 = $"{Origin}\n7\n{Root64(tree.Root(7))}\n";
            string Signed(string text) => SignedNote.Sign(text, Origin, relay).ToString();
            var parsed = SignedNote.Parse(note7);
            var badSignature = parsed.Signatures[0].Signature.ToArray();
            badSignature[^1] ^= 0x01;
            var flipped = NoteBytes(parsed.Text, [parsed.Signatures[0] with { Signature = badSignature }]);
            using var other = KeyEventCases.Key("other-relay", 0);
            return
            [
                new("size-7", "the checkpoint of the 7-leaf tree of merkle.json", In(note7), true, "parses, origin = key name, the relay's signature verifies"),
                new("size-0", "the checkpoint an empty relay serves", In(new RelayCheckpoint(Origin, 0, MerkleTree.EmptyRoot).Sign(relay).ToBytes()), true, "size 0, root H()"),
                new("with-extension-line", "an extension line after the root, signed", In(Note(Signed(text7 + "ext\n"))), true, "non-empty extension lines are accepted and ignored; the signature covers them"),
                new("signature-altered", "one bit of the relay's signature flipped (base64 re-encoded)", In(flipped), false, "a line of the trusted key that does not verify rejects the note"),
                new("signed-by-another-key", "signed by another key under the same name", In(new RelayCheckpoint(Origin, 7, tree.Root(7)).Sign(other).ToBytes()), false, "no signature by a known key (the key id differs)"),
                new("origin-mismatch", "origin ledger-relay/elsewhere signed by a key of that name", In(new RelayCheckpoint("ledger-relay/elsewhere", 7, tree.Root(7)).Sign(relay).ToBytes()), false, "the origin must equal the trusted key's name"),
                new("size-leading-zero", "size written 07", In(Note(Signed($"{Origin}\n07\n{Root64(tree.Root(7))}\n"))), false, "decimal without leading zeros"),
                new("root-31-bytes", "a root of 31 bytes", In(Note(Signed($"{Origin}\n7\n{Convert.ToBase64String(tree.Root(7).ToArray()[..31])}\n"))), false, "the root decodes to exactly 32 bytes"),
                new("root-base64-unpadded", "the root's base64 without its padding", In(Note(Signed($"{Origin}\n7\n{Root64(tree.Root(7)).TrimEnd('=')}\n"))), false, "strict base64: padded"),
                new("empty-extension-line", "an empty line inside the text before the blank line", In(Note(Signed(text7 + "\n"))), false, "an empty extension line makes the note not a checkpoint"),
                new("control-character", "a tab in the origin line", In(Note(Signed($"{Origin}\t\n7\n{Root64(tree.Root(7))}\n"))), false, "no control character but newline"),
                new("no-signature-line", "the text and blank line only", In(Note(text7 + "\n")), false, "at least one signature line"),
            ];
        },
        Judge = input =>
        {
            if (!NoteKey.TryParseVkey((string)input["relayVkey"]!, out var key)) throw new InvalidOperationException("a vector's vkey does not parse.");
            try
            {
                var (checkpoint, _, verdict) = RelayCheckpoint.Open(VectorFile.Bytes(input["note"]), key!);
                return new(verdict.Ok, new JsonObject
                {
                    ["origin"] = checkpoint.Origin,
                    ["size"] = checkpoint.Size,
                    ["root"] = Hex(checkpoint.Root),
                    ["signatureVerifies"] = verdict.Ok,
                });
            }
            catch (LedgerFormatException e)
            {
                return new(false, Error(e));
            }
        },
    };

    // Cosignatures.

    /// <summary>A note from its text and signature lines, written as SignedNote writes them.</summary>
    private static byte[] NoteBytes(string text, IEnumerable<NoteSignature> signatures)
    {
        var sb = new StringBuilder(text).Append('\n');
        foreach (var s in signatures)
        {
            var payload = new byte[4 + s.Signature.Length];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(payload, s.KeyId);
            s.Signature.CopyTo(payload, 4);
            sb.Append("\u2014 ").Append(s.Name).Append(' ').Append(Convert.ToBase64String(payload)).Append('\n');
        }

        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    public static VectorFile CosignatureFile() => new()
    {
        FileName = "cosignature.json",
        Structure = "C2SP tlog-cosignature v1 (Ed25519, type 0x04) on a relay checkpoint",
        Documentation = "docs/wire-format.md, \"Cosignature\"",
        Description = "Parse input.note as a signed note and check the cosignature lines of input.witnessVkey (signature over \"cosignature/v1\\ntime <t>\\n\" ‖ note text). Other lines (the relay's) are ignored. Valid: the witness's line verifies. expected.verified / expected.failed list the witness vkeys whose line verified / failed; a note without a line of the witness has neither.",
        Notes = Keys(),
        Cases = () =>
        {
            using var relay = RelayKey();
            using var witness = WitnessKey();
            var wvkey = NoteKey.Create(WitnessName, witness.Public, NoteKey.Cosignature).ToVkey();
            var note7 = new RelayCheckpoint(Origin, 7, Tree(7).Root(7)).Sign(relay);
            var cosigned = Cosignatures.Cosign(note7, WitnessName, witness, DateTimeOffset.FromUnixTimeSeconds(CosignedAt));
            JsonObject In(byte[] note) => new() { ["note"] = Hex(note), ["witnessVkey"] = wvkey };
            var line = cosigned.Signatures[^1];
            NoteSignature Payload(Func<byte[], byte[]> change) => line with { Signature = change((byte[])line.Signature.Clone()) };
            byte[] Replace(NoteSignature s) => NoteBytes(cosigned.Text, [cosigned.Signatures[0], s]);
            var huge = new byte[72];
            huge[0] = 0x80;
            witness.Sign(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"cosignature/v1\ntime {1UL << 63}\n{cosigned.Text}"))).CopyTo(huge, 8);
            using var stranger = KeyEventCases.Key("other-witness", 0);
            return
            [
                new("cosigned-at-2026", "checkpoint-note.json size-7 with the witness's cosignature at 1767225600", In(cosigned.ToBytes()), true, "the timestamped signature verifies"),
                new("timestamp-changed", "the cosignature with its timestamp + 1", In(Replace(Payload(p => { p[7] ^= 0x01; return p; }))), false, "the timestamp is part of the signed message"),
                new("signature-altered", "the cosignature with one bit of its signature flipped", In(Replace(Payload(p => { p[^1] ^= 0x01; return p; }))), false, "the signature does not verify"),
                new("payload-71-bytes", "the cosignature payload one byte short", In(Replace(Payload(p => p[..^1]))), false, "the payload after the key id is exactly 72 bytes"),
                new("timestamp-above-2-pow-63", "timestamp 2^63, signed by the witness over \"time 9223372036854775808\"", In(Replace(line with { Signature = huge })), false, "timestamps are at most 2^63−1"),
                new("text-changed", "the cosignature moved onto the checkpoint of size 6", In(NoteBytes(new RelayCheckpoint(Origin, 6, Tree(7).Root(6)).ToNoteText(), [line])), false, "the note text is part of the signed message"),
                new("no-cosignature", "the relay's checkpoint alone", In(note7.ToBytes()), false, "no line of the witness: neither verified nor failed"),
                new("another-witness", "cosigned by another witness under the same name", In(Cosignatures.Cosign(note7, WitnessName, stranger, DateTimeOffset.FromUnixTimeSeconds(CosignedAt)).ToBytes()), false,
                    "a line matches a known key only by name and key id"),
            ];
        },
        Judge = input =>
        {
            if (!NoteKey.TryParseVkey((string)input["witnessVkey"]!, out var key)) throw new InvalidOperationException("a vector's vkey does not parse.");
            SignedNote note;
            try
            {
                note = SignedNote.Parse(VectorFile.Bytes(input["note"]));
            }
            catch (LedgerFormatException e)
            {
                return new(false, Error(e));
            }

            var verified = Cosignatures.Verify(note, [key!], out var failed);
            return new(verified.Count == 1 && failed.Count == 0, new JsonObject
            {
                ["verified"] = new JsonArray([.. verified.Select(k => (JsonNode)k.ToVkey())]),
                ["failed"] = new JsonArray([.. failed.Select(k => (JsonNode)k.ToVkey())]),
            });
        },
    };

    // Evidence.

    public static VectorFile EvidenceFile() => new()
    {
        FileName = "evidence.json",
        Structure = "ledger evidence v1 (client-fork, stale-key, split-view)",
        Documentation = "docs/wire-format.md, \"Evidence envelope\", \"Split-view evidence\"",
        Description = "Decode input.bytes as evidence and verify it from its own bytes. Valid: it decodes and proves its claim; expected gives kind, ledger and whom it accuses. Invalid: expected.error (it does not decode) or proves false.",
        Notes = Keys(),
        Cases = () =>
        {
            SplitViewEvidence.Register();
            const string L = KeyEventCases.Ledger;
            var cases = new List<VectorCase>();
            JsonObject In(byte[] bytes) => new() { ["bytes"] = Hex(bytes) };

            var a = new KeyEventCases.Builder(label: "till-a");
            a.Tally();
            var held = a.Chain()[1];
            var twin = SignedOpCodec.Sign(TestManifest.V1.CreateOp(TestManifest.AddTally, new AmountArgs("k", 99), a.Author, 2, a.Chain()[0].ChainHash, new BranchId(a.Author, "main"),
                held.Op.At, held.Op.OpId), L, KeyEventCases.Key("till-a", 0));
            var fork = new ClientForkEvidence(L, [a.Chain()[0]], held, twin).Encode();
            cases.Add(new("client-fork", "till-a signed two different ops at seq 2", In(fork), true, "both ops pass the chain rules at seq 2 under the key events"));
            cases.Add(new("client-fork-same-op", "the same op twice", In(new ClientForkEvidence(L, [a.Chain()[0]], held, held).Encode()), false, "two different chain hashes are needed"));
            cases.Add(new("client-fork-nil-inception", "the key events are an inception with nil args", In(new ClientForkEvidence(L,
                [new KeyEventCases.Builder(withInception: false, label: "till-a").Raw(KeyEvents.InceptVerb, [0xc0], KeyEventCases.Key("till-a", 0))], held, twin).Encode()), false,
                "the key events must verify on their own (issue 14: this once threw)"));

            var b = new KeyEventCases.Builder(label: "till-b");
            b.Log.Rotate(KeyEventCases.Key("till-b", 1), KeyEventCases.Key("till-b", 2).Public.Digest, 1).Into(b);
            var stale = b.Raw(TestManifest.AddTally, TestManifest.AddTally.EncodeArgs(new AmountArgs("k", 1)), KeyEventCases.Key("till-b", 0), "main", TestManifest.V1);
            cases.Add(new("stale-key", "till-b rotated to key 1 at seq 2; key 0 signed seq 3", In(new StaleKeyEvidence(L, b.Chain().Take(2).ToArray(), stale).Encode()), true,
                "the op's key was retired at or before its seq and its signature verifies"));
            cases.Add(new("stale-key-without-rotation", "the same op with the inception alone as key events", In(new StaleKeyEvidence(L, b.Chain().Take(1).ToArray(), stale).Encode()), false,
                "the key events do not retire the op's key"));

            using var relay = RelayKey();
            var noteKey = NoteKey.Create(Origin, relay.Public);
            var (honest, forked) = (Tree(7), Tree(7, forkAt: 5));
            var honest7 = new RelayCheckpoint(Origin, 7, honest.Root()).Sign(relay);
            var forked7 = new RelayCheckpoint(Origin, 7, forked.Root()).Sign(relay);
            var forked6 = new RelayCheckpoint(Origin, 6, forked.Root(6)).Sign(relay);
            var byCheckpoints = SplitViewEvidence.FromCheckpoints(L, noteKey, honest7, forked7).Encode();
            cases.Add(new("split-view-checkpoints", "two relay-signed checkpoints of size 7 with different roots", In(byCheckpoints), true, "one size, two roots, both signed by the relay"));
            cases.Add(new("split-view-inclusion", "leaf-5 under the honest checkpoint of 7, leaf-5-forked under the forked checkpoint of 6", In(SplitViewEvidence.FromInclusion(L, noteKey, 5,
                honest7, Leaf(5), honest.InclusionProof(5, 7), forked6, Encoding.ASCII.GetBytes("leaf-5-forked"), forked.InclusionProof(5, 6)).Encode()), true,
                "two different leaves proven at one index"));
            cases.Add(new("split-view-same-checkpoint", "the honest checkpoint twice", In(SplitViewEvidence.FromCheckpoints(L, noteKey, honest7, honest7).Encode()), false, "the roots must differ"));
            cases.Add(new("split-view-different-sizes", "checkpoints of sizes 7 and 6", In(SplitViewEvidence.FromCheckpoints(L, noteKey, honest7, forked6).Encode()), false, "the sizes must be equal"));
            cases.Add(new("trailing-byte", "the client-fork evidence followed by 00", In([.. fork, 0x00]), false, "no bytes may follow the array"));
            var unknown = Mp((ref MessagePack.MessagePackWriter w) =>
            {
                w.WriteArrayHeader(4);
                w.Write("ledger/evidence/v1");
                w.Write("double-spend");
                w.Write(L);
                w.WriteNil();
            });
            cases.Add(new("unknown-kind", "kind \"double-spend\"", In(unknown), false, "a kind the decoder does not know is UnknownVersion"));
            var badLedger = Mp((ref MessagePack.MessagePackWriter w) =>
            {
                w.WriteArrayHeader(4);
                w.Write("ledger/evidence/v1");
                w.Write("stale-key");
                w.Write("bad ledger");
                w.WriteNil();
            });
            cases.Add(new("ledger-invalid", "ledger \"bad ledger\"", In(badLedger), false, "a ledger name is 1–128 characters of [A-Za-z0-9._:/-]"));
            return cases;
        },
        Judge = input =>
        {
            SplitViewEvidence.Register();
            Evidence evidence;
            try
            {
                evidence = EvidenceCodec.Decode(VectorFile.Bytes(input["bytes"]));
            }
            catch (LedgerFormatException e)
            {
                return new(false, Error(e));
            }

            var verdict = evidence.Verify();
            return new(verdict.Valid, new JsonObject
            {
                ["kind"] = evidence.Kind,
                ["ledger"] = evidence.Ledger,
                ["accused"] = evidence.Accused,
                ["proves"] = verdict.Valid,
            });
        },
    };

    // Node export.

    public static VectorFile NodeExportFile() => new()
    {
        FileName = "node-export.json",
        Structure = "ledger node export v1",
        Documentation = "docs/wire-format.md, \"Node export v1\"",
        Description = "Decode input.bytes as a node export and verify it: every record a signed op of the ledger, own exactly for the exporter, no repeated position or (author, seq), each author's ops a chain from seq 1, signed by the exporter's current key. (Folding the records to stateHash needs the app's manifests and is not part of this vector.) Valid: it decodes and verifies.",
        Notes = new JsonObject { ["keys"] = "Ed25519 private-key seeds: SHA-256(\"<device>/<index>\") for devices golden-a and golden-b (the history of tests/Ledger.Sync.Tests/Golden/node-export-v1.txt)." },
        Cases = () =>
        {
            var export = NodeExportGoldenTests.ExportOfAFixedHistory().GetAwaiter().GetResult();
            JsonObject In(byte[] bytes) => new() { ["bytes"] = Hex(bytes) };
            var flipped = (byte[])export.Clone();
            flipped[^1] ^= 0x01;
            return
            [
                new("export", "device golden-a: two acknowledged own ops, two foreign ops of golden-b, one own op not yet acknowledged", In(export), true, "decodes strictly and verifies"),
                new("signature-altered", "the exporter's signature with one bit flipped", In(flipped), false, "the exporter's signature does not verify"),
                new("truncated", "the export without its last byte", In(export[..^1]), false, "the input ends inside the signature"),
                new("trailing-byte", "the export followed by 00", In([.. export, 0x00]), false, "no bytes may follow the array"),
            ];
        },
        Judge = input =>
        {
            Sync.NodeExport export;
            try
            {
                export = Sync.NodeExport.Decode(VectorFile.Bytes(input["bytes"]));
            }
            catch (LedgerFormatException e)
            {
                return new(false, Error(e));
            }

            var verdict = export.Verify();
            return new(verdict.Ok, new JsonObject
            {
                ["ledger"] = export.Ledger,
                ["exporter"] = export.Exporter.Value,
                ["cursor"] = export.Cursor,
                ["stateHash"] = Hex(export.StateHash),
                ["records"] = new JsonArray([.. export.Records.Select(r => (JsonNode)new JsonObject
                {
                    ["op"] = r.Op.ToString(),
                    ["own"] = r.Own,
                    ["position"] = r.Position,
                    ["refusedBy"] = r.RefusedBy,
                })]),
                ["keyId"] = export.KeyId.ToString(),
                ["verifies"] = verdict.Ok,
            });
        },
    };
}
