using System.Buffers;
using Ledger.Kernel;
using Ledger.Kernel.Wire;
using MessagePack;

namespace Ledger.Signing;

/// <summary>A file of signed ops of one ledger (docs/wire-format.md, "Chain file v1"): the MessagePack
/// array ["ledger/chain/v1", ledger, [signed op bytes …]]. Each author's ops appear in seq order; authors
/// may interleave.</summary>
public static class ChainFile
{
    /// <summary>The label that starts a chain file.</summary>
    public const string Label = "ledger/chain/v1";

    /// <summary>Encodes signed ops into a chain file.</summary>
    public static byte[] Encode(string ledger, IEnumerable<SignedOp> ops)
    {
        ArgumentNullException.ThrowIfNull(ops);
        var list = ops.ToList();
        var buffer = new ArrayBufferWriter<byte>(1024);
        var w = new MessagePackWriter(buffer);
        w.WriteArrayHeader(3);
        w.Write(Label);
        w.Write(ledger);
        w.WriteArrayHeader(list.Count);
        foreach (var op in list)
        {
            if (op.Ledger != ledger) throw Error.Argument($"{op.Ref} is signed for ledger '{op.Ledger}', not '{ledger}'.", nameof(ops));
            w.Write(op.Bytes.Span);
        }

        w.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Decodes a chain file. Signatures are not verified here; <see cref="VerifyAll"/> does.</summary>
    /// <exception cref="LedgerFormatException">Malformed or non-canonical bytes; <see cref="LedgerFormatException.OpIndex"/> names the op.</exception>
    public static (string Ledger, IReadOnlyList<SignedOp> Ops) Decode(ReadOnlyMemory<byte> bytes)
    {
        var r = new WireReader(bytes, "chain file");
        r.ReadArrayHeader("chain file", 3, 3);
        var labelAt = r.Offset;
        var label = r.ReadString("label", 32);
        if (label != Label) throw r.Fail("label", FormatProblem.UnknownVersion, labelAt, $"'{label}' is not '{Label}'.");
        var ledgerAt = r.Offset;
        var ledger = r.ReadString("ledger", LedgerName.MaxLength);
        if (!LedgerName.IsValid(ledger)) throw r.Fail("ledger", FormatProblem.InvalidValue, ledgerAt, "not a ledger name.");
        var opsAt = r.Offset;
        var count = r.ReadArrayHeader("ops", 0, int.MaxValue);
        var ops = new List<SignedOp>(Math.Min(count, 1 << 16));
        for (var i = 0; i < count; i++)
        {
            var at = r.Offset;
            ReadOnlyMemory<byte> opBytes;
            try
            {
                opBytes = r.ReadBinary("ops[]", 1, SignedOpCodec.MaxBytes);
            }
            catch (LedgerFormatException e)
            {
                throw e.AtOp(i);
            }

            try
            {
                ops.Add(SignedOpCodec.Decode(opBytes));
            }
            catch (LedgerFormatException e)
            {
                throw Error.Decode("chain file", "ops[].op" + (e.Field.StartsWith("op.", StringComparison.Ordinal) ? e.Field[2..] : "." + e.Field), e.Problem, at + e.Offset, e.Detail, i, e);
            }
        }

        r.EnsureEnd();

        // One file, one encoding (found by the decoder fuzzer: a str 8 header for a short ledger name was accepted).
        // Written here rather than by Encode, which refuses an op of another ledger that VerifyAll reports by name.
        var canonical = new ArrayBufferWriter<byte>(bytes.Length);
        var w = new MessagePackWriter(canonical);
        w.WriteArrayHeader(3);
        w.Write(Label);
        w.Write(ledger);
        w.WriteArrayHeader(ops.Count);
        foreach (var op in ops) w.Write(op.Bytes.Span);
        w.Flush();
        Canonical.RequireEqual("chain file", bytes.Span, canonical.WrittenSpan, [("chain file", 0), ("label", labelAt), ("ledger", ledgerAt), ("ops", opsAt)]);
        return (ledger, ops);
    }

    /// <summary>Verifies every author's chain in the file, in order of first appearance.</summary>
    public static IReadOnlyList<ChainReport> VerifyAll(string ledger, IReadOnlyList<SignedOp> ops, int? maxDegreeOfParallelism = null)
    {
        ArgumentNullException.ThrowIfNull(ops);
        return ops.GroupBy(o => o.Op.Author).Select(g => ChainVerifier.Verify(ledger, g.ToList(), watermark: null, maxDegreeOfParallelism)).ToArray();
    }
}
