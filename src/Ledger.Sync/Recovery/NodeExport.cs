using System.Buffers;
using System.Globalization;
using Ledger.Kernel;
using Ledger.Kernel.Wire;
using Ledger.Signing;
using MessagePack;

namespace Ledger.Sync;

/// <summary>A node's "email it to yourself" backup (docs/wire-format.md, "Node export v1"): every op the node
/// holds with its relay position and refusal, the relay cursor, the checkpoints it witnessed, and the state
/// hash those ops fold to — signed by the exporting device's current key. It never holds a key: no signing
/// key, no subject key (those live outside the node store).</summary>
/// <remarks>["ledger/export/v1", ledger, exporter, cursor, stateHash (bin 32), records, witnesses, keyId (bin 8),
/// signature (bin 64)]; records are [bytes (bin), own (bool), position (int | nil), refusedBy (str | nil)],
/// witnesses [origin (str), note (bin)]. The signature covers the encoded elements before it.</remarks>
public sealed class NodeExport
{
    /// <summary>The label that starts every export.</summary>
    public const string Label = "ledger/export/v1";

    /// <summary>The most records an export may carry.</summary>
    public const int MaxRecords = 1 << 24;

    private NodeExport(string ledger, AuthorId exporter, long cursor, Hash32 stateHash, IReadOnlyList<NodeOpRecord> records, IReadOnlyList<SignedOp> ops,
        IReadOnlyDictionary<string, byte[]> witnesses, KeyId keyId, ReadOnlyMemory<byte> signedMessage, ReadOnlyMemory<byte> signature)
    {
        _ops = ops;
        Ledger = ledger;
        Exporter = exporter;
        Cursor = cursor;
        StateHash = stateHash;
        Records = records;
        Witnesses = witnesses;
        KeyId = keyId;
        SignedMessage = signedMessage;
        Signature = signature;
    }

    /// <summary>The ledger.</summary>
    public string Ledger { get; }

    /// <summary>The device that exported.</summary>
    public AuthorId Exporter { get; }

    /// <summary>The relay position up to which the node had folded the relay's order.</summary>
    public long Cursor { get; }

    /// <summary>The state hash the records fold to.</summary>
    public Hash32 StateHash { get; }

    /// <summary>The node's records, in the order it applied them.</summary>
    public IReadOnlyList<NodeOpRecord> Records { get; }

    /// <summary>The checkpoints the node witnessed, by origin.</summary>
    public IReadOnlyDictionary<string, byte[]> Witnesses { get; }

    /// <summary>The exporter's key that signed.</summary>
    public KeyId KeyId { get; }

    private readonly IReadOnlyList<SignedOp> _ops;

    private ReadOnlyMemory<byte> SignedMessage { get; }

    private ReadOnlyMemory<byte> Signature { get; }

    /// <summary>Encodes and signs an export.</summary>
    public static byte[] Create(string ledger, AuthorId exporter, long cursor, Hash32 stateHash, IReadOnlyList<NodeOpRecord> records,
        IReadOnlyDictionary<string, byte[]> witnesses, SigningKey key)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(witnesses);
        ArgumentNullException.ThrowIfNull(key);
        return SignedArray.Sign(Body(ledger, exporter, cursor, stateHash, records, witnesses, key.Id), key, out _);
    }

    /// <summary>Every element but the signature: what <see cref="Create"/> signs, and what <see cref="Decode"/> compares
    /// the received bytes with, so one export has one encoding.</summary>
    private static ArrayBufferWriter<byte> Body(string ledger, AuthorId exporter, long cursor, Hash32 stateHash, IReadOnlyList<NodeOpRecord> records,
        IReadOnlyDictionary<string, byte[]> witnesses, KeyId keyId)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        var w = new MessagePackWriter(buffer);
        w.WriteArrayHeader(9);
        w.Write(Label);
        w.Write(ledger);
        w.Write(exporter.Value);
        w.Write(cursor);
        w.Write(stateHash.ToArray());
        w.WriteArrayHeader(records.Count);
        foreach (var r in records)
        {
            w.WriteArrayHeader(4);
            w.Write(r.Bytes.Span);
            w.Write(r.Own);
            if (r.Position is { } p) w.Write(p);
            else w.WriteNil();
            if (r.RefusedBy is { } why) w.Write(why);
            else w.WriteNil();
        }

        w.WriteArrayHeader(witnesses.Count);
        foreach (var (origin, note) in witnesses.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            w.WriteArrayHeader(2);
            w.Write(origin);
            w.Write(note);
        }

        var id = new byte[KeyId.Length];
        keyId.Write(id);
        w.Write(id);
        w.Flush();
        return buffer;
    }

    /// <summary>Decodes an export; <see cref="Verify"/> checks it.</summary>
    /// <exception cref="LedgerFormatException">Truncated, mistyped, oversized or non-canonical bytes, naming the field and record.</exception>
    public static NodeExport Decode(ReadOnlyMemory<byte> bytes)
    {
        var r = new WireReader(bytes, "node export");
        r.ReadArrayHeader("node export", 9, 9);
        var labelAt = r.Offset;
        if (r.ReadString("label", 32) != Label) throw r.Fail("label", FormatProblem.UnknownVersion, labelAt, $"not '{Label}'.");
        var ledgerAt = r.Offset;
        var ledger = r.ReadString("ledger", LedgerName.MaxLength);
        if (!LedgerName.IsValid(ledger)) throw r.Fail("ledger", FormatProblem.InvalidValue, ledgerAt, "not a ledger name.");
        var exporterAt = r.Offset;
        if (!AuthorId.TryCreate(r.ReadString("exporter", AuthorId.MaxLength), out var exporter)) throw r.Fail("exporter", FormatProblem.InvalidValue, exporterAt, "not an author id.");
        var cursorAt = r.Offset;
        var cursor = r.ReadInt64("cursor");
        if (cursor < 0) throw r.Fail("cursor", FormatProblem.InvalidValue, cursorAt, "negative.");
        var stateHash = r.ReadHash("stateHash");
        var recordsAt = r.Offset;
        var count = r.ReadArrayHeader("records", 0, MaxRecords);
        var records = new List<NodeOpRecord>(Math.Min(count, 1 << 16));
        var ops = new List<SignedOp>(records.Capacity);
        for (var i = 0; i < count; i++)
        {
            var field = string.Create(CultureInfo.InvariantCulture, $"records[{i}]");
            r.ReadArrayHeader(field, 4, 4);
            var opAt = r.Offset;
            var opBytes = r.ReadBinary(field + ".bytes", 1, SignedOpCodec.MaxBytes).ToArray();
            if (!SignedOpCodec.TryDecode(opBytes, out var op, out var error))
            {
                throw r.Fail(field + ".bytes", FormatProblem.InvalidValue, opAt, error!.Message);
            }

            var own = r.ReadBoolean(field + ".own");
            long? position = null;
            if (!r.TryReadNil())
            {
                var positionAt = r.Offset;
                var p = r.ReadInt64(field + ".position");
                if (p < 0) throw r.Fail(field + ".position", FormatProblem.InvalidValue, positionAt, "negative.");
                position = p;
            }

            var refusedBy = r.ReadNullableString(field + ".refusedBy", 4096);
            records.Add(new NodeOpRecord(op!.Ref, opBytes, own, position, refusedBy));
            ops.Add(op);
        }

        var witnessesAt = r.Offset;
        var witnessCount = r.ReadArrayHeader("witnesses", 0, 1024);
        var witnesses = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        for (var i = 0; i < witnessCount; i++)
        {
            var field = string.Create(CultureInfo.InvariantCulture, $"witnesses[{i}]");
            r.ReadArrayHeader(field, 2, 2);
            var originAt = r.Offset;
            var origin = r.ReadString(field + ".origin", 1024);
            var note = r.ReadBinary(field + ".note", 1, 1 << 16).ToArray();
            if (!witnesses.TryAdd(origin, note)) throw r.Fail(field + ".origin", FormatProblem.InvalidValue, originAt, "a second checkpoint for one origin.");
        }

        var keyIdAt = r.Offset;
        var keyId = KeyId.Read(r.ReadBinary("keyId", KeyId.Length, KeyId.Length).Span);
        var messageEnd = r.Offset;
        var signature = r.ReadBinary("signature", 64, 64);
        r.EnsureEnd();

        // One export, one encoding: a longer integer, length or signature header form (c5 00 40 for the signature),
        // or witnesses out of order, would be a second byte string for the same export.
        var canonical = SignedArray.Assemble(Body(ledger, exporter, cursor, stateHash, records, witnesses, keyId).WrittenSpan, signature.Span);
        Canonical.RequireEqual("node export", bytes.Span, canonical, [("node export", 0), ("label", labelAt), ("ledger", ledgerAt), ("exporter", exporterAt),
            ("cursor", cursorAt), ("records", recordsAt), ("witnesses", witnessesAt), ("keyId", keyIdAt), ("signature", messageEnd)]);
        return new NodeExport(ledger, exporter, cursor, stateHash, records, ops, witnesses, keyId, bytes[1..(int)messageEnd], signature);
    }

    /// <summary>Checks every chain in the export (signatures, links, key events), that the records are
    /// consistent (one op per (author, seq), one op per position, the exporter's ops marked own), and that
    /// the exporter's current key signed the export. The state hash is checked on import, where the app's
    /// manifests are known.</summary>
    public ExportVerdict Verify()
    {
        var byAuthor = new Dictionary<AuthorId, List<SignedOp>>();
        var positions = new Dictionary<long, OpRef>();
        for (var i = 0; i < Records.Count; i++)
        {
            var record = Records[i];
            var op = _ops[i];
            if (op.Ledger != Ledger) return ExportVerdict.Rejected(string.Create(CultureInfo.InvariantCulture, $"record {i} ({op.Ref}) is signed for ledger '{op.Ledger}'."));
            if (record.Own != (op.Op.Author == Exporter)) return ExportVerdict.Rejected(string.Create(CultureInfo.InvariantCulture, $"record {i} ({op.Ref}) is marked {(record.Own ? "own" : "foreign")} wrongly."));
            if (record.Position is { } p && !positions.TryAdd(p, op.Ref))
            {
                return ExportVerdict.Rejected(string.Create(CultureInfo.InvariantCulture, $"record {i} ({op.Ref}) claims position {p}, already held by {positions[p]}."));
            }

            if (!byAuthor.TryGetValue(op.Op.Author, out var list)) byAuthor[op.Op.Author] = list = [];
            list.Add(op);
        }

        KeyState? exporterKeys = null;
        foreach (var (author, ops) in byAuthor)
        {
            var ordered = ops.OrderBy(o => o.Op.Seq).ToArray();
            for (var k = 1; k < ordered.Length; k++)
            {
                if (ordered[k].Op.Seq == ordered[k - 1].Op.Seq) return ExportVerdict.Rejected($"{ordered[k].Ref} appears twice.");
            }

            var report = ChainVerifier.Verify(Ledger, ordered);
            if (!report.Ok) return ExportVerdict.Rejected($"the chain of {author} does not verify: {report}");
            if (author == Exporter) exporterKeys = report.Keys;
        }

        if (exporterKeys is null) return ExportVerdict.Rejected($"the export holds no op of its exporter {Exporter}.");
        if (exporterKeys.Current.Id != KeyId) return ExportVerdict.Rejected($"signed by key {KeyId}; the exporter's current key is {exporterKeys.Current.Id}.");
        if (!exporterKeys.Current.Verify(SignedMessage.Span, Signature.Span)) return ExportVerdict.Rejected("the exporter's signature does not verify.");
        return ExportVerdict.Valid(Records.Count, byAuthor.Count);
    }
}
