namespace Ledger.Kernel;

/// <summary>A cut of a replica's state that a fresh replica can bootstrap from: bootstrap + tail = genesis replay.</summary>
/// <remarks>Holds the author frontier {author → (seq, tip)}, the relay frontier and cut, the key-state
/// digest, the adopted manifest per branch, the pending and parked ops, every row, and the state hash.
/// <see cref="CheckpointCodec"/> encodes it (docs/wire-format.md, "Checkpoint v1");
/// <see cref="LedgerKernel.Restore(Checkpoint, KernelOptions)"/> verifies the digest, the hash and that the cut is closed before
/// trusting it. The <see cref="Digest"/> covers every section (the state hash, and through it every row): whoever vouches for a
/// checkpoint vouches for its digest, and <see cref="LedgerKernel.Restore(ReadOnlyMemory{byte}, KernelOptions, Hash32)"/> checks it.</remarks>
public sealed class Checkpoint
{
    /// <summary>Creates a checkpoint from its parts; its <see cref="Digest"/> is computed from them.</summary>
    public Checkpoint(
        IReadOnlyList<AuthorTip> authors,
        long relayFrontier,
        RelayCut? relayCut,
        Hash32? keyStateDigest,
        IReadOnlyList<AdoptedManifest> adopted,
        IReadOnlyList<ClaimFrontier> claimFrontier,
        IReadOnlyList<CheckpointOp> pending,
        IReadOnlyList<CheckpointOp> parked,
        IReadOnlyList<CheckpointSegment> segments,
        Hash32 stateHash)
    {
        Authors = authors;
        RelayFrontier = relayFrontier;
        RelayCut = relayCut;
        KeyStateDigest = keyStateDigest;
        Adopted = adopted;
        ClaimFrontier = claimFrontier;
        Pending = pending;
        Parked = parked;
        Segments = segments;
        StateHash = stateHash;
    }

    /// <summary>A decoded checkpoint, with the digest its bytes carry (which <see cref="LedgerKernel.Restore(Checkpoint, KernelOptions)"/>
    /// compares with the digest of its sections).</summary>
    internal Checkpoint(IReadOnlyList<AuthorTip> authors, long relayFrontier, RelayCut? relayCut, Hash32? keyStateDigest, IReadOnlyList<AdoptedManifest> adopted,
        IReadOnlyList<ClaimFrontier> claimFrontier, IReadOnlyList<CheckpointOp> pending, IReadOnlyList<CheckpointOp> parked, IReadOnlyList<CheckpointSegment> segments,
        Hash32 stateHash, Hash32 claimedDigest)
        : this(authors, relayFrontier, relayCut, keyStateDigest, adopted, claimFrontier, pending, parked, segments, stateHash)
    {
        ClaimedDigest = claimedDigest;
    }

    /// <summary>The digest that covers every section of the checkpoint (docs/wire-format.md, "Checkpoint v1"): SHA-256 of
    /// its canonical encoding up to the digest itself. For a decoded checkpoint, the digest its bytes carry.</summary>
    public Hash32 Digest => ClaimedDigest ?? CheckpointCodec.SectionsDigest(this);

    /// <summary>For a decoded checkpoint, the digest its bytes carry; null for one built from its parts. (Not cached: the
    /// sections are compared with it when they are restored, as they are then.)</summary>
    internal Hash32? ClaimedDigest { get; }

    /// <summary>Per author, the last op in the cut and its chain hash, in author order.</summary>
    public IReadOnlyList<AuthorTip> Authors { get; }

    /// <summary>Every relay position below this is in the cut.</summary>
    public long RelayFrontier { get; }

    /// <summary>The relay's signed tree head the cut corresponds to, when there is one (Ledger.Sync fills it).</summary>
    public RelayCut? RelayCut { get; }

    /// <summary>The digest of the key state (Ledger.Signing fills it).</summary>
    public Hash32? KeyStateDigest { get; }

    /// <summary>The manifest adopted per branch (Ledger.Migration fills it).</summary>
    public IReadOnlyList<AdoptedManifest> Adopted { get; }

    /// <summary>Per claim key, the relay position of the last folded claim.</summary>
    public IReadOnlyList<ClaimFrontier> ClaimFrontier { get; }

    /// <summary>Claim ops in the cut that wait for the relay order.</summary>
    public IReadOnlyList<CheckpointOp> Pending { get; }

    /// <summary>Ops in the cut the replica could not fold, in arrival order.</summary>
    public IReadOnlyList<CheckpointOp> Parked { get; }

    /// <summary>Every non-empty segment, in canonical order, with its rows.</summary>
    public IReadOnlyList<CheckpointSegment> Segments { get; }

    /// <summary>The state hash the rows must reproduce.</summary>
    public Hash32 StateHash { get; }

    /// <summary>The total number of rows.</summary>
    public long RowCount => Segments.Sum(s => (long)s.Rows.Count);
}

/// <summary>An author's position in a cut.</summary>
/// <param name="Author">The author.</param>
/// <param name="Seq">The last sequence number in the cut.</param>
/// <param name="Tip">That op's chain hash.</param>
public readonly record struct AuthorTip(AuthorId Author, ulong Seq, Hash32 Tip);

/// <summary>The relay's tree head: log origin, size and Merkle root.</summary>
/// <param name="Origin">The relay log's origin line.</param>
/// <param name="Size">The tree size.</param>
/// <param name="Root">The Merkle root hash.</param>
public sealed record RelayCut(string Origin, long Size, Hash32 Root);

/// <summary>The manifest a branch adopted.</summary>
/// <param name="Branch">The branch.</param>
/// <param name="Manifest">The adopted manifest.</param>
public readonly record struct AdoptedManifest(BranchId Branch, ManifestId Manifest);

/// <summary>The relay position of the last folded claim on a claim key.</summary>
/// <param name="ClaimKey">The claim key.</param>
/// <param name="Position">The position.</param>
public readonly record struct ClaimFrontier(string ClaimKey, long Position);

/// <summary>An op carried whole by a checkpoint (pending or parked).</summary>
/// <param name="Op">The op.</param>
/// <param name="Position">Its relay position, when known.</param>
public sealed record CheckpointOp(Op Op, long? Position);

/// <summary>The rows of one segment: canonical encoded values, in key order.</summary>
/// <param name="Id">Table and branch.</param>
/// <param name="Kind">The table kind.</param>
/// <param name="Rows">(key, canonical value bytes) in UTF-8 key order.</param>
public sealed record CheckpointSegment(SegmentId Id, TableKind Kind, IReadOnlyList<KeyValuePair<string, byte[]>> Rows);

/// <summary>What other packages add to a checkpoint the kernel creates.</summary>
public sealed class CheckpointExtras
{
    /// <summary>The relay's tree head.</summary>
    public RelayCut? RelayCut { get; init; }

    /// <summary>The key-state digest.</summary>
    public Hash32? KeyStateDigest { get; init; }

    /// <summary>The manifest adopted per branch.</summary>
    public IReadOnlyList<AdoptedManifest> Adopted { get; init; } = [];
}
