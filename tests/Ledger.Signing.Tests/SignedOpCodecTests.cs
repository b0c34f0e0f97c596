using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Ledger.Kernel;
using Ledger.Signing;
using Ledger.TestDomain;

namespace Ledger.Signing.Tests;

public class SignedOpCodecTests
{
    private static readonly CounterTable GoldenCounter = new("golden-counter");
    private static readonly GoldenTallyVerb GoldenTally = new();
    private static readonly Manifest GoldenManifest = new ManifestBuilder("golden", 1).Table(GoldenCounter).Add(GoldenTally).Build();

    private sealed class GoldenTallyVerb() : Verb<AmountArgs>("golden.tally", 1, Scope.Shared)
    {
        protected override void Execute(VerbContext context, AmountArgs args) => context.Add(GoldenCounter, args.Key, args.Amount);
    }

    [Fact]
    [Trait("Risk", "C2")]
    public void Signed_op_bytes_are_pinned_by_a_golden_vector()
    {
        // A manifest of its own, so that changes to the shared test domain never move these bytes.
        var a = new TestAuthor("golden");
        a.Append(GoldenManifest, GoldenTally, new AmountArgs("cash", 1999));
        var text = new StringBuilder();
        text.Append("author=").Append(a.Author).Append('\n');
        text.Append("key0.public=").Append(Convert.ToHexStringLower(a.Key(0).Public.RawBytes)).Append('\n');
        text.Append("key0.id=").Append(a.Key(0).Id).Append('\n');
        text.Append("key1.digest=").Append(a.Key(1).Public.Digest).Append('\n');
        for (var i = 0; i < a.Chain.Count; i++)
        {
            text.Append("op").Append(i + 1).Append(".signed=").Append(Convert.ToHexStringLower(a.Chain[i].Bytes.Span)).Append('\n');
            text.Append("op").Append(i + 1).Append(".chainHash=").Append(a.Chain[i].ChainHash).Append('\n');
        }

        Golden.Match("signed-op-v1.txt", text.ToString());
        Assert.True(ChainVerifier.Verify(TestAuthor.Ledger, a.Chain).Ok);
    }

    [Fact]
    public void A_signed_op_round_trips_and_its_kernel_op_carries_the_signed_chain_hash()
    {
        var a = new TestAuthor("till-1");
        var op = a.Append(TestManifest.V1, TestManifest.AddTally, new AmountArgs("cash", 5));
        var decoded = SignedOpCodec.Decode(op.Bytes);
        Assert.Equal(op.Bytes.ToArray(), decoded.Bytes.ToArray());
        Assert.Equal(op.ChainHash, decoded.Op.ChainHash);
        Assert.Equal(Hash32.Sha256(op.Bytes.Span), decoded.Op.ChainHash);
        Assert.NotEqual(decoded.Op.ChainHash, Hash32.Sha256(decoded.Op.CanonicalBytes.Span));
    }

    [Fact]
    [Trait("Category", "BadInput")]
    public void Truncated_signed_ops_fail_typed_at_every_length()
    {
        var op = new TestAuthor("till-1").Chain[0].Bytes.ToArray();
        for (var n = 0; n < op.Length; n++)
        {
            var e = Assert.Throws<LedgerFormatException>(() => SignedOpCodec.Decode(op.AsMemory(0, n)));
            Assert.Equal("signed op", e.Structure);
        }
    }

    [Fact]
    [Trait("Category", "BadInput")]
    public void Mutated_signed_ops_fail_typed_or_fail_verification()
    {
        var a = new TestAuthor("till-1");
        var bytes = a.Chain[0].Bytes.ToArray();
        for (var i = 0; i < bytes.Length; i++)
        {
            var mutated = (byte[])bytes.Clone();
            mutated[i] ^= 0x04;
            try
            {
                var decoded = SignedOpCodec.Decode(mutated);
                Assert.False(ChainVerifier.Verify(TestAuthor.Ledger, [decoded]).Ok, $"mutation at byte {i} verified");
            }
            catch (LedgerFormatException)
            {
            }
        }
    }

    [Fact]
    [Trait("Category", "BadInput")]
    public void Random_bytes_never_escape_as_untyped_exceptions_from_any_signing_parser()
    {
        var arb = Arb.From(Gen.Choose(0, 255).Select(b => (byte)b).ArrayOf());
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(1000), Prop.ForAll(arb, (byte[] data) =>
        {
            Expect(() => SignedOpCodec.Decode(data));
            Expect(() => ChainFile.Decode(data));
            Expect(() => EvidenceCodec.Decode(data));
            Expect(() => Grant.Decode(data));
        }));
    }

    [Fact]
    [Trait("Risk", "D1")]
    [Trait("Category", "BadInput")]
    public void A_chain_file_with_a_longer_string_or_array_header_is_refused_as_non_canonical()
    {
        // Found by the decoder fuzzer (tests/Ledger.Fuzz.Tests, target chain-file): a second encoding of one file.
        var a = new TestAuthor("till-1");
        a.Append(TestManifest.V1, TestManifest.AddTally, new AmountArgs("k", 1));
        var file = ChainFile.Encode(TestAuthor.Ledger, a.Chain);
        Assert.Equal(2, ChainFile.Decode(file).Ops.Count);

        // The ledger name "test-ledger" (fixstr, a0 | 11) as str 8 (d9 0b).
        var ledgerAt = 1 + 1 + ChainFile.Label.Length;
        Assert.Equal((byte)(0xa0 | TestAuthor.Ledger.Length), file[ledgerAt]);
        byte[] longLedger = [.. file[..ledgerAt], 0xd9, (byte)TestAuthor.Ledger.Length, .. file[(ledgerAt + 1)..]];
        var error = Assert.Throws<LedgerFormatException>(() => ChainFile.Decode(longLedger));
        Assert.Equal(("chain file", "ledger", FormatProblem.NonCanonical), (error.Structure, error.Field, error.Problem));

        // The ops array (fixarray 92) as array 16 (dc 00 02).
        var opsAt = ledgerAt + 1 + TestAuthor.Ledger.Length;
        Assert.Equal((byte)0x92, file[opsAt]);
        byte[] longOps = [.. file[..opsAt], 0xdc, 0x00, 0x02, .. file[(opsAt + 1)..]];
        error = Assert.Throws<LedgerFormatException>(() => ChainFile.Decode(longOps));
        Assert.Equal(("chain file", "ops", FormatProblem.NonCanonical), (error.Structure, error.Field, error.Problem));
    }

    private static void Expect(Action parse)
    {
        try
        {
            parse();
        }
        catch (LedgerFormatException)
        {
        }
    }
}

public class SystemManifestTests
{
    [Fact]
    [Trait("Risk", "C2")]
    public void The_key_event_and_grant_manifest_ids_are_pinned()
    {
        // A change here means every existing chain's key events name a manifest new software no longer has.
        var text = $"ledger-keys.v1={KeyEvents.Manifest.Id}\nledger-grants.v1={Grants.Manifest.Id}\n";
        Golden.Match("manifest-ids.txt", text);
    }
}
