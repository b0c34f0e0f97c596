using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Ledger.Kernel;
using Ledger.Signing;

namespace Ledger.Sync;

/// <summary>The append pipeline of a node: a signer thread signs ops alone, in arrival order (each op names the one
/// before), and a writer thread persists them in group commits (many callers share one transaction, one fsync) and
/// folds them into the <see cref="LocalReplica"/>. A failed commit rewinds the author log to the last persisted op.</summary>
/// <remarks>Holds the author log and the signing keys. Takes the sign gate (<see cref="NodeLocks.Sign"/>, rank 4) and,
/// inside it, the fold gate (rank 5); never calls the store under either.</remarks>
internal sealed class AppendPipeline
{
    private readonly NodeOptions _options;
    private readonly INodeStore _store;
    private readonly NodeLocks _locks;
    private readonly LocalReplica _replica;
    private readonly object _owner;
    // Synchronous continuations: the only waiter is a stage thread blocked on the channel, and waking it directly
    // from the producer needs no thread-pool thread (callers blocking on the pool could otherwise starve the pipeline).
    private readonly Channel<PendingAppend> _signs = Channel.CreateUnbounded<PendingAppend>(new UnboundedChannelOptions { SingleReader = true, AllowSynchronousContinuations = true });
    private readonly Channel<PendingAppend> _writes = Channel.CreateUnbounded<PendingAppend>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true, AllowSynchronousContinuations = true });
    private Task _signer = Task.CompletedTask;
    private Task _writer = Task.CompletedTask;
    // Written by the signer under the sign gate; read under the sign or fold gate.
    private readonly Dictionary<KeyId, SigningKey> _keys = new();
    private AuthorLog _log;
    private bool _closed;
    private Exception? _writerFault;
    // Set when the store was rolled back below its high-water mark; cleared once the own ops are fetched back.
    private volatile StrongBox<OwnHighWater>? _rolledBackFrom;
    private NodeMetrics _metrics = null!;

    /// <summary>A pipeline signing with <paramref name="log"/> and <paramref name="key"/>; <paramref name="owner"/> (the node) is
    /// what <see cref="ObjectDisposedException"/> names once it is closed.</summary>
    public AppendPipeline(NodeOptions options, INodeStore store, NodeLocks locks, LocalReplica replica, AuthorLog log, SigningKey key, object owner,
        OwnHighWater? rolledBackFrom = null)
    {
        _rolledBackFrom = rolledBackFrom is { } mark ? new StrongBox<OwnHighWater>(mark) : null;
        _options = options;
        _store = store;
        _locks = locks;
        _replica = replica;
        _log = log;
        _keys[key.Id] = key;
        _owner = owner;
    }

    /// <summary>The author.</summary>
    public AuthorId Author => _log.Author;

    /// <summary>The seq of the last op signed.</summary>
    public ulong Seq => _log.Seq;

    /// <summary>Why the pipeline stopped accepting appends, or null.</summary>
    public Exception? Fault => _writerFault;

    /// <summary>The high-water mark the store was rolled back from, while own ops it once committed are missing; null
    /// otherwise. No op is signed meanwhile: the next would reuse a seq.</summary>
    public OwnHighWater? RolledBackFrom => _rolledBackFrom?.Value;

    /// <summary>After own ops were fetched back into the replica: once it holds the mark's seq (with the very op the
    /// store had committed), the author log resumes at the tip and appends go on.</summary>
    /// <exception cref="StoreDamagedException">The replica holds another op at the mark's seq.</exception>
    public void ResumeAfterRefetch()
    {
        if (_rolledBackFrom?.Value is not { } mark) return;
        lock (_locks.Sign)
        {
            lock (_locks.Fold)
            {
                if ((ulong)_replica.Own.Count < mark.Seq) return;
                if (_replica.Own.TryChainHash(mark.Seq, out var held) && held != mark.ChainHash)
                {
                    throw Error.StoreDamaged("the node store", $"own op {mark.Seq}", "the relay holds another op at that seq than the one this store had committed: two ops were signed at one seq");
                }

                var tip = _replica.OwnChain.Clone();
                if (_keys.TryGetValue(tip.Keys!.Current.Id, out var key)) _log = AuthorLog.Resume(tip, key, _options.Time, _options.OpIds);
                else _writerFault = Error.InvalidOperation($"the own ops fetched back rotated to key {tip.Keys.Current.Id}, which this node does not hold: reopen it with that key.");
                _rolledBackFrom = null;
            }
        }
    }

    /// <summary>Starts the signer and writer threads once the node's state is loaded.</summary>
    public void Start(NodeMetrics metrics)
    {
        _metrics = metrics;
        _signer = RunLoop(SignLoop, "ledger-signer");
        _writer = RunLoop(WriteLoop, "ledger-writer");
    }

    /// <summary>Queues an op to sign: <paramref name="sign"/> runs on the signer thread, alone.</summary>
    /// <exception cref="ObjectDisposedException">The node is closed.</exception>
    public PendingAppend Submit(Func<AuthorLog, SignedOp> sign, bool critical, CancellationToken cancellationToken)
    {
        var pending = new PendingAppend(sign, critical, cancellationToken);
        // One signer drains the queue back to back: a hand-off per op between callers (a lock or semaphore
        // passed from thread to thread) left the serial signing stage idle between ops.
        if (!_signs.Writer.TryWrite(pending)) ObjectDisposedException.ThrowIf(true, _owner);
        return pending;
    }

    /// <summary>Holds a key the chain rotated to; called by a signing function, on the signer thread.</summary>
    public void HoldKey(SigningKey key) => _keys[key.Id] = key;

    /// <summary>A key this node holds, by id (under the sign or fold gate).</summary>
    public bool TryGetKey(KeyId id, out SigningKey key) => _keys.TryGetValue(id, out key!);

    /// <summary>A key this node holds (under the sign or fold gate).</summary>
    public SigningKey Key(KeyId id) => _keys[id];

    /// <summary>Refuses new appends: those queued before fail (the node is closed); ops already signed are persisted.</summary>
    public void Close()
    {
        lock (_locks.Sign)
        {
            _closed = true;
            _signs.Writer.TryComplete();
        }
    }

    /// <summary>Waits for the signer to finish, then for the writer to persist what it signed.</summary>
    public async Task DrainAsync()
    {
        await _signer.ConfigureAwait(false);
        _writes.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
    }

    /// <summary>Runs a pipeline stage on a thread of its own: the signer is CPU-bound and the writer blocks in
    /// fsync, and on the shared pool both stalled the callers' continuations (and were stalled by them).</summary>
    /// <remarks>Named (<c>ledger-signer</c>, <c>ledger-writer</c>) so profilers and dumps show them; background
    /// threads, so a node nobody disposed does not keep its process alive.</remarks>
    private static Task RunLoop(Action loop, string name)
    {
        var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                loop();
                ended.SetResult();
            }
            catch (Exception e)
            {
                ended.SetException(e);
            }
        })
        { IsBackground = true, Name = name };
        thread.Start();
        return ended.Task;
    }

    /// <summary>Blocks this stage's thread until the channel has an item or is complete.</summary>
    private static bool WaitToRead<T>(ChannelReader<T> reader)
    {
        var wait = reader.WaitToReadAsync();
        return wait.IsCompletedSuccessfully ? wait.Result : wait.AsTask().GetAwaiter().GetResult();
    }

    private void SignLoop()
    {
        var reader = _signs.Reader;
        while (WaitToRead(reader))
        {
            while (reader.TryRead(out var pending))
            {
                // The gate keeps export and rewind out while an op is signed and queued for the writer.
                lock (_locks.Sign)
                {
                    try
                    {
                        ThrowIfNotWritable();
                        pending.Cancellation.ThrowIfCancellationRequested();
                        pending.Sign(_log);
                    }
                    catch (Exception e)
                    {
                        _metrics.AppendsEnded(0, 1);
                        pending.Persisted.TrySetException(e);
                        continue;
                    }

                    if (!_writes.Writer.TryWrite(pending))
                    {
                        // Cannot happen while this loop runs (the writer closes after it); if it did, the chain now
                        // names an op no store holds: stop signing rather than fork.
                        _writerFault ??= Error.InvalidOperation("the node's writer stopped before its signer.");
                        pending.Persisted.TrySetException(Error.InvalidOperation("the node's writer is closed.", _writerFault));
                    }
                }
            }
        }
    }

    private void WriteLoop()
    {
        var reader = _writes.Reader;
        var batch = new List<PendingAppend>(_options.MaxGroupCommit);
        var results = new List<ApplyResult>(_options.MaxGroupCommit);
        while (WaitToRead(reader))
        {
            batch.Clear();
            while (batch.Count < _options.MaxGroupCommit && reader.TryRead(out var next)) batch.Add(next);
            // Checkpoints taken while this batch is stored but not folded name a store record before it (risk B2).
            using var storing = _replica.Checkpoints?.Open?.BeginStore();
            TimeSpan took;
            try
            {
                var started = System.Diagnostics.Stopwatch.GetTimestamp();
                // This stage owns its thread and holds no lock here, so it waits for the store's task: SQLite completes
                // it synchronously (no hop), and a store across a network blocks only this thread, never a caller.
                _store.AppendAsync(batch.Select(p => new NodeOpRecord(p.Signed.Ref, p.Signed.Bytes, true, null)).ToArray()).GetAwaiter().GetResult();
                took = System.Diagnostics.Stopwatch.GetElapsedTime(started);
            }
            catch (Exception e)
            {
                FailFrom(batch, e);
                continue;
            }

            results.Clear();
            try
            {
                _replica.FoldOwn(batch, results);
            }
            catch (Exception e)
            {
                // Persisted but not folded: this instance can no longer vouch for its state. Fail every waiter
                // whose op did not fold (none may hang) and refuse new appends; reopening from the store folds everything again.
                lock (_locks.Sign)
                {
                    _writerFault = e;
                    while (reader.TryRead(out var queued)) batch.Add(queued);
                }

                for (var i = results.Count; i < batch.Count; i++)
                {
                    batch[i].Persisted.TrySetException(Error.InvalidOperation("the node failed while folding its own op; reopen it from its store.", e));
                }
            }

            // Outside the fold lock: completing wakes callers, which must not queue behind this writer.
            for (var i = 0; i < results.Count; i++) batch[i].Persisted.TrySetResult(results[i]);
            _metrics.Committed(batch.Count, took);
            _metrics.AppendsEnded(results.Count, batch.Count - results.Count);
            // The writer thread already waits on the store; a checkpoint captured by this batch's fold is saved here.
            _replica.Checkpoints?.FlushAsync().GetAwaiter().GetResult();
        }
    }

    private void ThrowIfNotWritable()
    {
        ObjectDisposedException.ThrowIf(_closed, _owner);
        if (_rolledBackFrom?.Value is { } mark)
        {
            ulong held;
            lock (_locks.Fold) held = (ulong)_replica.Own.Count;
            throw Error.StoreDamaged("the node store", $"own ops {held + 1} to {mark.Seq}",
                $"the store was rolled back (a lost or damaged -wal, or an older copy): it had committed own ops up to seq {mark.Seq} but holds them up to {held}. Sync with the relay to fetch them back before appending (signing seq {held + 1} again would fork this author's chain); if the relay lacks them, import the latest export");
        }

        if (_writerFault is { } fault) throw Error.InvalidOperation("the node failed while folding its own op; reopen it from its store.", fault);
    }

    /// <summary>A failed commit: that batch and everything signed after it fail, and the author log rewinds
    /// to the last persisted op, so the chain never holds an op the store does not.</summary>
    private void FailFrom(List<PendingAppend> failed, Exception error)
    {
        lock (_locks.Sign)
        {
            while (_writes.Reader.TryRead(out var queued)) failed.Add(queued);
            lock (_locks.Fold)
            {
                // The key that signs at the last persisted op: a rotation that failed to persist never happened.
                var tip = _replica.OwnChain.Clone();
                if (_keys.TryGetValue(tip.Keys!.Current.Id, out var key)) _log = AuthorLog.Resume(tip, key, _options.Time, _options.OpIds);
                else _writerFault = Error.InvalidOperation("a commit failed and the chain cannot rewind without the key that signed its last persisted op: stopped signing rather than fork; reopen the node from its store.", error);
            }

            foreach (var p in failed) p.Persisted.TrySetException(error);
            _metrics.AppendsEnded(0, failed.Count);
        }
    }
}
