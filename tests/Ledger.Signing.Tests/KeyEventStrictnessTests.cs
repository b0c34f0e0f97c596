using Ledger.Kernel;
using Ledger.Signing;
using Ledger.TestDomain;

namespace Ledger.Signing.Tests;

/// <summary>Key events are decoded as strictly as ops (issue 16) and a malformed one is a typed break from every
/// verifier, never an exception (issue 14, defect 1).</summary>
public class KeyEventStrictnessTests
{
    public static TheoryData<string> CaseNames()
    {
        var data = new TheoryData<string>();
        foreach (var c in KeyEventCases.All()) data.Add(c.Name);
        return data;
    }

    private static KeyEventCase Case(string name) => KeyEventCases.All().Single(c => c.Name == name);

    [Theory]
    [MemberData(nameof(CaseNames))]
    [Trait("Category", "BadInput")]
    [Trait("Risk", "E1")]
    public void Every_key_event_case_gets_its_documented_verdict_from_the_chain_verifier_and_the_op_by_op_verifier(string name)
    {
        var c = Case(name);
        var report = ChainVerifier.Verify(KeyEventCases.Ledger, c.Chain);
        Assert.Equal(c.Break, report.Break);
        Assert.Equal(c.BrokenAtSeq, report.BrokenAtSeq);

        // The relay's path: op by op, the same verdict at the same op.
        var verifier = new AuthorChainVerifier(KeyEventCases.Ledger, c.Chain[0].Op.Author);
        ChainCheck last = ChainCheck.Ok;
        foreach (var op in c.Chain)
        {
            last = verifier.Append(op);
            if (!last.IsOk) break;
        }

        Assert.Equal(c.Break, last.IsOk ? null : last.Break);
    }

    [Theory]
    [InlineData("incept-args-5-elements")]
    [InlineData("incept-args-trailing-byte")]
    [InlineData("rotate-args-4-elements")]
    [InlineData("rotate-args-2-elements")]
    [InlineData("rotate-key-index-non-canonical")]
    [InlineData("rotate-args-trailing-byte")]
    [InlineData("revoke-args-4-elements")]
    [InlineData("revoke-reason-nil")]
    [Trait("Category", "BadInput")]
    [Trait("Risk", "C2")]
    public void Key_event_args_a_lenient_decoder_took_are_refused_typed_naming_the_field_so_two_verifiers_agree(string name)
    {
        var c = Case(name);
        var report = ChainVerifier.Verify(KeyEventCases.Ledger, c.Chain);
        Assert.Equal(ChainBreak.BadKeyEvent, report.Break);
        Assert.Contains("args do not decode", report.Detail);

        // The kernel's verbs decode with the same strict codec: a lenient key event cannot fold either.
        var args = c.Chain[^1].Op.Args;
        var verb = c.Chain[^1].Op.Verb;
        Action decode = verb switch
        {
            "ledger.key.incept" => () => KeyEvents.InceptVerb.DecodeArgs(args),
            "ledger.key.rotate" => () => KeyEvents.RotateVerb.DecodeArgs(args),
            _ => () => KeyEvents.RevokeVerb.DecodeArgs(args),
        };
        var error = Assert.Throws<LedgerFormatException>(decode);
        Assert.StartsWith(verb, error.Structure);
    }

    [Theory]
    [InlineData("rotate-key-index-skips")]
    [InlineData("rotate-key-index-repeats")]
    [InlineData("revoke-key-index-skips")]
    [Trait("Category", "BadInput")]
    [Trait("Risk", "E1")]
    public void A_key_index_that_does_not_follow_the_current_one_is_refused(string name)
    {
        var report = ChainVerifier.Verify(KeyEventCases.Ledger, Case(name).Chain);
        Assert.Equal(ChainBreak.BadKeyEvent, report.Break);
        Assert.Equal(2UL, report.BrokenAtSeq);
        Assert.Contains("the current key's index is 0, so the next must be 1", report.Detail);
    }

    [Fact]
    [Trait("Category", "BadInput")]
    [Trait("Risk", "D1")]
    public void An_inception_with_nil_args_is_a_typed_break_from_every_verifier_and_evidence_never_throws()
    {
        var bad = Case("incept-args-nil").Chain;
        var honest = Case("rotation").Chain;

        var report = ChainVerifier.Verify(KeyEventCases.Ledger, bad);
        Assert.Equal(ChainBreak.BadKeyEvent, report.Break);
        Assert.Equal(1UL, report.BrokenAtSeq);

        var verifier = new AuthorChainVerifier(KeyEventCases.Ledger, bad[0].Op.Author);
        Assert.Equal(ChainBreak.BadKeyEvent, verifier.Check(bad[0]).Break);
        Assert.Equal(ChainBreak.BadKeyEvent, verifier.AppendDeferringSignatureCheck(bad[0], out _).Break);

        // A chain file with the bad author first: the honest author after it still verifies.
        var honestAuthor = new TestAuthor("honest-till", KeyEventCases.Ledger);
        honestAuthor.Append(TestManifest.V1, TestManifest.AddTally, new AmountArgs("k", 1));
        var file = ChainFile.Encode(KeyEventCases.Ledger, [.. bad, .. honestAuthor.Chain]);
        var (ledger, ops) = ChainFile.Decode(file);
        var reports = ChainFile.VerifyAll(ledger, ops);
        Assert.Equal(ChainBreak.BadKeyEvent, reports[0].Break);
        Assert.True(reports[1].Ok, reports[1].ToString());

        // Evidence naming the bad inception as its key events is rejected, typed (Verify is documented never to throw).
        var stale = new StaleKeyEvidence(KeyEventCases.Ledger, bad, honest[^1]);
        var verdict = stale.Verify();
        Assert.False(verdict.Valid);
        Assert.Contains("BadKeyEvent", verdict.Finding);
        var fork = new ClientForkEvidence(KeyEventCases.Ledger, bad, bad[0], honest[0]);
        Assert.False(fork.Verify().Valid);
        Assert.False(KeyEventLog.TryVerify(KeyEventCases.Ledger, bad[0].Op.Author, bad, out _, out var problem));
        Assert.Contains("BadKeyEvent", problem);
    }

    [Fact]
    [Trait("Category", "BadInput")]
    public void Every_truncation_and_byte_flip_of_key_event_args_gets_a_typed_verdict_and_args_that_decode_are_canonical()
    {
        var a = new TestAuthor("till-1");
        a.Rotate(1);
        a.Revoke(2, disputedSince: 2);
        var cases = 0;
        foreach (var original in a.Chain)
        {
            var index = a.Chain.IndexOf(original);
            var prefix = a.Chain.Take(index).ToList();
            var signer = a.Key((uint)index);
            var args = original.Op.Args.ToArray();
            var mutations = new List<byte[]>();
            for (var length = 0; length < args.Length; length++) mutations.Add(args[..length]);
            for (var i = 0; i < args.Length; i++)
            {
                foreach (var mask in new byte[] { 0x01, 0x10, 0x80, 0xff })
                {
                    var m = (byte[])args.Clone();
                    m[i] ^= mask;
                    mutations.Add(m);
                }
            }

            foreach (var m in mutations)
            {
                var o = original.Op;
                var op = new Op(o.OpId, o.Author, o.Seq, o.Prev, o.Manifest, o.Verb, o.VerbVersion, o.Branch, o.ClaimKey, o.At, m);
                var report = ChainVerifier.Verify(TestAuthor.Ledger, [.. prefix, SignedOpCodec.Sign(op, TestAuthor.Ledger, signer)]);
                cases++;
                byte[]? reencoded = null;
                try
                {
                    reencoded = o.Verb switch
                    {
                        "ledger.key.incept" => KeyEvents.InceptVerb.EncodeArgs(KeyEvents.InceptVerb.DecodeArgs(m)),
                        "ledger.key.rotate" => KeyEvents.RotateVerb.EncodeArgs(KeyEvents.RotateVerb.DecodeArgs(m)),
                        _ => KeyEvents.RevokeVerb.EncodeArgs(KeyEvents.RevokeVerb.DecodeArgs(m)),
                    };
                }
                catch (LedgerFormatException)
                {
                    Assert.Equal(ChainBreak.BadKeyEvent, report.Break);
                }

                if (reencoded is not null) Assert.Equal(m, reencoded);
            }
        }

        Assert.True(cases > 1000, $"{cases} mutations");
    }

    [Fact]
    [Trait("Risk", "C2")]
    public void Key_event_args_the_library_writes_are_the_canonical_bytes_the_strict_decoder_reads_back()
    {
        var a = new TestAuthor("till-1");
        a.Rotate(1);
        a.Revoke(2, disputedSince: 2);
        a.Revoke(3, close: true);
        Assert.True(ChainVerifier.Verify(TestAuthor.Ledger, a.Chain).Ok);
        foreach (var op in a.Chain)
        {
            var args = op.Op.Args;
            var again = op.Op.Verb switch
            {
                "ledger.key.incept" => KeyEvents.InceptVerb.EncodeArgs(KeyEvents.InceptVerb.DecodeArgs(args)),
                "ledger.key.rotate" => KeyEvents.RotateVerb.EncodeArgs(KeyEvents.RotateVerb.DecodeArgs(args)),
                _ => KeyEvents.RevokeVerb.EncodeArgs(KeyEvents.RevokeVerb.DecodeArgs(args)),
            };
            Assert.Equal(args.ToArray(), again);

            // The general formatter (the encoding before the strict codec) wrote the same bytes: no chain changes.
            var general = op.Op.Verb switch
            {
                "ledger.key.incept" => Values.Encode(KeyEvents.InceptVerb.DecodeArgs(args)),
                "ledger.key.rotate" => Values.Encode(KeyEvents.RotateVerb.DecodeArgs(args)),
                _ => Values.Encode(KeyEvents.RevokeVerb.DecodeArgs(args)),
            };
            Assert.Equal(args.ToArray(), general);
        }
    }
}
