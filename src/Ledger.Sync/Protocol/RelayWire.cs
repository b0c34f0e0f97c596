using System.Buffers;
using Ledger.Kernel;
using Ledger.Kernel.Wire;
using Ledger.Signing;
using MessagePack;

namespace Ledger.Sync;

/// <summary>The canonical encoding of every request and answer of the relay protocol (docs/wire-format.md,
/// "Relay protocol v1"). A request is <c>[1, call, args]</c>; an answer is <c>[1, call, 0, body]</c>, or
/// <c>[1, call, code, detail]</c> when the relay refused the request as a whole. Every decoder is strict: it
/// takes only the one canonical encoding, answers a <see cref="LedgerFormatException"/> naming the field and
/// byte offset, and never allocates more than its input holds.</summary>
public static class RelayWire
{
    /// <summary>The protocol version every message starts with.</summary>
    public const int Version = 1;

    /// <summary>The most ops a push request (and so a push answer) may carry.</summary>
    public const int MaxBatch = 1 << 16;

    /// <summary>The most ops a pull or fetch answer may carry.</summary>
    public const int MaxOps = 1 << 16;

    /// <summary>The largest note (checkpoint or cosigned checkpoint) a message may carry.</summary>
    public const int MaxNoteBytes = 1 << 16;

    /// <summary>The most notes a cosignatures answer may carry.</summary>
    public const int MaxNotes = 4096;

    /// <summary>The most hashes a proof may carry (a proof of a tree of 2^63 leaves needs at most 126).</summary>
    public const int MaxProofHashes = 128;

    /// <summary>The longest detail text, in UTF-8 bytes.</summary>
    public const int MaxDetailBytes = 4096;

    /// <summary>The longest origin, in UTF-8 bytes.</summary>
    public const int MaxOriginBytes = 1024;

    private const string RequestName = "relay request";

    // ---- requests ----

    /// <summary>Encodes a request.</summary>
    public static byte[] EncodeRequest(RelayRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var buffer = new ArrayBufferWriter<byte>(64 + request.Batch.Sum(b => b.Length + 5));
        var w = new MessagePackWriter(buffer);
        w.WriteArrayHeader(3);
        w.Write(Version);
        w.Write((int)request.Call);
        switch (request.Call)
        {
            case RelayCall.Push:
                w.WriteArrayHeader(1);
                w.WriteArrayHeader(request.Batch.Count);
                foreach (var op in request.Batch) w.Write(op.Span);
                break;
            case RelayCall.Pull:
                w.WriteArrayHeader(2);
                w.Write(request.FromPosition);
                w.Write(request.Max);
                break;
            case RelayCall.FetchAuthor:
                w.WriteArrayHeader(2);
                w.Write(request.Author.Value);
                w.Write(request.FromSeq);
                break;
            case RelayCall.GetCheckpoint:
                w.WriteArrayHeader(1);
                WriteNullable(ref w, request.Size);
                break;
            case RelayCall.GetConsistencyProof:
                w.WriteArrayHeader(2);
                w.Write(request.Size1);
                w.Write(request.Size2);
                break;
            case RelayCall.GetInclusionProof:
                w.WriteArrayHeader(2);
                w.Write(request.Index);
                w.Write(request.Size ?? 0);
                break;
            case RelayCall.PostCosignature:
                w.WriteArrayHeader(1);
                w.Write(request.Note.Span);
                break;
            case RelayCall.GetCosignatures:
                w.WriteArrayHeader(0);
                break;
            default:
                throw Error.Argument($"unknown call {(int)request.Call}.", nameof(request));
        }

        w.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Decodes a request.</summary>
    /// <exception cref="LedgerFormatException">Not a canonical request of this version: names the field and offset.</exception>
    public static RelayRequest DecodeRequest(ReadOnlyMemory<byte> bytes)
    {
        var r = new WireReader(bytes, RequestName);
        r.ReadArrayHeader("request", 3, 3);
        ReadVersion(ref r);
        var callAt = r.Offset;
        var call = ReadCall(ref r, callAt);
        var argsAt = r.Offset;
        RelayRequest request;
        switch (call)
        {
            case RelayCall.Push:
                r.ReadArrayHeader("args", 1, 1);
                var count = r.ReadArrayHeader("args.batch", 0, MaxBatch);
                var batch = new ReadOnlyMemory<byte>[count];
                for (var i = 0; i < count; i++) batch[i] = r.ReadBinary("args.batch[]", 0, SignedOpCodec.MaxBytes);
                request = RelayRequest.Push(batch);
                break;
            case RelayCall.Pull:
                r.ReadArrayHeader("args", 2, 2);
                var from = (long)r.ReadUInt64("args.fromPosition", 0, long.MaxValue);
                var max = (int)r.ReadUInt64("args.max", 1, int.MaxValue);
                request = RelayRequest.Pull(from, max);
                break;
            case RelayCall.FetchAuthor:
                r.ReadArrayHeader("args", 2, 2);
                var authorAt = r.Offset;
                var author = ReadAuthor(ref r, "args.author", authorAt);
                request = RelayRequest.FetchAuthor(author, r.ReadUInt64("args.fromSeq"));
                break;
            case RelayCall.GetCheckpoint:
                r.ReadArrayHeader("args", 1, 1);
                request = RelayRequest.GetCheckpoint(r.TryReadNil() ? null : (long)r.ReadUInt64("args.size", 0, long.MaxValue));
                break;
            case RelayCall.GetConsistencyProof:
                r.ReadArrayHeader("args", 2, 2);
                var size1 = (long)r.ReadUInt64("args.size1", 0, long.MaxValue);
                request = RelayRequest.GetConsistencyProof(size1, (long)r.ReadUInt64("args.size2", 0, long.MaxValue));
                break;
            case RelayCall.GetInclusionProof:
                r.ReadArrayHeader("args", 2, 2);
                var index = (long)r.ReadUInt64("args.index", 0, long.MaxValue);
                request = RelayRequest.GetInclusionProof(index, (long)r.ReadUInt64("args.size", 0, long.MaxValue));
                break;
            case RelayCall.PostCosignature:
                r.ReadArrayHeader("args", 1, 1);
                request = RelayRequest.PostCosignature(r.ReadBinary("args.note", 1, MaxNoteBytes));
                break;
            default:
                r.ReadArrayHeader("args", 0, 0);
                request = RelayRequest.GetCosignatures();
                break;
        }

        r.EnsureEnd();
        RequireCanonical(RequestName, bytes.Span, EncodeRequest(request), callAt, argsAt);
        return request;
    }

    // ---- answers ----

    /// <summary>Encodes a refusal of a whole request.</summary>
    public static byte[] EncodeError(RelayCall call, RelayErrorCode code, string detail)
    {
        ArgumentNullException.ThrowIfNull(detail);
        return Answer(call, (int)code, (ref MessagePackWriter w) => w.Write(Truncate(detail, MaxDetailBytes)));
    }

    /// <summary>Encodes the answer to a push.</summary>
    public static byte[] EncodePushAnswer(IngestResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return Answer(RelayCall.Push, 0, (ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(4);
            w.Write(response.RelaySize);
            WriteNullable(ref w, response.Origin);
            w.WriteArrayHeader(response.Results.Count);
            foreach (var result in response.Results)
            {
                w.WriteArrayHeader(9);
                w.Write(result.Index);
                WriteNullable(ref w, result.Op?.Author.Value);
                WriteNullable(ref w, result.Op?.Seq);
                w.Write((int)result.Status);
                WriteNullable(ref w, result.Position);
                WriteNullable(ref w, result.Refusal is { } refusal ? (int)refusal : null);
                WriteNullable(ref w, result.Break is { } broken ? (int)broken : null);
                WriteNullable(ref w, result.SendFromSeq);
                WriteNullable(ref w, result.Detail is { } detail ? Truncate(detail, MaxDetailBytes) : null);
            }

            var next = response.NextSeq ?? new Dictionary<AuthorId, ulong>();
            w.WriteArrayHeader(next.Count);
            foreach (var (author, seq) in next.OrderBy(kv => kv.Key.Value, StringComparer.Ordinal))
            {
                w.WriteArrayHeader(2);
                w.Write(author.Value);
                w.Write(seq);
            }
        });
    }

    /// <summary>Decodes the answer to a push.</summary>
    /// <exception cref="LedgerFormatException">Not a canonical push answer.</exception>
    /// <exception cref="RelayProtocolException">The relay refused the request.</exception>
    public static IngestResponse DecodePushAnswer(ReadOnlyMemory<byte> bytes) => DecodeAnswer(bytes, RelayCall.Push, static (ref WireReader r) =>
    {
        r.ReadArrayHeader("push", 4, 4);
        var size = (long)r.ReadUInt64("relaySize", 0, long.MaxValue);
        var origin = r.ReadNullableString("origin", MaxOriginBytes);
        var count = r.ReadArrayHeader("results", 0, MaxBatch);
        var results = new IngestResult[count];
        for (var i = 0; i < count; i++)
        {
            var at = r.Offset;
            r.ReadArrayHeader("results[]", 9, 9);
            var index = (int)r.ReadUInt64("results[].index", (ulong)i, (ulong)i);
            var authorAt = r.Offset;
            OpRef? op = null;
            if (!r.TryReadNil())
            {
                var author = ReadAuthor(ref r, "results[].author", authorAt);
                op = new OpRef(author, r.ReadUInt64("results[].seq", 1));
            }
            else if (!r.TryReadNil())
            {
                throw r.Fail("results[].seq", FormatProblem.InvalidValue, r.Offset, "a seq without an author.");
            }

            var status = ReadEnum<IngestStatus>(ref r, "results[].status");
            var position = ReadNullableLong(ref r, "results[].position");
            IngestRefusal? refusal = r.TryReadNil() ? null : ReadEnum<IngestRefusal>(ref r, "results[].refusal");
            ChainBreak? broken = r.TryReadNil() ? null : ReadEnum<ChainBreak>(ref r, "results[].break");
            ulong? sendFrom = r.TryReadNil() ? null : r.ReadUInt64("results[].sendFromSeq", 1);
            var detail = r.ReadNullableString("results[].detail", MaxDetailBytes);
            if ((status == IngestStatus.Refused) != refusal.HasValue)
            {
                throw r.Fail("results[].refusal", FormatProblem.InvalidValue, at, "a refusal is given exactly when the status is Refused.");
            }

            results[i] = new IngestResult(index, op, status, position, refusal, broken, sendFrom, detail);
        }

        var authors = r.ReadArrayHeader("nextSeq", 0, MaxBatch);
        var next = new Dictionary<AuthorId, ulong>(authors);
        for (var i = 0; i < authors; i++)
        {
            r.ReadArrayHeader("nextSeq[]", 2, 2);
            var authorAt = r.Offset;
            var author = ReadAuthor(ref r, "nextSeq[].author", authorAt);
            if (!next.TryAdd(author, r.ReadUInt64("nextSeq[].seq", 1)))
            {
                throw r.Fail("nextSeq[].author", FormatProblem.InvalidValue, authorAt, $"{author} is listed twice.");
            }
        }

        return new IngestResponse(results, size, origin, next);
    }, EncodePushAnswer);

    /// <summary>Encodes the answer to a pull.</summary>
    public static byte[] EncodePullAnswer(PullResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return Answer(RelayCall.Pull, 0, (ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(4);
            w.Write(response.RelaySize);
            WriteNullable(ref w, response.Origin);
            if (response.Checkpoint is { } note) w.Write(note);
            else w.WriteNil();
            WriteOps(ref w, response.Ops);
        });
    }

    /// <summary>Decodes the answer to a pull.</summary>
    /// <exception cref="LedgerFormatException">Not a canonical pull answer.</exception>
    /// <exception cref="RelayProtocolException">The relay refused the request.</exception>
    public static PullResponse DecodePullAnswer(ReadOnlyMemory<byte> bytes) => DecodeAnswer(bytes, RelayCall.Pull, static (ref WireReader r) =>
    {
        r.ReadArrayHeader("pull", 4, 4);
        var size = (long)r.ReadUInt64("relaySize", 0, long.MaxValue);
        var origin = r.ReadNullableString("origin", MaxOriginBytes);
        byte[]? checkpoint = r.TryReadNil() ? null : r.ReadBinary("checkpoint", 1, MaxNoteBytes).ToArray();
        return new PullResponse(ReadOps(ref r), size, checkpoint, origin);
    }, EncodePullAnswer);

    /// <summary>Encodes the answer to an author fetch.</summary>
    public static byte[] EncodeFetchAuthorAnswer(IReadOnlyList<(long Position, ReadOnlyMemory<byte> Bytes)> ops)
    {
        ArgumentNullException.ThrowIfNull(ops);
        return Answer(RelayCall.FetchAuthor, 0, (ref MessagePackWriter w) => WriteOps(ref w, ops));
    }

    /// <summary>Decodes the answer to an author fetch.</summary>
    /// <exception cref="LedgerFormatException">Not a canonical answer.</exception>
    /// <exception cref="RelayProtocolException">The relay refused the request.</exception>
    public static IReadOnlyList<(long Position, ReadOnlyMemory<byte> Bytes)> DecodeFetchAuthorAnswer(ReadOnlyMemory<byte> bytes) =>
        DecodeAnswer(bytes, RelayCall.FetchAuthor, static (ref WireReader r) => ReadOps(ref r), EncodeFetchAuthorAnswer);

    /// <summary>Encodes the answer to a checkpoint request (nil when the relay signs none).</summary>
    public static byte[] EncodeCheckpointAnswer(byte[]? note) => Answer(RelayCall.GetCheckpoint, 0, (ref MessagePackWriter w) =>
    {
        if (note is null) w.WriteNil();
        else w.Write(note);
    });

    /// <summary>Decodes the answer to a checkpoint request.</summary>
    /// <exception cref="LedgerFormatException">Not a canonical answer.</exception>
    /// <exception cref="RelayProtocolException">The relay refused the request.</exception>
    public static byte[]? DecodeCheckpointAnswer(ReadOnlyMemory<byte> bytes) =>
        DecodeAnswer(bytes, RelayCall.GetCheckpoint, static (ref WireReader r) => r.TryReadNil() ? null : r.ReadBinary("note", 1, MaxNoteBytes).ToArray(), EncodeCheckpointAnswer);

    /// <summary>Encodes the answer to a proof request (<see cref="RelayCall.GetConsistencyProof"/> or <see cref="RelayCall.GetInclusionProof"/>).</summary>
    public static byte[] EncodeProofAnswer(RelayCall call, IReadOnlyList<Hash32> proof)
    {
        ArgumentNullException.ThrowIfNull(proof);
        if (call is not (RelayCall.GetConsistencyProof or RelayCall.GetInclusionProof)) throw Error.Argument("not a proof call.", nameof(call));
        return Answer(call, 0, (ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(proof.Count);
            foreach (var hash in proof) w.Write(hash.ToArray());
        });
    }

    /// <summary>Decodes the answer to a proof request.</summary>
    /// <exception cref="LedgerFormatException">Not a canonical answer.</exception>
    /// <exception cref="RelayProtocolException">The relay refused the request.</exception>
    public static IReadOnlyList<Hash32> DecodeProofAnswer(ReadOnlyMemory<byte> bytes, RelayCall call) =>
        DecodeAnswer(bytes, call, static (ref WireReader r) =>
        {
            var count = r.ReadArrayHeader("proof", 0, MaxProofHashes);
            var proof = new Hash32[count];
            for (var i = 0; i < count; i++) proof[i] = r.ReadHash("proof[]");
            return (IReadOnlyList<Hash32>)proof;
        }, proof => EncodeProofAnswer(call, proof));

    /// <summary>Encodes the answer to a posted cosignature (nil).</summary>
    public static byte[] EncodePostCosignatureAnswer() => Answer(RelayCall.PostCosignature, 0, static (ref MessagePackWriter w) => w.WriteNil());

    /// <summary>Decodes the answer to a posted cosignature.</summary>
    /// <exception cref="LedgerFormatException">Not a canonical answer.</exception>
    /// <exception cref="RelayProtocolException">The relay refused the note.</exception>
    public static void DecodePostCosignatureAnswer(ReadOnlyMemory<byte> bytes) =>
        DecodeAnswer(bytes, RelayCall.PostCosignature, static (ref WireReader r) =>
        {
            if (!r.TryReadNil()) throw r.Fail("body", FormatProblem.WrongType, r.Offset, "expected nil.");
            return true;
        }, _ => EncodePostCosignatureAnswer());

    /// <summary>Encodes the cosigned checkpoints a relay keeps.</summary>
    public static byte[] EncodeCosignaturesAnswer(IReadOnlyList<byte[]> notes)
    {
        ArgumentNullException.ThrowIfNull(notes);
        return Answer(RelayCall.GetCosignatures, 0, (ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(notes.Count);
            foreach (var note in notes) w.Write(note);
        });
    }

    /// <summary>Decodes the cosigned checkpoints a relay keeps.</summary>
    /// <exception cref="LedgerFormatException">Not a canonical answer.</exception>
    /// <exception cref="RelayProtocolException">The relay refused the request.</exception>
    public static IReadOnlyList<byte[]> DecodeCosignaturesAnswer(ReadOnlyMemory<byte> bytes) =>
        DecodeAnswer(bytes, RelayCall.GetCosignatures, static (ref WireReader r) =>
        {
            var count = r.ReadArrayHeader("notes", 0, MaxNotes);
            var notes = new byte[count][];
            for (var i = 0; i < count; i++) notes[i] = r.ReadBinary("notes[]", 1, MaxNoteBytes).ToArray();
            return (IReadOnlyList<byte[]>)notes;
        }, EncodeCosignaturesAnswer);

    // ---- shared parts ----

    private delegate void BodyWriter(ref MessagePackWriter w);

    private delegate T BodyReader<T>(ref WireReader r);

    private static byte[] Answer(RelayCall call, int code, BodyWriter body)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        var w = new MessagePackWriter(buffer);
        w.WriteArrayHeader(4);
        w.Write(Version);
        w.Write((int)call);
        w.Write(code);
        body(ref w);
        w.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    private static T DecodeAnswer<T>(ReadOnlyMemory<byte> bytes, RelayCall expected, BodyReader<T> body, Func<T, byte[]> reencode)
    {
        var structure = $"relay answer ({expected})";
        var r = new WireReader(bytes, structure);
        r.ReadArrayHeader("answer", 4, 4);
        ReadVersion(ref r);
        var callAt = r.Offset;
        var call = ReadCall(ref r, callAt);
        if (call != expected) throw r.Fail("call", FormatProblem.InvalidValue, callAt, $"an answer to {call}, not to {expected}.");
        var codeAt = r.Offset;
        var code = (int)r.ReadUInt64("code", 0, 3);
        if (code != 0)
        {
            var detail = r.ReadString("detail", MaxDetailBytes);
            r.EnsureEnd();
            RequireCanonical(structure, bytes.Span, EncodeError(call, (RelayErrorCode)code, detail), callAt, codeAt);
            throw Error.Protocol(call, (RelayErrorCode)code, detail);
        }

        var bodyAt = r.Offset;
        var value = body(ref r);
        r.EnsureEnd();
        RequireCanonical(structure, bytes.Span, reencode(value), callAt, bodyAt);
        return value;
    }

    private static void ReadVersion(ref WireReader r)
    {
        var at = r.Offset;
        var version = r.ReadUInt64("version");
        if (version != Version) throw r.Fail("version", FormatProblem.UnknownVersion, at, $"protocol version {version}; this relay protocol is version {Version}.");
    }

    private static RelayCall ReadCall(ref WireReader r, long at)
    {
        var call = r.ReadUInt64("call");
        if (call is < 1 or > 8) throw r.Fail("call", FormatProblem.InvalidValue, at, $"{call} is not a call of this protocol.");
        return (RelayCall)(int)call;
    }

    private static AuthorId ReadAuthor(ref WireReader r, string field, long at)
    {
        var text = r.ReadString(field, AuthorId.MaxLength);
        if (!AuthorId.TryCreate(text, out var author)) throw r.Fail(field, FormatProblem.InvalidValue, at, "not an author id.");
        return author;
    }

    private static T ReadEnum<T>(ref WireReader r, string field)
        where T : struct, Enum
    {
        var at = r.Offset;
        var value = (int)r.ReadUInt64(field, 1, int.MaxValue);
        var typed = (T)(object)value;
        if (!Enum.IsDefined(typed)) throw r.Fail(field, FormatProblem.InvalidValue, at, $"{value} is not a {typeof(T).Name} of this version.");
        return typed;
    }

    private static long? ReadNullableLong(ref WireReader r, string field) => r.TryReadNil() ? null : (long)r.ReadUInt64(field, 0, long.MaxValue);

    private static void WriteOps(ref MessagePackWriter w, IReadOnlyList<(long Position, ReadOnlyMemory<byte> Bytes)> ops)
    {
        w.WriteArrayHeader(ops.Count);
        foreach (var (position, bytes) in ops)
        {
            w.WriteArrayHeader(2);
            w.Write(position);
            w.Write(bytes.Span);
        }
    }

    private static IReadOnlyList<(long Position, ReadOnlyMemory<byte> Bytes)> ReadOps(ref WireReader r)
    {
        var count = r.ReadArrayHeader("ops", 0, MaxOps);
        var ops = new (long, ReadOnlyMemory<byte>)[count];
        for (var i = 0; i < count; i++)
        {
            r.ReadArrayHeader("ops[]", 2, 2);
            ops[i] = ((long)r.ReadUInt64("ops[].position", 0, long.MaxValue), r.ReadBinary("ops[].bytes", 1, SignedOpCodec.MaxBytes));
        }

        return ops;
    }

    private static void WriteNullable(ref MessagePackWriter w, long? value)
    {
        if (value is { } v) w.Write(v);
        else w.WriteNil();
    }

    private static void WriteNullable(ref MessagePackWriter w, ulong? value)
    {
        if (value is { } v) w.Write(v);
        else w.WriteNil();
    }

    private static void WriteNullable(ref MessagePackWriter w, int? value)
    {
        if (value is { } v) w.Write(v);
        else w.WriteNil();
    }

    private static void WriteNullable(ref MessagePackWriter w, string? value)
    {
        if (value is null) w.WriteNil();
        else w.Write(value);
    }

    private static void RequireCanonical(string structure, ReadOnlySpan<byte> input, ReadOnlySpan<byte> reencoded, long callAt, long bodyAt) =>
        Canonical.RequireEqual(structure, input, reencoded, [("version", 1), ("call", callAt), ("body", bodyAt)]);

    // Details are for people: cut at a character boundary so the answer stays within its limit.
    private static string Truncate(string text, int maxBytes)
    {
        if (System.Text.Encoding.UTF8.GetByteCount(text) <= maxBytes) return text;
        var length = Math.Min(text.Length, maxBytes);
        while (length > 0 && System.Text.Encoding.UTF8.GetByteCount(text.AsSpan(0, length)) > maxBytes - 3) length--;
        if (length > 0 && char.IsHighSurrogate(text[length - 1])) length--;
        return string.Concat(text.AsSpan(0, length), "…");
    }
}
