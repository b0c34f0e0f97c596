using System.Text;
using Ledger.Kernel;
using Ledger.Signing;
using Ledger.TestDomain;

namespace Ledger.Tests;

/// <summary>A chain whose last op is the one under test, with the verdict a verifier must reach.</summary>
/// <param name="Name">A stable name (the vector file's case name).</param>
/// <param name="Comment">What the case is.</param>
/// <param name="Chain">One author's ops from seq 1.</param>
/// <param name="Break">The break at the last op, or null when the chain verifies.</param>
/// <param name="Reason">Why (the rule of docs/wire-format.md that decides).</param>
internal sealed record KeyEventCase(string Name, string Comment, IReadOnlyList<SignedOp> Chain, ChainBreak? Break, string Reason)
{
    /// <summary>The seq of the op that breaks (always the last op), or null.</summary>
    public ulong? BrokenAtSeq => Break is null ? null : Chain[^1].Op.Seq;
}

/// <summary>Key-event cases from seeded keys — valid chains and every way key-event args or rules go wrong
/// (issue 16: lenient args; issue 14: nil inception args). Compiled into Ledger.Signing.Tests (witnesses) and
/// Ledger.Sync.Tests (the language-neutral vector file <c>vectors/key-events.json</c>), so both judge the same bytes.</summary>
internal static class KeyEventCases
{
    public const string Ledger = "vectors";

    public const string Label = "vector-author";

    /// <summary>The seed of key <paramref name="index"/> of <paramref name="label"/>: SHA-256("ledger-vectors/" ‖ label ‖ "/" ‖ index).</summary>
    public static byte[] Seed(string label, uint index) => Hash32.Sha256(Encoding.UTF8.GetBytes($"ledger-vectors/{label}/{index}")).ToArray();

    public static SigningKey Key(string label, uint index) => SigningKey.FromSeed(Seed(label, index));

    public static IReadOnlyList<KeyEventCase> All()
    {
        var cases = new List<KeyEventCase>();
        var k0 = Key(Label, 0);
        var k1 = Key(Label, 1);
        var k2 = Key(Label, 2);
        var stranger = Key("stranger", 0);
        var d1 = k1.Public.Digest.ToArray();
        var d2 = k2.Public.Digest.ToArray();
        var pk0 = k0.Public.RawBytes.ToArray();
        var pk1 = k1.Public.RawBytes.ToArray();

        // Valid chains.
        {
            var a = new Builder();
            cases.Add(new("inception", "an inception alone: label, key 0, commitment to key 1, key index 0", a.Chain(), null,
                "op 1 is ledger.key.incept v1 on <author>/keys, its args certify the author id and it is signed by its own key"));
        }
        {
            var a = new Builder();
            a.Tally();
            a.Log.Rotate(k1, k2.Public.Digest, 1).Into(a);
            a.Tally();
            cases.Add(new("rotation", "inception, an app op, a rotation to key 1 (index 1) signed by key 1, an app op under key 1", a.Chain(), null,
                "the rotation reveals the committed key, is signed by it and its key index follows the current one"));
        }
        {
            var a = new Builder();
            a.Tally();
            a.Log.Revoke(k1, k2.Public.Digest, 1, "device-lost", 2).Into(a);
            a.Tally();
            cases.Add(new("revocation", "a revocation by key 1 disputing ops from seq 2, then an app op under key 1", a.Chain(), null,
                "a revocation follows the rotation rules; disputedSinceSeq is advisory"));
        }
        {
            var a = new Builder();
            a.Log.Revoke(k1, null, 1, "retired").Into(a);
            cases.Add(new("closing-revocation", "a revocation with nil nextKeyDigest closes the chain", a.Chain(), null, "nil nextKeyDigest is allowed in a revocation"));
        }

        // Inception args.
        {
            var a = new Builder(withInception: false);
            a.Raw(KeyEvents.InceptVerb, [0xc0], k0);
            cases.Add(new("incept-args-nil", "inception whose args are MessagePack nil (c0)", a.Chain(), ChainBreak.BadKeyEvent,
                "args must be the 4-element array; nil is not (issue 14: this once threw NullReferenceException)"));
        }
        {
            var a = new Builder(withInception: false);
            a.Raw(KeyEvents.InceptVerb, Cat(Arr(5), Str(Label), Bin(pk0), Bin(d1), UInt(0u), UInt(0u)), k0);
            cases.Add(new("incept-args-5-elements", "inception args with a fifth element", a.Chain(), ChainBreak.BadKeyEvent, "incept args are exactly 4 elements"));
        }
        {
            var a = new Builder(withInception: false);
            a.Raw(KeyEvents.InceptVerb, [.. InceptArgs(pk0, d1), 0x00], k0);
            cases.Add(new("incept-args-trailing-byte", "valid inception args followed by one byte 00", a.Chain(), ChainBreak.BadKeyEvent, "no bytes may follow the args array"));
        }
        {
            var a = new Builder(withInception: false);
            a.Raw(KeyEvents.InceptVerb, Cat(Arr(4), Str(Label), Bin(pk0), Bin(d1.AsSpan(0, 31)), UInt(0u)), k0);
            cases.Add(new("incept-digest-31-bytes", "inception whose nextKeyDigest is 31 bytes", a.Chain(), ChainBreak.BadKeyEvent, "nextKeyDigest is bin 32"));
        }
        {
            var a = new Builder(withInception: false);
            a.Raw(KeyEvents.InceptVerb, InceptArgs(pk0, d1), k0, branch: "main");
            cases.Add(new("incept-not-on-keys-branch", "inception on <author>/main", a.Chain(), ChainBreak.BadKeyEvent, "key events must be on <author>/keys"));
        }
        {
            var a = new Builder(withInception: false);
            a.Raw(KeyEvents.InceptVerb, Cat(Arr(4), Str("other-label"), Bin(pk0), Bin(d1), UInt(0u)), k0);
            cases.Add(new("incept-wrong-label", "inception whose label derives another author id", a.Chain(), ChainBreak.BadInception,
                "the author id must be derived from the inception's label, key and next-key digest"));
        }
        {
            var a = new Builder(withInception: false);
            a.Raw(KeyEvents.InceptVerb, InceptArgs(pk0, d1), stranger);
            cases.Add(new("incept-signed-by-another-key", "inception signed by a key other than its own", a.Chain(), ChainBreak.WrongKey, "the inception is signed by the key it names"));
        }

        // Rotation args.
        {
            var a = new Builder();
            a.Raw(KeyEvents.RotateVerb, Cat(Arr(4), Bin(pk1), Bin(d2), UInt(1u), UInt(0u)), k1);
            cases.Add(new("rotate-args-4-elements", "rotation args with a fourth element", a.Chain(), ChainBreak.BadKeyEvent, "rotate args are exactly 3 elements"));
        }
        {
            var a = new Builder();
            a.Raw(KeyEvents.RotateVerb, Cat(Arr(2), Bin(pk1), Bin(d2)), k1);
            cases.Add(new("rotate-args-2-elements", "rotation args without the key index", a.Chain(), ChainBreak.BadKeyEvent, "rotate args are exactly 3 elements"));
        }
        {
            var a = new Builder();
            var args = RotateArgs(pk1, d2, 1);
            a.Raw(KeyEvents.RotateVerb, [.. args[..^1], 0xcc, 0x01], k1);
            cases.Add(new("rotate-key-index-non-canonical", "rotation whose key index 1 is written cc 01", a.Chain(), ChainBreak.BadKeyEvent,
                "integers take their shortest form (01)"));
        }
        {
            var a = new Builder();
            a.Raw(KeyEvents.RotateVerb, [.. RotateArgs(pk1, d2, 1), 0x00], k1);
            cases.Add(new("rotate-args-trailing-byte", "valid rotation args followed by one byte 00", a.Chain(), ChainBreak.BadKeyEvent, "no bytes may follow the args array"));
        }
        {
            var a = new Builder();
            a.Raw(KeyEvents.RotateVerb, RotateArgs(pk1, d2, 2), k1);
            cases.Add(new("rotate-key-index-skips", "rotation from key index 0 naming key index 2", a.Chain(), ChainBreak.BadKeyEvent,
                "a rotation's key index is the current key index + 1"));
        }
        {
            var a = new Builder();
            a.Raw(KeyEvents.RotateVerb, RotateArgs(pk1, d2, 0), k1);
            cases.Add(new("rotate-key-index-repeats", "rotation from key index 0 naming key index 0", a.Chain(), ChainBreak.BadKeyEvent,
                "a rotation's key index is the current key index + 1"));
        }
        {
            var a = new Builder();
            a.Raw(KeyEvents.RotateVerb, Cat(Arr(3), Bin(pk1), Nil, UInt(1u)), k1);
            cases.Add(new("rotate-next-digest-nil", "rotation with nil nextKeyDigest", a.Chain(), ChainBreak.BadKeyEvent, "a rotation must commit to a next key (only a revocation may close)"));
        }
        {
            var a = new Builder();
            a.Raw(KeyEvents.RotateVerb, RotateArgs(pk1, d2, 1), k1, branch: "main");
            cases.Add(new("rotate-not-on-keys-branch", "a correct rotation on <author>/main", a.Chain(), ChainBreak.BadKeyEvent, "key events must be on <author>/keys"));
        }
        {
            var a = new Builder();
            a.Raw(KeyEvents.RotateVerb, RotateArgs(pk1, d2, 1), k0);
            cases.Add(new("rotate-signed-by-current-key", "a rotation revealing the committed key 1 but signed by the current key 0", a.Chain(), ChainBreak.RotationByCurrentKey,
                "signed by the current key: RotationByCurrentKey"));
        }
        {
            var a = new Builder();
            var s = stranger.Public.RawBytes.ToArray();
            a.Raw(KeyEvents.RotateVerb, RotateArgs(s, d2, 1), k0);
            cases.Add(new("rotate-uncommitted-key-by-current-key", "a rotation revealing a key never committed to, signed by the current key 0", a.Chain(), ChainBreak.RotationByCurrentKey,
                "the revealed key is not the committed one and the op is signed by the current key: RotationByCurrentKey"));
        }
        {
            var a = new Builder();
            var s = stranger.Public.RawBytes.ToArray();
            a.Raw(KeyEvents.RotateVerb, RotateArgs(s, d2, 1), stranger);
            cases.Add(new("rotate-uncommitted-key-by-itself", "a rotation revealing a key never committed to, signed by that key", a.Chain(), ChainBreak.NotPreCommitted,
                "the revealed key is not the committed one and the op is not signed by the current key: NotPreCommitted"));
        }
        {
            var a = new Builder();
            a.Raw(KeyEvents.RotateVerb, RotateArgs(pk1, d2, 1), stranger);
            cases.Add(new("rotate-signed-by-a-third-key", "a rotation revealing the committed key 1, signed by neither key 0 nor key 1", a.Chain(), ChainBreak.WrongKey,
                "a rotation is signed by the key it reveals"));
        }
        {
            var a = new Builder();
            a.Raw(KeyEvents.InceptVerb, InceptArgs(pk0, d1), k0);
            cases.Add(new("second-inception", "ledger.key.incept at seq 2", a.Chain(), ChainBreak.BadKeyEvent, "only rotate and revoke may follow the inception"));
        }

        // Revocation args.
        {
            var a = new Builder();
            a.Raw(KeyEvents.RevokeVerb, Cat(Arr(4), Bin(pk1), Bin(d2), UInt(1u), Nil), k1);
            cases.Add(new("revoke-args-4-elements", "revocation args without the reason", a.Chain(), ChainBreak.BadKeyEvent, "revoke args are exactly 5 elements"));
        }
        {
            var a = new Builder();
            a.Raw(KeyEvents.RevokeVerb, Cat(Arr(5), Bin(pk1), Bin(d2), UInt(1u), Nil, Nil), k1);
            cases.Add(new("revoke-reason-nil", "revocation whose reason is nil", a.Chain(), ChainBreak.BadKeyEvent, "reason is a str"));
        }
        {
            var a = new Builder();
            a.Raw(KeyEvents.RevokeVerb, Cat(Arr(5), Bin(pk1), Bin(d2), UInt(3u), Nil, Str("lost")), k1);
            cases.Add(new("revoke-key-index-skips", "revocation from key index 0 naming key index 3", a.Chain(), ChainBreak.BadKeyEvent,
                "a revocation's key index is the current key index + 1"));
        }

        // Ops after key events.
        {
            var a = new Builder();
            a.Log.Rotate(k1, k2.Public.Digest, 1).Into(a);
            a.Raw(TestManifest.AddTally, TestManifest.AddTally.EncodeArgs(new AmountArgs("k", 1)), k0, branch: "main", manifest: TestManifest.V1);
            cases.Add(new("op-under-rotated-key", "an app op signed by key 0 after the rotation to key 1", a.Chain(), ChainBreak.StaleKey,
                "a key retired at seq r signs nothing at seq ≥ r"));
        }
        {
            var a = new Builder();
            a.Log.Revoke(k1, null, 1, "retired").Into(a);
            a.Raw(TestManifest.AddTally, TestManifest.AddTally.EncodeArgs(new AmountArgs("k", 1)), k1, branch: "main", manifest: TestManifest.V1);
            cases.Add(new("op-after-closing-revocation", "an app op signed by key 1 after a closing revocation", a.Chain(), ChainBreak.ChainClosed,
                "nothing is valid after a closing revocation"));
        }

        return cases;

        byte[] InceptArgs(byte[] key, byte[] digest) => KeyEvents.InceptVerb.EncodeArgs(new Ledger.Signing.InceptArgs(Label, key, digest, 0));
        static byte[] RotateArgs(byte[] key, byte[] digest, uint index) => KeyEvents.RotateVerb.EncodeArgs(new Ledger.Signing.RotateArgs(key, digest, index));
    }

    /// <summary>Raw MessagePack, for args no encoder of the library would write: the parts concatenated.</summary>
    private static byte[] Cat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    private static byte[] Arr(int n) => Mp((ref MessagePack.MessagePackWriter w) => w.WriteArrayHeader(n));

    private static byte[] Str(string s) => Mp((ref MessagePack.MessagePackWriter w) => w.Write(s));

    private static byte[] Bin(ReadOnlySpan<byte> b)
    {
        var copy = b.ToArray();
        return Mp((ref MessagePack.MessagePackWriter w) => w.Write(copy));
    }

    private static byte[] UInt(uint n) => Mp((ref MessagePack.MessagePackWriter w) => w.Write(n));

    private static readonly byte[] Nil = [0xc0];

    private delegate void Writing(ref MessagePack.MessagePackWriter writer);

    private static byte[] Mp(Writing write)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        var w = new MessagePack.MessagePackWriter(buffer);
        write(ref w);
        w.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>One author's chain built from seeded keys with a stepping clock and counted op ids.</summary>
    internal sealed class Builder
    {
        private readonly List<SignedOp> _chain = [];
        private readonly SteppingClock _clock = new();
        private readonly DeterministicIds _ids = new();

        public Builder(bool withInception = true, string label = Label)
        {
            var k0 = Key(label, 0);
            Log = AuthorLog.Incept(Ledger, label, k0, Key(label, 1).Public.Digest, out var inception, 0, _clock, _ids.Next);
            Author = Log.Author;
            if (withInception) _chain.Add(inception);
        }

        public AuthorLog Log { get; }

        public AuthorId Author { get; }

        public void Add(SignedOp op) => _chain.Add(op);

        /// <summary>Replaces the ops (to drop or reorder some for a case).</summary>
        public void Replace(IEnumerable<SignedOp> ops)
        {
            var list = ops.ToList();
            _chain.Clear();
            _chain.AddRange(list);
        }

        public SignedOp Tally()
        {
            var op = Log.Append(TestManifest.V1, TestManifest.AddTally, new AmountArgs("k", _chain.Count));
            _chain.Add(op);
            return op;
        }

        /// <summary>The next op with these exact args bytes, signed by <paramref name="signer"/>, not checked.</summary>
        public SignedOp Raw(Verb verb, byte[] args, SigningKey signer, string branch = KeyEvents.BranchName, Manifest? manifest = null,
            ulong? seq = null, Hash32? prev = null, string ledger = Ledger)
        {
            var at = seq ?? (ulong)_chain.Count + 1;
            var before = prev ?? (_chain.Count == 0 ? Hash32.Zero : _chain[^1].ChainHash);
            var op = (manifest ?? KeyEvents.Manifest).CreateOpFromEncodedArgs(verb, args, Author, at, before, new BranchId(Author, branch),
                _clock.GetUtcNow().ToUnixTimeMilliseconds(), _ids.Next(_clock.GetUtcNow()));
            var signed = SignedOpCodec.Sign(op, ledger, signer);
            _chain.Add(signed);
            return signed;
        }

        public IReadOnlyList<SignedOp> Chain() => _chain.ToArray();
    }

    internal static void Into(this SignedOp op, Builder builder) => builder.Add(op);
}
