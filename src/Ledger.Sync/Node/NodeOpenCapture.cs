using Ledger.Kernel;

namespace Ledger.Sync;

/// <summary>Takes, with each node checkpoint and under the fold lock, what the node needs to open from it reading only
/// the records stored after it (risk B2, <see cref="NodeOpenState"/>); and knows which store record that is: a batch is
/// stored before it is folded, so the records of a batch in flight (stored, or about to be, but not folded) must come
/// after the one the checkpoint names. Every writer of the store brackets its store-then-fold with <see cref="BeginStore"/>.</summary>
internal sealed class NodeOpenCapture
{
    private readonly INodeTailStore _tail;
    private readonly LocalReplica _replica;
    private readonly RelayWitness _witness;
    private readonly NodeLocks _locks;
    private readonly List<long> _inFlight = [];

    public NodeOpenCapture(INodeTailStore tail, LocalReplica replica, RelayWitness witness, NodeLocks locks)
    {
        _tail = tail;
        _replica = replica;
        _witness = witness;
        _locks = locks;
        _ = tail.LastRecord; // read once outside every lock (a store may load it on first use)
    }

    /// <summary>Before a batch is stored: until the token is disposed (after its fold), checkpoints name a record before it.</summary>
    public Storing BeginStore()
    {
        lock (_locks.Fold)
        {
            var at = _tail.LastRecord;
            _inFlight.Add(at);
            return new Storing(this, at);
        }
    }

    /// <summary>Under the fold lock: the open state of the kernel about to be checkpointed.</summary>
    public NodeOpenState? Capture(LedgerKernel kernel)
    {
        var record = _tail.LastRecord;
        foreach (var at in _inFlight) record = Math.Min(record, at);
        var (prefix, frontier, root) = _witness.FrontierAt(kernel.RelayFrontier);
        var authors = new List<NodeOpenState.AuthorTip>(_replica.Verifiers.Count);
        foreach (var (author, verifier) in _replica.Verifiers)
        {
            if (verifier.Keys is not { } keys) continue;
            // Each rotation or revocation retired the key before it at its own seq: with the inception, the key events.
            var events = new List<ulong>(keys.Retired.Count + 1) { 1 };
            foreach (var retired in keys.Retired) events.Add(retired.StaleFromSeq);
            authors.Add(new NodeOpenState.AuthorTip(author, verifier.Seq, verifier.Tip, events, keys.Digest()));
        }

        authors.Sort((a, b) => string.CompareOrdinal(a.Author.Value, b.Author.Value));
        var (through, hash, durable, won, lost) = _replica.Own.SettledPrefix(kernel.RelayFrontier);
        return new NodeOpenState(record, prefix, frontier, root, authors, new NodeOpenState.LadderMark(through, hash, durable, won, lost));
    }

    /// <summary>A batch in flight; disposing it (after the fold) lets checkpoints name records past it.</summary>
    internal sealed class Storing(NodeOpenCapture owner, long at) : IDisposable
    {
        private bool _done;

        public void Dispose()
        {
            lock (owner._locks.Fold)
            {
                if (_done) return;
                _done = true;
                owner._inFlight.Remove(at);
            }
        }
    }
}
