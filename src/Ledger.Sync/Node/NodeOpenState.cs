using System.Buffers;
using Ledger.Kernel;
using MessagePack;

namespace Ledger.Sync;

/// <summary>What a node checkpoint carries besides the kernel's state so that the node opens by reading only the records
/// stored after it (risk B2; docs/sync.md, "Node checkpoints"): the store record it covers, the witness tree's compact
/// frontier at the folded relay prefix and that prefix's root, each author's chain tip with the seqs of its key events and
/// the digest of its key state, and the own ladder's compacted acknowledged prefix. Canonical MessagePack; its SHA-256 is
/// in what the node signs.</summary>
internal sealed record NodeOpenState(long Record, long Prefix, IReadOnlyList<Hash32> Frontier, Hash32 Root, IReadOnlyList<NodeOpenState.AuthorTip> Authors,
    NodeOpenState.LadderMark Ladder)
{
    public const string Tag = "ledger/node-open/v1";
    private const string Structure = "node open state";

    /// <summary>One author's chain where the checkpoint was taken.</summary>
    public sealed record AuthorTip(AuthorId Author, ulong Seq, Hash32 Tip, IReadOnlyList<ulong> KeyEvents, Hash32 KeyState);

    /// <summary>The own ladder's compacted prefix: seqs 1 … <paramref name="Through"/>, the chain hash of the last, counts per rung.</summary>
    public sealed record LadderMark(ulong Through, Hash32 ChainHash, int Durable, int Won, int Lost);

    public byte[] Encode()
    {
        var buffer = new ArrayBufferWriter<byte>(256 + (Authors.Count * 96) + (Frontier.Count * 34));
        var w = new MessagePackWriter(buffer);
        w.WriteArrayHeader(5);
        w.Write(Tag);
        w.Write(Record);
        w.WriteArrayHeader(3);
        w.Write(Prefix);
        w.WriteArrayHeader(Frontier.Count);
        foreach (var h in Frontier) w.Write(h.ToArray());
        w.Write(Root.ToArray());
        w.WriteArrayHeader(Authors.Count);
        foreach (var a in Authors)
        {
            w.WriteArrayHeader(5);
            w.Write(a.Author.Value);
            w.Write(a.Seq);
            w.Write(a.Tip.ToArray());
            w.WriteArrayHeader(a.KeyEvents.Count);
            foreach (var seq in a.KeyEvents) w.Write(seq);
            w.Write(a.KeyState.ToArray());
        }

        w.WriteArrayHeader(5);
        w.Write(Ladder.Through);
        w.Write(Ladder.ChainHash.ToArray());
        w.Write(Ladder.Durable);
        w.Write(Ladder.Won);
        w.Write(Ladder.Lost);
        w.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <exception cref="LedgerFormatException">Not a canonical node open state; the message names the field and offset.</exception>
    public static NodeOpenState Decode(ReadOnlyMemory<byte> bytes)
    {
        var r = new MessagePackReader(bytes);
        var field = "root";
        try
        {
            Expect(ref r, 5, field);
            field = "tag";
            if (r.ReadString() != Tag) throw Error.Decode(Structure, field, FormatProblem.InvalidValue, r.Consumed, $"not '{Tag}'.");
            field = "record";
            var record = r.ReadInt64();
            field = "frontier";
            Expect(ref r, 3, field);
            var prefix = r.ReadInt64();
            var count = r.ReadArrayHeader();
            if (count > 63) throw Error.Decode(Structure, field, FormatProblem.Oversized, r.Consumed, "a frontier holds at most 63 hashes.");
            var frontier = new Hash32[count];
            for (var i = 0; i < count; i++) frontier[i] = Hash(ref r);
            field = "root hash";
            var root = Hash(ref r);
            field = "authors";
            count = r.ReadArrayHeader();
            var authors = new AuthorTip[count];
            for (var i = 0; i < count; i++)
            {
                Expect(ref r, 5, field);
                if (!AuthorId.TryCreate(r.ReadString(), out var author)) throw Error.Decode(Structure, field, FormatProblem.InvalidValue, r.Consumed, "not an author id.");
                var seq = r.ReadUInt64();
                var tip = Hash(ref r);
                var events = new ulong[r.ReadArrayHeader()];
                for (var e = 0; e < events.Length; e++) events[e] = r.ReadUInt64();
                authors[i] = new AuthorTip(author, seq, tip, events, Hash(ref r));
            }

            field = "ladder";
            Expect(ref r, 5, field);
            var ladder = new LadderMark(r.ReadUInt64(), Hash(ref r), r.ReadInt32(), r.ReadInt32(), r.ReadInt32());
            if (!r.End) throw Error.Decode(Structure, "end", FormatProblem.InvalidValue, r.Consumed, "bytes follow the structure.");
            var state = new NodeOpenState(record, prefix, frontier, root, authors, ladder);
            if (!state.Encode().AsSpan().SequenceEqual(bytes.Span)) throw Error.Decode(Structure, "root", FormatProblem.NonCanonical, 0, "not the canonical encoding of itself.");
            return state;
        }
        catch (Exception e) when (e is MessagePackSerializationException or EndOfStreamException or OverflowException or ArgumentException or FormatException)
        {
            throw Error.Decode(Structure, field, FormatProblem.WrongType, r.Consumed, e.Message, inner: e);
        }
    }

    private static void Expect(ref MessagePackReader r, int length, string field)
    {
        var at = r.Consumed;
        if (r.ReadArrayHeader() != length) throw Error.Decode(Structure, field, FormatProblem.InvalidValue, at, $"an array of {length} is expected.");
    }

    private static Hash32 Hash(ref MessagePackReader r)
    {
        var at = r.Consumed;
        var bytes = r.ReadBytes() ?? throw Error.Decode(Structure, "hash", FormatProblem.WrongType, at, "nil where 32 bytes are expected.");
        if (bytes.Length != Hash32.Length) throw Error.Decode(Structure, "hash", FormatProblem.InvalidValue, at, "not 32 bytes.");
        return new Hash32(bytes.FirstSpan.Length == Hash32.Length ? bytes.FirstSpan : bytes.ToArray());
    }
}
