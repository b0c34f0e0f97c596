using System.Buffers;
using Ledger.Kernel;
using Ledger.Kernel.Wire;
using MessagePack;

namespace Ledger.Migration;

/// <summary>A fixture log: ops (with relay positions) that exercise every shipped verb version, checked in
/// next to the lock file and never edited — only appended to when a new version ships
/// (docs/wire-format.md, "Fixture log v1": ["ledger/fixture/v1", [[op bytes, position or nil] …]]).</summary>
public static class FixtureLog
{
    /// <summary>The label that starts a fixture file.</summary>
    public const string Label = "ledger/fixture/v1";

    /// <summary>Encodes a fixture.</summary>
    public static byte[] Encode(IEnumerable<SequencedOp> ops)
    {
        ArgumentNullException.ThrowIfNull(ops);
        var list = ops.ToList();
        var buffer = new ArrayBufferWriter<byte>(4096);
        var w = new MessagePackWriter(buffer);
        w.WriteArrayHeader(2);
        w.Write(Label);
        w.WriteArrayHeader(list.Count);
        foreach (var e in list)
        {
            w.WriteArrayHeader(2);
            w.Write(e.Op.CanonicalBytes.Span);
            if (e.Position is { } p) w.Write(p); else w.WriteNil();
        }

        w.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Decodes a fixture.</summary>
    /// <exception cref="LedgerFormatException">Malformed or non-canonical bytes, or a negative position, naming the op.</exception>
    public static IReadOnlyList<SequencedOp> Decode(ReadOnlyMemory<byte> bytes)
    {
        var r = new WireReader(bytes, "fixture");
        r.ReadArrayHeader("fixture", 2, 2);
        var at = r.Offset;
        if (r.ReadString("label", 32) != Label) throw r.Fail("label", FormatProblem.UnknownVersion, at, $"not '{Label}'.");
        var opsAt = r.Offset;
        var n = r.ReadArrayHeader("ops", 0, int.MaxValue);
        var ops = new List<SequencedOp>(Math.Min(n, 1 << 16));
        var fields = new List<(string, long)> { ("fixture", 0), ("label", at), ("ops", opsAt) };
        for (var i = 0; i < n; i++)
        {
            r.ReadArrayHeader("ops[]", 2, 2);
            var opAt = r.Offset;
            var opBytes = r.ReadBinary("ops[].op", 1, Op.MaxArgsLength + 1024);
            Op op;
            try
            {
                op = OpCodec.Decode(opBytes.ToArray());
            }
            catch (LedgerFormatException e)
            {
                throw Error.Decode("fixture", "ops[].op." + e.Field, e.Problem, opAt + e.Offset, e.Detail, i, e);
            }

            // A relay position is a leaf index: 0 or more. Read unsigned so a negative one is refused, not folded.
            var positionAt = r.Offset;
            long? position = r.TryReadNil() ? null : (long)r.ReadUInt64("ops[].position", 0, long.MaxValue);
            ops.Add(new SequencedOp(op, position));
            fields.Add(("ops[].op", opAt));
            fields.Add(("ops[].position", positionAt));
        }

        r.EnsureEnd();

        // One fixture, one encoding: the lock hashes the ops, but the file is checked in and compared byte for byte,
        // so a longer integer or length form (cd 00 00 for 0) is a second file for the same fixture.
        Canonical.RequireEqual("fixture", bytes.Span, Encode(ops), [.. fields]);
        return ops;
    }
}
