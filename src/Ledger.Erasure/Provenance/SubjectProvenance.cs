using Ledger.Kernel;
using MessagePack;

namespace Ledger.Erasure;

/// <summary>Which ops of a log hold a subject's sealed data, found without any key: a sealed field is a
/// MessagePack <c>bin</c> whose bytes start with the sealed-field label, and its clear header names the subject.
/// This is the provenance an erasure lists ("what remains") and what an app shows the subject on request.</summary>
public static class SubjectProvenance
{
    private const int MaxDepth = 64;

    /// <summary>The sealed fields of <paramref name="subject"/> in <paramref name="log"/>, in (op, field) order.
    /// Args that are not MessagePack, and bins that are not readable sealed fields, are skipped.</summary>
    public static IReadOnlyList<CiphertextLocation> Find(IEnumerable<Op> log, SubjectId subject)
    {
        ArgumentNullException.ThrowIfNull(log);
        var found = new SortedSet<CiphertextLocation>();
        foreach (var op in log)
        {
            foreach (var envelope in SealedFields(op))
            {
                if (envelope.Subject == subject) found.Add(new CiphertextLocation(op.Ref, envelope.Field));
            }
        }

        return found.ToArray();
    }

    /// <summary>Every readable sealed field in the args of <paramref name="op"/>, in the order they appear.</summary>
    public static IReadOnlyList<SealedEnvelope> SealedFields(Op op)
    {
        ArgumentNullException.ThrowIfNull(op);
        var found = new List<SealedEnvelope>();
        var reader = new MessagePackReader(op.Args);
        try
        {
            while (!reader.End) Walk(ref reader, op.Args, found, 0);
        }
        catch (Exception e) when (e is MessagePackSerializationException or EndOfStreamException or InvalidOperationException or ArgumentException)
        {
            // Args that are not MessagePack hold no sealed field this scan can vouch for; what was found stands.
        }

        return found;
    }

    private static void Walk(ref MessagePackReader reader, ReadOnlyMemory<byte> args, List<SealedEnvelope> found, int depth)
    {
        if (depth > MaxDepth) throw Error.InvalidOperation("nesting too deep.");
        switch (reader.NextMessagePackType)
        {
            case MessagePackType.Array:
                var items = reader.ReadArrayHeader();
                for (var i = 0; i < items; i++) Walk(ref reader, args, found, depth + 1);
                break;
            case MessagePackType.Map:
                var entries = reader.ReadMapHeader();
                for (var i = 0; i < entries * 2; i++) Walk(ref reader, args, found, depth + 1);
                break;
            case MessagePackType.Binary:
                var bytes = reader.ReadBytes();
                if (bytes is { } b && b.Length > 0)
                {
                    var copy = System.Buffers.BuffersExtensions.ToArray(b);
                    if (SealedEnvelope.LooksSealed(copy) && SealedEnvelope.TryRead(copy, out var envelope, out _)) found.Add(envelope);
                }

                break;
            default:
                reader.Skip();
                break;
        }
    }
}
