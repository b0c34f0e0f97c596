namespace Ledger.Sync;

/// <summary>The locks of one <see cref="DeviceNode"/>, in one place because its collaborators share them: the order
/// below is the only order in which any thread may take them.</summary>
/// <remarks>
/// Lock order (a thread holding one may take only those after it; none is held across a store call or an await,
/// except the async gates, which exist to be held across them):
/// <list type="number">
/// <item><see cref="Sync"/> (async; <see cref="RelayFollower"/>): one sync round at a time.</item>
/// <item><see cref="Export"/> (async; <see cref="AtRiskExporter"/>): one export build.</item>
/// <item><see cref="WitnessWrite"/> (async; <see cref="RelayWitness"/>): one witness advance, across its store write.</item>
/// <item><see cref="Sign"/> (<see cref="AppendPipeline"/>): the signer's turn; also export snapshots and the rewind.</item>
/// <item><see cref="Fold"/> (<see cref="LocalReplica"/>): the kernel, the own ladder, the chain verifiers, the
/// witness's Merkle tree.</item>
/// </list>
/// <see cref="Witness"/> (<see cref="RelayWitness"/>: witnessed checkpoint, frozen, evidence tally) is a leaf, never
/// held with another. The store's own lock, and <see cref="EvidenceOutbox"/>'s, are below all of them.
/// </remarks>
internal sealed class NodeLocks : IDisposable
{
    /// <summary>1. One sync round at a time.</summary>
    public SemaphoreSlim Sync { get; } = new(1, 1);

    /// <summary>2. One export build at a time.</summary>
    public SemaphoreSlim Export { get; } = new(1, 1);

    /// <summary>3. One witness advance at a time, across its store write (the store is never called under <see cref="Witness"/>).</summary>
    public SemaphoreSlim WitnessWrite { get; } = new(1, 1);

    /// <summary>4. The signer's turn: signing an op and queueing it for the writer, export snapshots, the rewind.</summary>
    public Lock Sign { get; } = new();

    /// <summary>5. The folded state: kernel, ladder, verifiers, Merkle tree.</summary>
    public Lock Fold { get; } = new();

    /// <summary>Leaf: the witnessed checkpoint, the frozen reason, the evidence tally.</summary>
    public Lock Witness { get; } = new();

    /// <summary>Disposes the sync gate, once the node closed (the node never disposed its other gates).</summary>
    public void Dispose() => Sync.Dispose();
}
