using Ledger.Kernel;

namespace Ledger.Sync;

/// <summary>One request of the relay protocol, decoded (<see cref="RelayWire.DecodeRequest"/>) or to encode
/// (<see cref="RelayWire.EncodeRequest"/>). Only the arguments of its <see cref="Call"/> are set; make one with
/// the factory named after the call.</summary>
public sealed class RelayRequest
{
    private RelayRequest(RelayCall call) => Call = call;

    /// <summary>The call.</summary>
    public RelayCall Call { get; }

    /// <summary>Push: the signed ops.</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> Batch { get; private init; } = [];

    /// <summary>Pull: the first position.</summary>
    public long FromPosition { get; private init; }

    /// <summary>Pull: the most ops to return.</summary>
    public int Max { get; private init; }

    /// <summary>FetchAuthor: the author.</summary>
    public AuthorId Author { get; private init; }

    /// <summary>FetchAuthor: the first seq.</summary>
    public ulong FromSeq { get; private init; }

    /// <summary>GetCheckpoint: the tree size (null: the latest); GetInclusionProof: the tree size.</summary>
    public long? Size { get; private init; }

    /// <summary>GetConsistencyProof: the smaller size.</summary>
    public long Size1 { get; private init; }

    /// <summary>GetConsistencyProof: the larger size.</summary>
    public long Size2 { get; private init; }

    /// <summary>GetInclusionProof: the leaf index.</summary>
    public long Index { get; private init; }

    /// <summary>PostCosignature: the cosigned checkpoint note.</summary>
    public ReadOnlyMemory<byte> Note { get; private init; }

    /// <summary>A push of <paramref name="batch"/>.</summary>
    public static RelayRequest Push(IReadOnlyList<ReadOnlyMemory<byte>> batch) => new(RelayCall.Push) { Batch = batch ?? throw Error.ArgumentNull(nameof(batch)) };

    /// <summary>A pull from <paramref name="fromPosition"/>.</summary>
    public static RelayRequest Pull(long fromPosition, int max) => new(RelayCall.Pull) { FromPosition = fromPosition, Max = max };

    /// <summary>A fetch of <paramref name="author"/>'s chain from <paramref name="fromSeq"/>.</summary>
    public static RelayRequest FetchAuthor(AuthorId author, ulong fromSeq) => new(RelayCall.FetchAuthor) { Author = author, FromSeq = fromSeq };

    /// <summary>The checkpoint of the first <paramref name="size"/> ops (null: the latest).</summary>
    public static RelayRequest GetCheckpoint(long? size) => new(RelayCall.GetCheckpoint) { Size = size };

    /// <summary>The consistency proof between two sizes.</summary>
    public static RelayRequest GetConsistencyProof(long size1, long size2) => new(RelayCall.GetConsistencyProof) { Size1 = size1, Size2 = size2 };

    /// <summary>The inclusion proof of leaf <paramref name="index"/> in the tree of <paramref name="size"/> ops.</summary>
    public static RelayRequest GetInclusionProof(long index, long size) => new(RelayCall.GetInclusionProof) { Index = index, Size = size };

    /// <summary>A cosigned checkpoint for the relay to keep.</summary>
    public static RelayRequest PostCosignature(ReadOnlyMemory<byte> note) => new(RelayCall.PostCosignature) { Note = note };

    /// <summary>The cosigned checkpoints the relay keeps.</summary>
    public static RelayRequest GetCosignatures() => new(RelayCall.GetCosignatures);
}
