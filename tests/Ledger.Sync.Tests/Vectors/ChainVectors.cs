using System.Text.Json.Nodes;
using Ledger.Kernel;
using Ledger.Signing;
using Ledger.TestDomain;
using MessagePack;
using static Ledger.Sync.Tests.Vectors.VectorFile;

namespace Ledger.Sync.Tests.Vectors;

/// <summary>Chain file v1 and key-event vectors.</summary>
internal static class ChainVectors
{
    private static SigningKey Key(string label, uint index) => KeyEventCases.Key(label, index);

    /// <summary>A chain file written without the library's checks (ops of another ledger, any ledger name).</summary>
    private static byte[] File(string ledger, IEnumerable<SignedOp> ops, string label = ChainFile.Label) => Mp((ref MessagePackWriter w) =>
    {
        var list = ops.ToList();
        w.WriteArrayHeader(3);
        w.Write(label);
        w.Write(ledger);
        w.WriteArrayHeader(list.Count);
        foreach (var op in list) w.Write(op.Bytes.Span);
    });

    private static JsonObject In(byte[] file) => new() { ["file"] = Hex(file) };

    private static byte[] Tally(long n) => TestManifest.AddTally.EncodeArgs(new AmountArgs("k", n));

    public static VectorFile ChainFileVectors() => new()
    {
        FileName = "chain.json",
        Structure = "ledger chain file v1",
        Documentation = "docs/wire-format.md, \"Key events\" (chain rules) and \"Chain file v1\"",
        Description = "Decode input.file as a chain file, group its ops by author in order of first appearance, verify each author's ops from seq 1 by the chain rules. expected.reports has one report per author, as `ledger verify` prints it without the detail (line). Valid: every chain verifies. Invalid: a chain breaks (break, brokenAtSeq) or the file does not decode (expected.error).",
        Notes = new JsonObject { ["keys"] = "Ed25519 private-key seeds are SHA-256(\"ledger-vectors/<label>/<index>\")." },
        Cases = () =>
        {
            var cases = new List<VectorCase>();
            const string L = KeyEventCases.Ledger;
            {
                var a = new KeyEventCases.Builder(label: "till-a");
                var b = new KeyEventCases.Builder(label: "till-b");
                a.Tally();
                b.Log.Rotate(Key("till-b", 1), Key("till-b", 2).Public.Digest, 1).Into(b);
                a.Tally();
                b.Tally();
                var ops = new[] { a.Chain()[0], b.Chain()[0], a.Chain()[1], b.Chain()[1], a.Chain()[2], b.Chain()[2] };
                cases.Add(new("two-authors-interleaved", "authors till-a (3 ops) and till-b (inception, rotation, op) interleaved", In(File(L, ops)), true, "each author's ops are in seq order; both chains verify"));
                cases.Add(new("empty", "a chain file with no ops", In(File(L, [])), true, "`ledger verify` prints \"<ledger>: no ops\""));
            }

            VectorCase Broken(string name, string comment, string reason, Action<KeyEventCases.Builder> build)
            {
                var a = new KeyEventCases.Builder(label: "till-a");
                build(a);
                return new(name, comment, In(File(L, a.Chain())), false, reason);
            }

            var k0 = Key("till-a", 0);
            cases.Add(Broken("wrong-ledger", "op 2 is signed for ledger \"other\"", "WrongLedger: every op is signed for the file's ledger",
                a => a.Raw(TestManifest.AddTally, Tally(1), k0, "main", TestManifest.V1, ledger: "other")));
            cases.Add(Broken("gap", "ops 1 and 3", "Gap: seq = n", a =>
            {
                a.Tally();
                var chain = a.Chain();
                a.Raw(TestManifest.AddTally, Tally(3), k0, "main", TestManifest.V1, seq: 3, prev: chain[1].ChainHash);
                var list = a.Chain().ToList();
                list.RemoveAt(1);
                Reset(a, list);
            }));
            cases.Add(Broken("wrong-prev", "op 2 names another prev", "WrongPrev: prev is the chain hash of op n−1", a =>
                a.Raw(TestManifest.AddTally, Tally(1), k0, "main", TestManifest.V1, prev: Hash32.Sha256("not the inception"u8))));
            cases.Add(Broken("bad-signature", "op 2 with one bit of its signature flipped", "BadSignature", a =>
            {
                var op = a.Tally().Bytes.ToArray();
                op[^1] ^= 0x01;
                Reset(a, [a.Chain()[0], SignedOpCodec.Decode(op)]);
            }));
            cases.Add(Broken("wrong-key", "op 2 signed by a key the author never had", "WrongKey", a =>
                a.Raw(TestManifest.AddTally, Tally(1), Key("stranger", 0), "main", TestManifest.V1)));
            cases.Add(Broken("stale-key", "after a rotation to key 1 (seq 2), op 3 signed by key 0", "StaleKey", a =>
            {
                a.Log.Rotate(Key("till-a", 1), Key("till-a", 2).Public.Digest, 1).Into(a);
                a.Raw(TestManifest.AddTally, Tally(1), k0, "main", TestManifest.V1);
            }));
            cases.Add(new("bad-inception", "op 1 is an app op", In(File(L, [new KeyEventCases.Builder(withInception: false, label: "till-a").Raw(TestManifest.AddTally, Tally(1), k0, "main", TestManifest.V1)])), false,
                "BadInception: op 1 must be ledger.key.incept"));
            cases.Add(Broken("bad-key-event", "a rotation whose key index skips", "BadKeyEvent", a =>
                a.Raw(KeyEvents.RotateVerb, KeyEvents.RotateVerb.EncodeArgs(new RotateArgs(Key("till-a", 1).Public.RawBytes.ToArray(), Key("till-a", 2).Public.Digest.ToArray(), 5)), Key("till-a", 1))));
            cases.Add(Broken("not-pre-committed", "a rotation revealing a stranger's key, signed by it", "NotPreCommitted", a =>
                a.Raw(KeyEvents.RotateVerb, KeyEvents.RotateVerb.EncodeArgs(new RotateArgs(Key("stranger", 0).Public.RawBytes.ToArray(), Key("till-a", 2).Public.Digest.ToArray(), 1)), Key("stranger", 0))));
            cases.Add(Broken("rotation-by-current-key", "a rotation revealing key 1, signed by key 0", "RotationByCurrentKey", a =>
                a.Raw(KeyEvents.RotateVerb, KeyEvents.RotateVerb.EncodeArgs(new RotateArgs(Key("till-a", 1).Public.RawBytes.ToArray(), Key("till-a", 2).Public.Digest.ToArray(), 1)), k0)));
            cases.Add(Broken("chain-closed", "an op after a closing revocation", "ChainClosed", a =>
            {
                a.Log.Revoke(Key("till-a", 1), null, 1, "retired").Into(a);
                a.Raw(TestManifest.AddTally, Tally(1), Key("till-a", 1), "main", TestManifest.V1);
            }));
            cases.Add(Broken("earlier-bad-signature-wins", "op 2's signature is bad and op 3 has a gap: the earliest broken op is named", "the report names the first broken op in seq order", a =>
            {
                var op = a.Tally().Bytes.ToArray();
                op[^1] ^= 0x01;
                var bad = SignedOpCodec.Decode(op);
                var gap = a.Raw(TestManifest.AddTally, Tally(9), k0, "main", TestManifest.V1, seq: 4, prev: bad.ChainHash);
                Reset(a, [a.Chain()[0], bad, gap]);
            }));
            {
                var a = new KeyEventCases.Builder(label: "till-a");
                a.Tally();
                var chain = a.Chain();
                cases.Add(new("ledger-name-invalid", "the file's ledger is \"bad ledger\"", In(File("bad ledger", chain)), false, "a chain file's ledger is a ledger name"));
                cases.Add(new("label-v2", "label \"ledger/chain/v2\"", In(File(L, chain, "ledger/chain/v2")), false, "another label is UnknownVersion"));
                cases.Add(new("trailing-byte", "a valid file followed by 00", In([.. File(L, chain), 0x00]), false, "no bytes may follow the array"));
                var broken = File(L, chain);
                broken[^1] ^= 0xff;
                var op = chain[1].Bytes.ToArray();
                var nonCanonical = Mp((ref MessagePackWriter w) =>
                {
                    w.WriteArrayHeader(3);
                    w.Write(ChainFile.Label);
                    w.Write(L);
                    w.WriteArrayHeader(2);
                    w.Write(chain[0].Bytes.Span);
                    w.Write(op.AsSpan(0, op.Length - 66).ToArray().Concat(new byte[] { 0xc5, 0x00, 0x40 }).Concat(op[^64..]).ToArray());
                });
                cases.Add(new("op-not-canonical", "op 2's signature written c5 00 40", In(nonCanonical), false, "every op decodes strictly; the error names the op's index in the file"));
            }

            return cases;
        },
        Judge = input =>
        {
            string ledger;
            IReadOnlyList<SignedOp> ops;
            try
            {
                (ledger, ops) = ChainFile.Decode(VectorFile.Bytes(input["file"]));
            }
            catch (LedgerFormatException e)
            {
                var error = Error(e);
                error["error"]!["opIndex"] = e.OpIndex;
                return new(false, error);
            }

            var reports = ChainFile.VerifyAll(ledger, ops, 1);
            var list = new JsonArray();
            foreach (var r in reports)
            {
                list.Add(new JsonObject
                {
                    ["author"] = r.Author.Value,
                    ["ok"] = r.Ok,
                    ["length"] = r.Length,
                    ["tip"] = Hex(r.Tip),
                    ["break"] = r.Break?.ToString(),
                    ["brokenAtSeq"] = r.BrokenAtSeq,
                    ["line"] = r.Ok ? r.ToString() : $"{r.Author}: breaks at op {r.BrokenAtSeq}: {r.Break}",
                });
            }

            return new(reports.All(r => r.Ok), new JsonObject { ["ledger"] = ledger, ["reports"] = list });
        },
    };

    private static void Reset(KeyEventCases.Builder builder, IEnumerable<SignedOp> ops) => builder.Replace(ops);

    public static VectorFile KeyEventFile() => new()
    {
        FileName = "key-events.json",
        Structure = "ledger key events (ledger-keys v1) in an author's chain",
        Documentation = "docs/wire-format.md, \"Key events\"",
        Description = "Verify input.ops (one author's signed ops, seq 1 first) by the chain rules for ledger input.ledger. The op under test is the last. Valid: the chain verifies; expected gives the key state after it. Invalid: expected gives the break (a ChainBreak name) and the seq of the op that breaks. Key-event args are decoded strictly: exact element count, types and lengths, canonical MessagePack, nothing after the array.",
        Notes = new JsonObject
        {
            ["keys"] = "Ed25519 private-key seeds are SHA-256(\"ledger-vectors/<label>/<index>\"); the author is label vector-author, key 0 incepts and commits to key 1; \"stranger\" index 0 is a key nobody committed to.",
            ["author"] = new KeyEventCases.Builder().Author.Value,
        },
        Cases = () => KeyEventCases.All().Select(c => new VectorCase(c.Name, c.Comment,
            new JsonObject { ["ledger"] = KeyEventCases.Ledger, ["ops"] = HexArray(c.Chain.Select(o => o.Bytes.ToArray())) }, c.Break is null, c.Reason)).ToArray(),
        Judge = input =>
        {
            var ops = ((JsonArray)input["ops"]!).Select(o => SignedOpCodec.Decode(VectorFile.Bytes(o))).ToArray();
            var report = ChainVerifier.Verify((string)input["ledger"]!, ops, watermark: null, maxDegreeOfParallelism: 1);
            if (!report.Ok) return new(false, new JsonObject { ["break"] = report.Break.ToString(), ["brokenAtSeq"] = report.BrokenAtSeq });
            var keys = report.Keys!;
            return new(true, new JsonObject
            {
                ["length"] = report.Length,
                ["currentPublicKey"] = Hex(keys.Current.RawBytes),
                ["currentKeyId"] = keys.Current.Id.ToString(),
                ["keyIndex"] = keys.KeyIndex,
                ["nextKeyDigest"] = keys.NextDigest is { } next ? Hex(next) : null,
                ["closed"] = keys.Closed,
                ["revokedAtSeq"] = keys.RevokedAtSeq,
                ["disputedSinceSeq"] = keys.DisputedSinceSeq,
                ["retired"] = new JsonArray([.. keys.Retired.Select(r => (JsonNode)new JsonObject
                {
                    ["publicKey"] = Hex(r.Key.RawBytes),
                    ["staleFromSeq"] = r.StaleFromSeq,
                    ["revoked"] = r.Revoked,
                })]),
            });
        },
    };
}
