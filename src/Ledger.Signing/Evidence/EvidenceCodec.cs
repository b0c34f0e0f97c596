using System.Buffers;
using Ledger.Kernel;
using Ledger.Kernel.Wire;
using MessagePack;

namespace Ledger.Signing;

/// <summary>Encodes and decodes evidence: ["ledger/evidence/v1", kind, ledger, body …]. Other packages
/// register decoders for their kinds (<see cref="Register"/>).</summary>
public static class EvidenceCodec
{

    private static readonly Dictionary<string, Func<string, ReadOnlyMemory<byte>, Evidence>> External = new(StringComparer.Ordinal);
    private static readonly Lock Gate = new();

    /// <summary>Registers the decoder of an evidence kind defined elsewhere. <paramref name="decode"/> gets the
    /// (already validated) ledger name and the whole evidence bytes, label and kind included, and must throw
    /// <see cref="LedgerFormatException"/> for anything malformed.</summary>
    public static void Register(string kind, Func<string, ReadOnlyMemory<byte>, Evidence> decode)
    {
        lock (Gate) External[kind] = decode;
    }

    internal static byte[] Encode(ClientForkEvidence e) => Write(e, (ref MessagePackWriter w) =>
    {
        WriteOps(ref w, e.KeyEventsLog);
        w.Write(e.First.Bytes.Span);
        w.Write(e.Second.Bytes.Span);
    }, bodyCount: 3);

    internal static byte[] Encode(StaleKeyEvidence e) => Write(e, (ref MessagePackWriter w) =>
    {
        WriteOps(ref w, e.KeyEventsLog);
        w.Write(e.Op.Bytes.Span);
    }, bodyCount: 2);

    /// <summary>The writer callback for a body.</summary>
    public delegate void BodyWriter(ref MessagePackWriter writer);

    /// <summary>Writes the envelope and a body of <paramref name="bodyCount"/> elements.</summary>
    public static byte[] Write(Evidence evidence, BodyWriter body, int bodyCount)
    {
        ArgumentNullException.ThrowIfNull(evidence);
        ArgumentNullException.ThrowIfNull(body);
        var buffer = new ArrayBufferWriter<byte>(1024);
        var w = new MessagePackWriter(buffer);
        w.WriteArrayHeader(3 + bodyCount);
        w.Write(Evidence.Label);
        w.Write(evidence.Kind);
        w.Write(evidence.Ledger);
        body(ref w);
        w.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Decodes evidence of any registered kind.</summary>
    /// <exception cref="LedgerFormatException">Malformed bytes or an unknown kind.</exception>
    public static Evidence Decode(ReadOnlyMemory<byte> bytes)
    {
        var r = new WireReader(bytes, "evidence");
        var count = r.ReadArrayHeader("evidence", 4, 64);
        var labelAt = r.Offset;
        if (r.ReadString("label", 32) != Evidence.Label) throw r.Fail("label", FormatProblem.UnknownVersion, labelAt, $"not '{Evidence.Label}'.");
        var kindAt = r.Offset;
        var kind = r.ReadString("kind", 64);
        var ledgerAt = r.Offset;
        var ledger = r.ReadString("ledger", LedgerName.MaxLength);
        if (!LedgerName.IsValid(ledger)) throw r.Fail("ledger", FormatProblem.InvalidValue, ledgerAt, "not a ledger name.");
        Evidence evidence;
        switch (kind)
        {
            case "client-fork" when count == 6:
                var events = ReadOps(ref r, "keyEvents");
                var first = ReadOp(ref r, "first");
                var second = ReadOp(ref r, "second");
                evidence = new ClientForkEvidence(ledger, events, first, second);
                break;
            case "stale-key" when count == 5:
                var kel = ReadOps(ref r, "keyEvents");
                evidence = new StaleKeyEvidence(ledger, kel, ReadOp(ref r, "op"));
                break;
            default:
                Func<string, ReadOnlyMemory<byte>, Evidence>? external;
                lock (Gate) External.TryGetValue(kind, out external);
                if (external is null) throw r.Fail("kind", FormatProblem.UnknownVersion, kindAt, $"unknown evidence kind '{kind}' with {count} elements.");
                return external(ledger, bytes);
        }

        r.EnsureEnd();
        if (!evidence.Encode().AsSpan().SequenceEqual(bytes.Span))
        {
            throw r.Fail("evidence", FormatProblem.NonCanonical, 0, "not in canonical form.");
        }

        return evidence;
    }

    /// <summary>Writes a list of signed ops.</summary>
    public static void WriteOps(ref MessagePackWriter w, IReadOnlyList<SignedOp> ops)
    {
        ArgumentNullException.ThrowIfNull(ops);
        w.WriteArrayHeader(ops.Count);
        foreach (var op in ops) w.Write(op.Bytes.Span);
    }

    /// <summary>Reads a list of signed ops.</summary>
    public static IReadOnlyList<SignedOp> ReadOps(ref WireReader r, string field)
    {
        var n = r.ReadArrayHeader(field, 0, 1 << 20);
        var ops = new List<SignedOp>(Math.Min(n, 1024));
        for (var i = 0; i < n; i++) ops.Add(ReadOp(ref r, field + "[]"));
        return ops;
    }

    /// <summary>Reads one signed op.</summary>
    public static SignedOp ReadOp(ref WireReader r, string field)
    {
        var at = r.Offset;
        var bytes = r.ReadBinary(field, 1, SignedOpCodec.MaxBytes);
        try
        {
            return SignedOpCodec.Decode(bytes);
        }
        catch (LedgerFormatException e)
        {
            throw Error.Decode(r.Structure, field + "." + e.Field, e.Problem, at + e.Offset, e.Detail, inner: e);
        }
    }
}
