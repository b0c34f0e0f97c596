using System.Text;
using System.Text.Json.Nodes;
using Ledger.Kernel;
using Ledger.Signing;
using Ledger.TestDomain;
using MessagePack;
using static Ledger.Sync.Tests.Vectors.VectorFile;

namespace Ledger.Sync.Tests.Vectors;

/// <summary>Op v1 and Signed op v1 vectors.</summary>
internal static class OpVectors
{
    private static readonly Guid OpId = new(Convert.FromHexString("01936f3e8a007abc8def0123456789ab"), bigEndian: true);

    private static Op AppOp(ulong seq = 1, long at = 1_767_225_600_123, string? claimKey = null) =>
        new(OpId, new AuthorId("till-7"), seq, seq == 1 ? Hash32.Zero : Hash32.Sha256("previous"u8), TestManifest.V1.Id, claimKey is null ? "tally.add" : "pool.take", 1,
            new BranchId(new AuthorId("till-7"), "main"), claimKey, at, claimKey is null ? TestManifest.AddTally.EncodeArgs(new AmountArgs("cash", 12345)) : TestManifest.TakeUnit.EncodeArgs(new UnitsArgs(2, "r-1")));

    /// <summary>The twelve fields of an op, each encoded on its own, so one can be replaced.</summary>
    private static List<byte[]> Fields(Op op) =>
    [
        Mp((ref MessagePackWriter w) => w.Write(1)),
        Mp((ref MessagePackWriter w) => w.Write(op.OpId.ToByteArray(bigEndian: true))),
        Mp((ref MessagePackWriter w) => w.Write(op.Author.Value)),
        Mp((ref MessagePackWriter w) => w.Write(op.Seq)),
        Mp((ref MessagePackWriter w) => w.Write(op.Prev.ToArray())),
        Mp((ref MessagePackWriter w) => w.Write(op.Manifest.Hash.ToArray())),
        Mp((ref MessagePackWriter w) => w.Write(op.Verb)),
        Mp((ref MessagePackWriter w) => w.Write(op.VerbVersion)),
        Mp((ref MessagePackWriter w) => w.Write(op.Branch.ToString())),
        op.ClaimKey is null ? [0xc0] : Mp((ref MessagePackWriter w) => w.Write(op.ClaimKey)),
        Mp((ref MessagePackWriter w) => w.Write(op.At)),
        Mp((ref MessagePackWriter w) => w.Write(op.Args.Span)),
    ];

    private static byte[] With(Op op, int field, byte[] replacement)
    {
        var fields = Fields(op);
        fields[field] = replacement;
        return Cat([0x9c, .. fields.SelectMany(f => f)]);
    }

    private static byte[] Str(string s) => Mp((ref MessagePackWriter w) => w.Write(s));

    public static VectorFile OpFile() => new()
    {
        FileName = "op.json",
        Structure = "ledger op v1 (unsigned)",
        Documentation = "docs/wire-format.md, \"Canonical MessagePack\", \"Identifiers\" and \"Op v1\"",
        Description = "Decode input.bytes as an Op v1. Valid: the fields and the chain hash H(bytes). Invalid: the decoder refuses the bytes; expected.error names the field, the problem (FormatProblem) and the byte offset where it starts.",
        Cases = () =>
        {
            var op = AppOp();
            var bytes = op.CanonicalBytes.ToArray();
            return
            [
                new("app-op", "a Shared op at seq 1, claim key nil, at 1767225600123 (uint64)", Bytes(bytes), true, "every field canonical"),
                new("claim-op", "a Claim op at seq 2 with a claim key", Bytes(AppOp(2, claimKey: "pool:blue").CanonicalBytes.ToArray()), true, "claimKey is a str when the op is a Claim op"),
                new("negative-at", "at = -1 (negative fixint ff)", Bytes(AppOp(at: -1).CanonicalBytes.ToArray()), true, "at is any signed 64-bit value"),
                new("at-int64-min", "at = -2^63 (d3 80 00 …)", Bytes(AppOp(at: long.MinValue).CanonicalBytes.ToArray()), true, "at is any signed 64-bit value"),
                new("trailing-byte", "a valid op followed by 00", Bytes([.. bytes, 0x00]), false, "no bytes may follow the array"),
                new("truncated", "a valid op without its last byte", Bytes(bytes[..^1]), false, "the input ends inside args"),
                new("eleven-elements", "array of 11: args left out", Bytes([0x9b, .. Fields(op).Take(11).SelectMany(f => f)]), false, "an op is an array of exactly 12"),
                new("format-2", "format 2", Bytes(With(op, 0, [0x02])), false, "format 1 only; another is UnknownVersion"),
                new("seq-non-canonical", "seq 1 written cc 01", Bytes(With(op, 3, [0xcc, 0x01])), false, "integers take their shortest form"),
                new("seq-zero", "seq 0", Bytes(With(op, 3, [0x00])), false, "seq ≥ 1"),
                new("seq-as-boolean", "seq written c3 (true)", Bytes(With(op, 3, [0xc3])), false, "a boolean is not an integer"),
                new("prev-not-zero-at-seq-1", "seq 1 with a non-zero prev", Bytes(With(op, 4, Mp((ref MessagePackWriter w) => w.Write(Hash32.Sha256("x"u8).ToArray())))), false,
                    "prev is 32 zero bytes exactly when seq = 1"),
                new("opid-15-bytes", "opId of 15 bytes", Bytes(With(op, 1, Mp((ref MessagePackWriter w) => w.Write(new byte[15])))), false, "opId is bin 16"),
                new("author-with-space", "author \"till 7\"", Bytes(With(op, 2, Str("till 7"))), false, "an author id is 1–64 characters of [A-Za-z0-9._-]"),
                new("author-str8-non-canonical", "author \"till-7\" written with a str8 header (d9 06)", Bytes(With(op, 2, [0xd9, 0x06, .. "till-7"u8])), false,
                    "strings take their shortest header (a6)"),
                new("author-invalid-utf8", "author bytes c3 28 (not UTF-8)", Bytes(With(op, 2, [0xa2, 0xc3, 0x28])), false, "strings are valid UTF-8"),
                new("verb-upper-case", "verb \"Tally.add\"", Bytes(With(op, 6, Str("Tally.add"))), false, "a verb name is 1–64 characters of [a-z0-9._-]"),
                new("verb-version-zero", "verbVersion 0", Bytes(With(op, 7, [0x00])), false, "verbVersion is 1 … 2^32−1"),
                new("verb-version-2-pow-32", "verbVersion 2^32", Bytes(With(op, 7, [0xcf, 0, 0, 0, 1, 0, 0, 0, 0])), false, "verbVersion is 1 … 2^32−1"),
                new("branch-without-owner", "branch \"main\"", Bytes(With(op, 8, Str("main"))), false, "a branch id is owner/name"),
                new("claim-key-empty", "claimKey \"\"", Bytes(With(op, 9, Str(""))), false, "a claim key is 1–128 characters of [A-Za-z0-9._:/-]; no claim key is nil"),
                new("at-2-pow-63", "at = 2^63 written cf 80 00 00 00 00 00 00 00", Bytes(With(op, 10, [0xcf, 0x80, 0, 0, 0, 0, 0, 0, 0])), false, "at is a signed 64-bit value"),
                new("at-int64-header-for-small-value", "at 1767225600123 written d3 (int64) instead of cf", Bytes(With(op, 10, [0xd3, 0x00, 0x00, 0x01, 0x9b, 0x76, 0xda, 0xa8, 0x7b])), false,
                    "non-negative integers use the unsigned family"),
                new("args-as-str", "args written as a str", Bytes(With(op, 11, Str("args"))), false, "args is bin"),
                new("args-bin16-non-canonical", "args (20 bytes) written with a bin16 header c5 00 14", Bytes(With(op, 11, [0xc5, 0x00, (byte)op.Args.Length, .. op.Args.Span])), false,
                    "binary values take their shortest header (c4)"),
                new("claim-key-true", "claimKey written c3 (true)", Bytes(With(op, 9, [0xc3])), false, "claimKey is nil or str"),
            ];
        },
        Judge = input =>
        {
            Op op;
            try
            {
                op = OpCodec.Decode(VectorFile.Bytes(input["bytes"]));
            }
            catch (LedgerFormatException e)
            {
                return new(false, Error(e));
            }

            return new(true, Fields(op, includeHash: true));
        },
    };

    internal static JsonObject Fields(Op op, bool includeHash)
    {
        var o = new JsonObject
        {
            ["format"] = 1,
            ["opId"] = Hex(op.OpId.ToByteArray(bigEndian: true)),
            ["author"] = op.Author.Value,
            ["seq"] = op.Seq,
            ["prev"] = Hex(op.Prev),
            ["manifest"] = Hex(op.Manifest.Hash),
            ["verb"] = op.Verb,
            ["verbVersion"] = op.VerbVersion,
            ["branch"] = op.Branch.ToString(),
            ["claimKey"] = op.ClaimKey,
            ["at"] = Decimal(op.At),
            ["args"] = Hex(op.Args.Span),
        };
        if (includeHash) o["chainHash"] = Hex(op.ChainHash);
        return o;
    }

    private static JsonObject Bytes(byte[] bytes) => new() { ["bytes"] = Hex(bytes) };

    // Signed op v1.

    private static SigningKey Key(string label, uint index) => KeyEventCases.Key(label, index);

    private static List<byte[]> Parts(SignedOp op)
    {
        var id = new byte[KeyId.Length];
        op.KeyId.Write(id);
        return
        [
            Str(SignedOpCodec.Label),
            Str(op.Ledger),
            Mp((ref MessagePackWriter w) => w.Write(op.Op.CanonicalBytes.Span)),
            Mp((ref MessagePackWriter w) => w.Write(id)),
            Mp((ref MessagePackWriter w) => w.Write(op.Signature.ToArray())),
        ];
    }

    private static byte[] With(SignedOp op, int part, byte[] replacement)
    {
        var parts = Parts(op);
        parts[part] = replacement;
        return Cat([0x95, .. parts.SelectMany(p => p)]);
    }

    public static VectorFile SignedOpFile() => new()
    {
        FileName = "signed-op.json",
        Structure = "ledger signed op v1",
        Documentation = "docs/wire-format.md, \"Signing\", \"Signed op v1\"",
        Description = "Decode input.bytes as a Signed op v1 and verify its Ed25519 signature over the signed message (the bytes after the 0x95 header up to the signature's c4 40 header) with input.publicKey. Valid: it decodes and the signature verifies; expected gives the parts, the signed message and the chain hash H(bytes). Invalid: expected.error (it does not decode) or signatureVerifies false.",
        Notes = new JsonObject { ["keys"] = "Ed25519 private-key seeds (RFC 8032) are SHA-256(\"ledger-vectors/<label>/<index>\"), e.g. label vector-author index 0." },
        Cases = () =>
        {
            var b = new KeyEventCases.Builder();
            var inception = b.Chain()[0];
            var app = b.Tally();
            var pk0 = Hex(Key(KeyEventCases.Label, 0).Public.RawBytes);
            JsonObject In(byte[] bytes, string? pk = null) => new() { ["bytes"] = Hex(bytes), ["publicKey"] = pk ?? pk0 };
            var flipped = app.Bytes.ToArray();
            flipped[^1] ^= 0x01;
            return
            [
                new("inception", "the inception op of author vector-author, signed by key 0", In(inception.Bytes.ToArray()), true, "a canonical signed op whose signature verifies"),
                new("app-op", "an app op at seq 2 whose prev is the inception's chain hash", In(app.Bytes.ToArray()), true, "a canonical signed op whose signature verifies"),
                new("signature-flipped-bit", "the app op with the last bit of its signature flipped", In(flipped), false, "the signature does not verify"),
                new("other-public-key", "the app op verified with key 1", In(app.Bytes.ToArray(), Hex(Key(KeyEventCases.Label, 1).Public.RawBytes)), false, "the signature does not verify under another key"),
                new("signature-bin16-header", "the signature written c5 00 40 instead of c4 40", In(With(app, 4, [0xc5, 0x00, 0x40, .. app.Signature])), false, "binary values take their shortest header"),
                new("label-v2", "label \"ledger/op/v2\"", In(With(app, 0, Str("ledger/op/v2"))), false, "another label is UnknownVersion"),
                new("ledger-with-space", "ledger \"vector s\"", In(With(app, 1, Str("vector s"))), false, "a ledger name is 1–128 characters of [A-Za-z0-9._:/-]"),
                new("ledger-empty", "ledger \"\"", In(With(app, 1, Str(""))), false, "a ledger name is 1–128 characters"),
                new("key-id-7-bytes", "keyId of 7 bytes", In(With(app, 3, Mp((ref MessagePackWriter w) => w.Write(new byte[7])))), false, "keyId is bin 8"),
                new("signature-63-bytes", "a signature of 63 bytes", In(With(app, 4, Mp((ref MessagePackWriter w) => w.Write(app.Signature[..63].ToArray())))), false, "signature is bin 64"),
                new("inner-op-non-canonical", "the op's seq written cc 02", In(With(app, 2, Mp((ref MessagePackWriter w) => w.Write(With(app.Op, 3, [0xcc, 0x02]))))), false,
                    "the op inside is decoded as strictly as a bare op; the error names op.<field>"),
                new("trailing-byte", "the app op followed by 00", In([.. app.Bytes.ToArray(), 0x00]), false, "no bytes may follow the array"),
                new("six-elements", "array of 6 (a nil after the signature)", In([0x96, .. app.Bytes.ToArray()[1..], 0xc0]), false, "a signed op is an array of exactly 5"),
            ];
        },
        Judge = input =>
        {
            SignedOp op;
            try
            {
                op = SignedOpCodec.Decode(VectorFile.Bytes(input["bytes"]));
            }
            catch (LedgerFormatException e)
            {
                return new(false, Error(e));
            }

            var verifies = VerificationKey.TryImport(VectorFile.Bytes(input["publicKey"]), out var key) && op.VerifySignature(key!);
            var id = new byte[KeyId.Length];
            op.KeyId.Write(id);
            return new(verifies, new JsonObject
            {
                ["ledger"] = op.Ledger,
                ["op"] = Fields(op.Op, includeHash: false),
                ["keyId"] = Hex(id),
                ["signature"] = Hex(op.Signature),
                ["signedMessage"] = Hex(op.SignedMessage),
                ["chainHash"] = Hex(op.ChainHash),
                ["signatureVerifies"] = verifies,
            });
        },
    };

    // Ed25519 edge cases (the same inputs as Ledger.Signing.Tests' Ed25519ValidityTests).

    private const string Rfc8032Pk = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
    private const string Rfc8032Sig = "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";
    private const string Identity = "0100000000000000000000000000000000000000000000000000000000000000";
    private const string Zero32 = "0000000000000000000000000000000000000000000000000000000000000000";

    public static VectorFile Ed25519File() => new()
    {
        FileName = "ed25519.json",
        Structure = "Ed25519 signature verification (RFC 8032, as libsodium verifies)",
        Documentation = "docs/wire-format.md, \"Signing (Ledger.Signing)\"",
        Description = "Verify input.signature over input.message under input.publicKey. Ledger accepts exactly what libsodium accepts: canonical S, no small-order public key or R, canonical point encodings, exact lengths. A verifier that accepts an invalid case disagrees with Ledger about which chains are valid.",
        Cases = () =>
        {
            JsonObject In(string pk, string msg, string sig) => new() { ["publicKey"] = pk, ["message"] = msg, ["signature"] = sig };
            return
            [
                new("rfc8032-test1", "RFC 8032 §7.1 test 1", In(Rfc8032Pk, "", Rfc8032Sig), true, "a valid signature"),
                new("rfc8032-test1-wrong-message", "test 1's signature over the message 00", In(Rfc8032Pk, "00", Rfc8032Sig), false, "the signature is over another message"),
                new("s-plus-L-non-canonical-s", "test 1 with S replaced by S + L", In(Rfc8032Pk, "", Rfc8032Sig[..64] + "4c8c7872aa064e049dbb3013fbf29380d25bf5f0595bbe24655141438e7a101b"), false, "S must be below L"),
                new("s-with-high-bit", "test 1 with the top bit of S set", In(Rfc8032Pk, "", Rfc8032Sig[..126] + "8b"), false, "S must be below L"),
                new("identity-public-key-identity-r-zero-s", "identity public key, R = identity, S = 0", In(Identity, "6c6564676572", Identity + Zero32), false, "a small-order public key is refused"),
                new("identity-public-key-any-message", "identity public key, empty message", In(Identity, "", Identity + Zero32), false, "a small-order public key is refused"),
                new("small-order-r-zero-s", "test 1's key with R = identity, S = 0", In(Rfc8032Pk, "", Identity + Zero32), false, "a small-order R is refused"),
                new("non-canonical-public-key-y-equals-p-plus-1", "a public key encoding y = p + 1", In("eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", "", Identity + Zero32), false, "non-canonical point encodings are refused"),
                new("order-2-public-key", "a public key of order 2", In("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", "", Identity + Zero32), false, "a small-order public key is refused"),
                new("signature-63-bytes", "test 1's signature without its last byte", In(Rfc8032Pk, "", Rfc8032Sig[..126]), false, "a signature is 64 bytes"),
                new("signature-65-bytes", "test 1's signature with 00 appended", In(Rfc8032Pk, "", Rfc8032Sig + "00"), false, "a signature is 64 bytes"),
                new("public-key-31-bytes", "test 1's public key without its last byte", In(Rfc8032Pk[..62], "", Rfc8032Sig), false, "a public key is 32 bytes"),
                new("flipped-r-bit", "test 1 with the lowest bit of R's first byte flipped", In(Rfc8032Pk, "", "e4" + Rfc8032Sig[2..]), false, "the signature does not verify"),
            ];
        },
        Judge = input =>
        {
            var pk = VectorFile.Bytes(input["publicKey"]);
            var imports = VerificationKey.TryImport(pk, out var key);
            var sig = VectorFile.Bytes(input["signature"]);
            var verifies = imports && sig.Length == 64 && key!.Verify(VectorFile.Bytes(input["message"]), sig);
            return new(verifies, new JsonObject { ["publicKeyImports"] = imports, ["verifies"] = verifies });
        },
    };

    internal static string Utf8(byte[] bytes) => Encoding.UTF8.GetString(bytes);
}
