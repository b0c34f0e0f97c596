using System.Collections.Concurrent;
using Ledger.Kernel;
using Ledger.Signing;

namespace Ledger.Sync;

/// <summary>A node's local replica: the kernel that folds every op the node holds, each author's chain verifier,
/// the own ops' durability ladder (rung and relay position), the relay prefix folded and the relay log those
/// positions refer to; and the post-commit handler the fold feeds.</summary>
/// <remarks>Guarded by the fold gate (<see cref="NodeLocks.Fold"/>, rank 5 of the node's lock order): callers hold it
/// around <see cref="Kernel"/>, <see cref="Verifiers"/>, <see cref="Own"/> and <see cref="FoldedCursor"/>; the
/// methods here that need it take it themselves. <see cref="RelayOrigin"/> is volatile (written after the store).</remarks>
internal sealed class LocalReplica
{
    private readonly NodeOptions _options;
    private readonly INodeStore _store;
    private readonly NodeLocks _locks;
    private readonly AuthorId _author;
    private readonly ConcurrentQueue<Exception> _handlerFaults = new();
    private readonly Dictionary<OpRef, Op> _awaitingHandler = new();
    private volatile string? _relayOrigin;

    public LocalReplica(NodeOptions options, INodeStore store, NodeLocks locks, AuthorId author, LedgerKernel kernel, OwnLadder own, NodeCheckpoints? checkpoints)
    {
        Checkpoints = checkpoints;
        _options = options;
        _store = store;
        _locks = locks;
        _author = author;
        Kernel = kernel;
        Own = own;
    }

    /// <summary>The kernel (under the fold gate).</summary>
    public LedgerKernel Kernel { get; }

    /// <summary>Writes checkpoints of the kernel as it folds (risk B2); null when the node keeps none.</summary>
    public NodeCheckpoints? Checkpoints { get; }

    /// <summary>Each author's chain verifier (under the fold gate).</summary>
    public Dictionary<AuthorId, AuthorChainVerifier> Verifiers { get; } = new();

    /// <summary>The own ops' ladder (under the fold gate).</summary>
    public OwnLadder Own { get; }

    /// <summary>The relay prefix folded (under the fold gate).</summary>
    public long FoldedCursor { get; set; }

    /// <summary>The origin of the relay log the positions refer to; null until a relay named itself.</summary>
    public string? RelayOrigin
    {
        get => _relayOrigin;
        set => _relayOrigin = value;
    }

    /// <summary>Exceptions thrown by <see cref="NodeOptions.Folded"/>, oldest first.</summary>
    public IReadOnlyCollection<Exception> HandlerFaults => _handlerFaults;

    /// <summary>The own chain's verifier (under the fold gate).</summary>
    public AuthorChainVerifier OwnChain => Verifiers[_author];

    public Hash32 StateHash()
    {
        lock (_locks.Fold) return Kernel.StateHash();
    }

    public T Read<T>(Func<LedgerKernel, T> read)
    {
        lock (_locks.Fold) return read(Kernel);
    }

    /// <summary>Folds a batch of own ops the writer persisted; <paramref name="results"/> gets one result per op
    /// folded (fewer than the batch if the fold failed part way).</summary>
    public void FoldOwn(List<PendingAppend> batch, List<ApplyResult> results)
    {
        lock (_locks.Fold)
        {
            foreach (var p in batch)
            {
                Verifiers[_author].AppendWithoutSignatureCheck(p.Signed);
                Track(p.Signed.Op);
                results.Add(Kernel.Apply(p.Signed.Op));
                Own.Add(p.Signed, DurabilityRung.Local, null, null, p.Done);
            }

            RecordOutcomes(results);
        }
    }

    public OpDurability DurabilityOf(OpRef op)
    {
        lock (_locks.Fold)
        {
            if (op.Author == _author && op.Seq >= 1 && op.Seq <= Own.CompactedThrough)
            {
                // Compacted when the node opened from its checkpoint (risk B2): held by the relay below the folded prefix.
                return new OpDurability(op, DurabilityRung.Durable, null, "acknowledged before the checkpoint this node opened from (its ladder keeps such ops only as a compacted prefix)", null);
            }

            if (op.Author != _author || !Own.TryGetValue(op.Seq, out var own)) throw Error.Argument($"{op} is not an op of this node.", nameof(op));
            return new OpDurability(op, own.Rung, own.Position, own.Detail, own.Position is null ? null : _relayOrigin);
        }
    }

    public IReadOnlyList<OpDurability> Ladder()
    {
        var origin = _relayOrigin;
        lock (_locks.Fold) return Own.Values.Select(o => new OpDurability(o.Ref, o.Rung, o.Position, o.Detail, o.Position is null ? null : origin)).ToArray();
    }

    public DurabilityReport Durability()
    {
        lock (_locks.Fold)
        {
            var (local, syncing, durable, won, lost, refused, oldest) = Own.Tally();
            TimeSpan? age = oldest is { } at ? _options.Time.GetUtcNow() - DateTimeOffset.FromUnixTimeMilliseconds(at) : null;
            return new DurabilityReport(local, syncing, durable, won, lost, refused, age is { } a && a < TimeSpan.Zero ? TimeSpan.Zero : age, _store.SizeBytes, _store.CapBytes);
        }
    }

    /// <summary>The ops parked in the kernel.</summary>
    public ParkedFrontier Parked()
    {
        lock (_locks.Fold) return Kernel.Parked;
    }

    /// <summary>Own claims that folded become Won or Lost. Called under the fold gate (or before the node starts).</summary>
    public void RecordOutcomes(IEnumerable<ApplyResult> results)
    {
        Checkpoints?.Capture(Kernel);
        if (_options.Folded is { } handler)
        {
            var list = results as IReadOnlyList<ApplyResult> ?? results.ToArray();
            results = list;
            var final = new List<FoldedOp>();
            foreach (var r in list)
            {
                if (r.Status is ApplyStatus.Pending or ApplyStatus.Parked || !_awaitingHandler.Remove(r.Op, out var op)) continue;
                final.Add(new FoldedOp(op, r));
            }

            if (final.Count > 0)
            {
                try
                {
                    handler(final);
                }
                catch (Exception e)
                {
                    _handlerFaults.Enqueue(e);
                }
            }
        }

        foreach (var r in results)
        {
            if (r.Op.Author != _author || r.Status != ApplyStatus.Folded || !Own.TryGetValue(r.Op.Seq, out var own) || !own.IsClaim) continue;
            own.Outcome = r.LostClaim ? DurabilityRung.Lost : DurabilityRung.Won;
            if (own.Rung is DurabilityRung.Durable or DurabilityRung.Local or DurabilityRung.Syncing)
            {
                own.Rung = own.Outcome.Value;
            }
        }
    }

    /// <summary>Remembers an op about to be applied until its final result reaches the post-commit handler.</summary>
    public void Track(Op op)
    {
        if (_options.Folded is not null) _awaitingHandler[op.Ref] = op;
    }

    /// <summary>A critical op is done when the relay holds it at p and this node folded the relay prefix up to p;
    /// a critical claim only once it folded (won or lost); a refused one faults.</summary>
    public void CompleteCriticalOps()
    {
        lock (_locks.Fold)
        {
            foreach (var own in Own.AwaitingDone())
            {
                if (own.Done is not { Task.IsCompleted: false } done) continue;
                if (own.Rung == DurabilityRung.Refused)
                {
                    done.TrySetException(Error.OpRefused(own.Ref, own.Detail ?? "refused."));
                    continue;
                }

                var folded = !own.IsClaim ? own.Rung is DurabilityRung.Durable : own.Rung is DurabilityRung.Won or DurabilityRung.Lost;
                if (own.Position is { } p && p < Kernel.RelayFrontier && folded) done.TrySetResult();
            }
        }
    }
}
