using Ledger.Kernel;

namespace Ledger.Sync;

// Group commit (PushGroupQueue): the pushes waiting for the gate are ingested in one store transaction.
public sealed partial class Relay
{
    private readonly PushGroupQueue _groups = new();

    /// <summary>Pushes waiting for the gate to be ingested in a group (tests).</summary>
    internal PushGroupQueue Groups => _groups;

    private async Task<IngestResponse> PushGroupedAsync(IReadOnlyList<ReadOnlyMemory<byte>> batch, PreparedBatch? prepared, CancellationToken cancellationToken)
    {
        var member = new GroupMember(batch, prepared, cancellationToken);
        _groups.Enqueue(member);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var entering = _gate.WaitAsync(stop.Token);
        if (await Task.WhenAny(entering, member.Outcome).ConfigureAwait(false) != entering)
        {
            // Answered by a group another push led: the answer goes out now, not after the next group, which may
            // hold the gate by then. A gate taken in the meantime is given back.
            await stop.CancelAsync().ConfigureAwait(false);
            try
            {
                await entering.ConfigureAwait(false);
                _gate.Release();
            }
            catch (OperationCanceledException)
            {
            }

            return await member.Outcome.ConfigureAwait(false);
        }

        try
        {
            await entering.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Not taken yet: it leaves the queue, nothing of it stored, and the cancellation says so. Taken by a group
            // already: its ops are in that group's transaction, so the pusher waits for the group's answer — a
            // cancellation would read as "not stored" for ops that are (a group is one bounded store transaction).
            if (_groups.Withdraw(member)) throw;
            return await member.Outcome.ConfigureAwait(false);
        }

        try
        {
            // Whoever holds the gate ingests every push waiting, its own among them; a push whose group was ingested
            // while it waited for the gate finds its answer ready.
            while (!member.Settled)
            {
                var group = _groups.Take(_options.MaxBatch);
                if (group.Count == 0) throw Error.InvalidOperation("a push waiting for the gate was in no group.");
                try
                {
                    await IngestGroupAsync(group).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    // What escaped the group (its evidence write after the commit, a failed read of its chains) answers
                    // every member it left unanswered, as it would have answered each alone; a member left unsettled
                    // would take the gate next and find itself in no group, answered with a bare InvalidOperationException.
                    foreach (var m in group) m.Fail(e);
                }
            }
        }
        finally
        {
            _gate.Release();
        }

        return await member.Outcome.ConfigureAwait(false);
    }

    // Under the gate. Each member is ingested against the group's view in arrival order (so each sees the ones before
    // it as stored, as it would alone); then one append stores every member's ops and the tentative positions move to
    // where they landed. What fails the group's transaction never turns a member's ops into a refusal: a conflict
    // ingests the group again, a store that cannot be reached fails each push as it would alone (503, may or may not be
    // stored), anything else (the cap, damage) ingests each member alone.
    private async Task IngestGroupAsync(List<GroupMember> group)
    {
        if (group.Count == 1)
        {
            await IngestAloneAsync(group[0]).ConfigureAwait(false);
            return;
        }

        for (var attempt = 1; ; attempt++)
        {
            var view = new GroupStoreView(_store);
            await PrefetchChainsAsync(group, view).ConfigureAwait(false);
            foreach (var member in group)
            {
                member.Reset();
                try
                {
                    // The view refuses nothing for a conflict: the answer is never null here.
                    member.Response = await IngestAsync(member.Batch, member.Prepared, view, member, CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    // This member's own trouble (its author's stored key events damaged, say): the others go on.
                    member.Failure = e;
                }
            }

            var first = view.Base;
            if (view.Pending.Count > 0)
            {
                try
                {
                    // A store no other instance writes to takes the ops at the positions the view gave them.
                    first = _store switch
                    {
                        ILeafHashedRelayStore hashed => await hashed.AppendSequencedAsync(view.Pending, view.Leaves, CancellationToken.None).ConfigureAwait(false),
                        ISharedRelayStore shared => await shared.AppendSequencedAsync(view.Pending, CancellationToken.None).ConfigureAwait(false),
                        _ => await AppendAtAsync(_store, view).ConfigureAwait(false),
                    };
                    _groups.Counted();
                    Interlocked.Increment(ref _commits);
                }
                catch (RelayStoreConflictException) when (attempt < MaxConflictRetries)
                {
                    // Another instance stored one of these (author, seq) first; nothing of the group is held. The
                    // chains are reread and the group ingested again, where those ops are duplicates or forks.
                    Forget(group);
                    continue;
                }
                catch (StoreUnavailableException e)
                {
                    Forget(group);
                    foreach (var member in group) member.Fail(e);
                    return;
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    Forget(group);
                    foreach (var member in group) await IngestAloneAsync(member).ConfigureAwait(false);
                    return;
                }
            }

            await SettleGroupAsync(group, view, first).ConfigureAwait(false);
            return;
        }
    }

    private static async Task<long> AppendAtAsync(IRelayStore store, GroupStoreView view)
    {
        // A store that keeps its own tree takes the leaves hashed before the gate (ILeafHashedAppendStore).
        if (store is ILeafHashedAppendStore hashed) await hashed.AppendAsync(view.Pending, view.Leaves, CancellationToken.None).ConfigureAwait(false);
        else await store.AppendAsync(view.Pending, CancellationToken.None).ConfigureAwait(false);
        return view.Base;
    }

    private async Task IngestAloneAsync(GroupMember member)
    {
        member.Reset();
        try
        {
            member.Reply(await IngestWithRetriesAsync(member.Batch, member.Prepared, member.CancellationToken).ConfigureAwait(false));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            member.Fail(e);
        }
    }

    // The group is stored from position first: each member's tentative positions (its accepted ops, its repeats of ops
    // pending in the group, the size it was told) shift by the same amount; then what waited for the commit follows.
    private async Task SettleGroupAsync(List<GroupMember> group, GroupStoreView view, long first)
    {
        var shift = first - view.Base;
        foreach (var member in group)
        {
            foreach (var fork in member.Forks) _evidence.Add(fork);
        }

        if (_tree is not null && _tree.Size == first) foreach (var leaf in view.Leaves) _tree.AppendLeafHash(leaf);
        await _evidence.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        foreach (var member in group)
        {
            if (member.Failure is { } failure)
            {
                member.Fail(failure);
                continue;
            }

            var response = member.Response!;
            if (shift != 0)
            {
                response = response with
                {
                    Results = response.Results.Select(r => r is { Position: { } p, Op: { } op } && view.IsPending(op, p) ? r with { Position = p + shift } : r).ToArray(),
                    RelaySize = response.RelaySize + shift,
                };
            }

            try
            {
                AfterPersist?.Invoke(member.Accepted.Select(o => o with { Position = o.Position + shift }).ToArray());
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                member.Fail(e);
                continue;
            }

            member.Reply(response);
        }
    }

    // The authors whose cached chain cannot take their first op in the group (not cached, or behind it: another instance
    // stored the ops between) are read from the store for the whole group in one round trip, and their cached chains
    // rebuilt from that reading — instead of two round trips for each under the gate. A reading that fails leaves them
    // to be read one by one, where the failure meets the member it belongs to.
    private async Task PrefetchChainsAsync(List<GroupMember> group, GroupStoreView view)
    {
        var lowest = new Dictionary<AuthorId, ulong>();
        foreach (var op in group.Where(m => m.Prepared is not null).SelectMany(m => m.Prepared!.Decoded))
        {
            if (op is null || op.Ledger != Ledger) continue;
            lowest[op.Op.Author] = lowest.TryGetValue(op.Op.Author, out var seq) ? Math.Min(seq, op.Op.Seq) : op.Op.Seq;
        }

        var stale = lowest.Where(p => !_verifiers.TryGetValue(p.Key, out var cached) || p.Value > cached.Seq + 1).Select(p => p.Key).ToArray();
        try
        {
            await view.PrefetchAsync(stale, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Whatever the store threw (typed or not): the reads one by one meet it again, each in its own member.
            return;
        }

        foreach (var author in stale) _verifiers.Remove(author);
    }

    // The group was not stored: the cached chains of its authors may be ahead of the store.
    private void Forget(List<GroupMember> group)
    {
        foreach (var member in group)
        {
            foreach (var author in member.Authors) _verifiers.Remove(author);
        }
    }
}
