using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Ledger.Kernel;
using Ledger.TestDomain;
using MessagePack;

namespace Ledger.Kernel.Tests;

public class OpCodecTests
{
    internal static Op SampleOp(string? claimKey = null, ulong seq = 2)
    {
        var author = new AuthorId("till-7");
        var prev = seq == 1 ? Hash32.Zero : Hash32.Sha256("previous op"u8);
        return new Op(Guid.Parse("01936f3e-8a00-7abc-8def-0123456789ab"), author, seq, prev, TestManifest.V1.Id,
            "sale.post", 1, new BranchId(author, "main"), claimKey, 1_767_225_600_123, TestManifest.PostSale.EncodeArgs(new SaleArgs("INV-1", "acct:1000", 12_345)));
    }

    [Fact]
    [Trait("Risk", "C2")]
    public void Encoding_round_trips_every_field()
    {
        var op = SampleOp("sku:last-1");
        var decoded = OpCodec.Decode(op.CanonicalBytes);
        Assert.Equal(op.OpId, decoded.OpId);
        Assert.Equal(op.Author, decoded.Author);
        Assert.Equal(op.Seq, decoded.Seq);
        Assert.Equal(op.Prev, decoded.Prev);
        Assert.Equal(op.Manifest, decoded.Manifest);
        Assert.Equal(op.Verb, decoded.Verb);
        Assert.Equal(op.VerbVersion, decoded.VerbVersion);
        Assert.Equal(op.Branch, decoded.Branch);
        Assert.Equal(op.ClaimKey, decoded.ClaimKey);
        Assert.Equal(op.At, decoded.At);
        Assert.Equal(op.Args.ToArray(), decoded.Args.ToArray());
        Assert.Equal(op.ChainHash, decoded.ChainHash);
    }

    [Fact]
    [Trait("Risk", "C2")]
    public void Golden_op_bytes_are_pinned()
    {
        // The manifest id is pinned separately; this vector uses a fixed manifest id so that it only pins the envelope.
        var author = new AuthorId("till-7");
        var fixedManifest = new ManifestId(Hash32.Sha256("golden manifest"u8));
        var args = MessagePackSerializer.Serialize(new SaleArgs("INV-1", "acct:1000", 12_345));
        var first = new Op(Guid.Parse("01936f3e-8a00-7abc-8def-0123456789ab"), author, 1, Hash32.Zero, fixedManifest,
            "sale.post", 1, new BranchId(author, "main"), null, 1_767_225_600_123, args);
        var second = new Op(Guid.Parse("01936f3e-8a01-7abc-8def-0123456789ac"), author, 2, first.ChainHash, fixedManifest,
            "pool.take", 1, new BranchId(author, "main"), "sku:last-1", 1_767_225_601_000, MessagePackSerializer.Serialize(new UnitsArgs(1, "o1")));
        var text = new StringBuilder();
        foreach (var (name, op) in new[] { ("op1", first), ("op2", second) })
        {
            text.Append(name).Append(".bytes=").Append(Convert.ToHexStringLower(op.CanonicalBytes.Span)).Append('\n');
            text.Append(name).Append(".chainHash=").Append(op.ChainHash).Append('\n');
        }

        Golden.Match("op-v1.txt", text.ToString());
    }

    [Fact]
    [Trait("Category", "BadInput")]
    public void Truncated_bytes_at_every_length_answer_with_a_typed_error()
    {
        var bytes = SampleOp("sku:last-1").CanonicalBytes.ToArray();
        for (var length = 0; length < bytes.Length; length++)
        {
            var e = Assert.Throws<LedgerFormatException>(() => OpCodec.Decode(bytes.AsMemory(0, length)));
            Assert.Equal("op", e.Structure);
            Assert.NotEmpty(e.Field);
            Assert.InRange(e.Offset, 0, length);
        }
    }

    [Fact]
    [Trait("Category", "BadInput")]
    public void Every_single_byte_mutation_either_fails_typed_or_decodes_to_its_own_canonical_bytes()
    {
        var bytes = SampleOp("sku:last-1").CanonicalBytes.ToArray();
        var failures = 0;
        for (var i = 0; i < bytes.Length; i++)
        {
            foreach (var mask in new byte[] { 0x01, 0x80, 0xff, 0x10 })
            {
                var mutated = (byte[])bytes.Clone();
                mutated[i] ^= mask;
                try
                {
                    var op = OpCodec.Decode(mutated);
                    Assert.Equal(mutated, op.CanonicalBytes.ToArray());
                }
                catch (LedgerFormatException)
                {
                    failures++;
                }
            }
        }

        Assert.True(failures > bytes.Length, "most mutations of structure bytes must be caught");
    }

    [Fact]
    [Trait("Category", "BadInput")]
    public void Random_bytes_never_escape_as_an_untyped_exception()
    {
        var arb = Arb.From(Gen.Choose(0, 255).Select(b => (byte)b).ArrayOf());
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(2000), Prop.ForAll(arb, (byte[] data) =>
        {
            try
            {
                OpCodec.Decode(data);
            }
            catch (LedgerFormatException)
            {
            }
        }));
    }

    [Fact]
    [Trait("Risk", "C2")]
    public void A_longer_integer_form_is_rejected_as_non_canonical_naming_the_field()
    {
        var op = SampleOp();
        // Re-write the envelope with seq as uint64 (0xcf) instead of its fixint form.
        var bytes = WithField(op, 3, (ref MessagePackWriter w) => w.WriteUInt64(op.Seq));
        var e = Assert.Throws<LedgerFormatException>(() => OpCodec.Decode(bytes));
        Assert.Equal(FormatProblem.NonCanonical, e.Problem);
        Assert.Equal("seq", e.Field);
    }

    [Fact]
    [Trait("Category", "BadInput")]
    public void Trailing_bytes_are_rejected()
    {
        var bytes = SampleOp().CanonicalBytes.ToArray().Append((byte)0xc0).ToArray();
        var e = Assert.Throws<LedgerFormatException>(() => OpCodec.Decode(bytes));
        Assert.Equal(FormatProblem.TrailingBytes, e.Problem);
    }

    [Fact]
    [Trait("Category", "BadInput")]
    public void A_mistyped_field_is_named()
    {
        var bytes = WithField(SampleOp(), 2, (ref MessagePackWriter w) => w.Write(42));
        var e = Assert.Throws<LedgerFormatException>(() => OpCodec.Decode(bytes));
        Assert.Equal(FormatProblem.WrongType, e.Problem);
        Assert.Equal("author", e.Field);
        Assert.Contains("author", e.Message);
    }

    [Fact]
    [Trait("Category", "BadInput")]
    public void Oversized_args_are_rejected_before_allocation()
    {
        // A bin32 header announcing 2 GiB with no payload: must be Oversized or Truncated, never an allocation.
        var op = SampleOp();
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        var w = new MessagePackWriter(buffer);
        var original = new MessagePackReader(op.CanonicalBytes);
        w.WriteArrayHeader(original.ReadArrayHeader());
        for (var i = 0; i < 11; i++) w.WriteRaw(original.ReadRaw());
        w.Flush();
        var bytes = buffer.WrittenSpan.ToArray().Concat(new byte[] { 0xc6, 0x7f, 0xff, 0xff, 0xff }).ToArray();
        var e = Assert.Throws<LedgerFormatException>(() => OpCodec.Decode(bytes));
        Assert.Equal("args", e.Field);
    }

    [Fact]
    [Trait("Category", "BadInput")]
    public void An_unknown_envelope_format_is_reported_as_such()
    {
        var bytes = SampleOp().CanonicalBytes.ToArray();
        bytes[1] = 0x02;
        var e = Assert.Throws<LedgerFormatException>(() => OpCodec.Decode(bytes));
        Assert.Equal(FormatProblem.UnknownVersion, e.Problem);
    }

    [Fact]
    public void The_internal_msgpack_writer_matches_MessagePack_CSharp_for_integers()
    {
        long[] values = [0, 1, 31, 32, 127, 128, 255, 256, 65535, 65536, uint.MaxValue, (long)uint.MaxValue + 1, long.MaxValue,
            -1, -32, -33, -128, -129, short.MinValue, short.MinValue - 1, int.MinValue, (long)int.MinValue - 1, long.MinValue];
        foreach (var v in values)
        {
            var expected = MessagePackSerializer.Serialize(v);
            var actual = new byte[9];
            var n = Ledger.Kernel.Wire.MsgPack.WriteInt(actual, v);
            Assert.Equal(expected, actual[..n]);
            Assert.Equal(expected, Values.Encode(v));
            Assert.Equal(v, Values.Decode<long>(expected));
        }
    }

    private delegate void FieldWriter(ref MessagePackWriter writer);

    /// <summary>The op's envelope re-written with the field at <paramref name="index"/> replaced by what
    /// <paramref name="write"/> writes: the arrange of every test that alters one field's encoding.</summary>
    private static ReadOnlyMemory<byte> WithField(Op op, int index, FieldWriter write)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        var w = new MessagePackWriter(buffer);
        var original = new MessagePackReader(op.CanonicalBytes);
        var count = original.ReadArrayHeader();
        w.WriteArrayHeader(count);
        for (var i = 0; i < count; i++)
        {
            if (i == index)
            {
                original.Skip();
                write(ref w);
            }
            else
            {
                w.WriteRaw(original.ReadRaw());
            }
        }

        w.Flush();
        return buffer.WrittenMemory;
    }
}
