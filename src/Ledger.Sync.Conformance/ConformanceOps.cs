using System.Buffers.Binary;
using System.Text;
using Ledger.Kernel;
using Ledger.Signing;

namespace Ledger.Sync.Conformance;

/// <summary>Signed ops for conformance suites: real chains (an inception, then ops of a one-verb manifest), with
/// keys, edge times and op ids derived from the label alone, so the same call gives the same bytes everywhere.</summary>
public static class ConformanceOps
{
    /// <summary>The ledger the chains are signed for.</summary>
    public const string Ledger = "conformance";

    /// <summary>The chain of author <paramref name="label"/>: its inception and then <paramref name="ops"/> ops.</summary>
    public static IReadOnlyList<SignedOp> Chain(string label, int ops)
    {
        ArgumentNullException.ThrowIfNull(label);
        ArgumentOutOfRangeException.ThrowIfNegative(ops);
        using var key = SigningKey.FromSeed(Seed(label, 0));
        using var next = SigningKey.FromSeed(Seed(label, 1));
        var log = AuthorLog.Incept(Ledger, label, key, next.Public.Digest, out var inception, 0, new FixedClock(), OpId);
        var chain = new List<SignedOp>(ops + 1) { inception };
        for (var i = 0; i < ops; i++)
        {
            var at = FixedClock.Epoch.AddSeconds(i + 1);
            chain.Add(log.Append(ConformanceManifest.Manifest, ConformanceManifest.Note, new NoteArgs("n", i), at: at.ToUnixTimeMilliseconds(), opId: OpId(at)));
        }

        return chain;
    }

    /// <summary>The ops as a relay stores them, at positions from <paramref name="from"/>.</summary>
    public static IReadOnlyList<StoredOp> Stored(IReadOnlyList<SignedOp> ops, long from)
    {
        ArgumentNullException.ThrowIfNull(ops);
        return ops.Select((o, i) => new StoredOp(from + i, o.Op.Author, o.Op.Seq, o.ChainHash, o.Bytes, KeyEvents.IsKeyEvent(o.Op))).ToArray();
    }

    /// <summary>The ops as a node stores them.</summary>
    public static IReadOnlyList<NodeOpRecord> Records(IEnumerable<SignedOp> ops, bool own, long? firstPosition = null)
    {
        ArgumentNullException.ThrowIfNull(ops);
        return ops.Select((o, i) => new NodeOpRecord(o.Ref, o.Bytes, own, firstPosition is { } p ? p + i : null)).ToArray();
    }

    private static byte[] Seed(string label, uint index) => Hash32.Sha256(Encoding.UTF8.GetBytes($"conformance/{label}/{index}")).ToArray();

    private static Guid OpId(DateTimeOffset at)
    {
        var bytes = new byte[16];
        BinaryPrimitives.WriteInt64BigEndian(bytes, at.ToUnixTimeMilliseconds() << 16);
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x70);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true);
    }

    private sealed class FixedClock : TimeProvider
    {
        public static readonly DateTimeOffset Epoch = DateTimeOffset.FromUnixTimeMilliseconds(1_767_225_600_000);

        public override DateTimeOffset GetUtcNow() => Epoch;
    }
}
