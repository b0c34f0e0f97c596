namespace Ledger.Sync;

/// <summary>Group commit for a relay: the pushes that arrive while the relay's gate is held wait
/// here, and whoever takes the gate next ingests all of them in one store transaction (one insert, one extension of
/// the tree, one commit and its WAL flush; over PostgreSQL also one lock of the ledger's counter row) instead of one
/// transaction each, one after the other. Each push is still answered as if it had been ingested alone, in arrival order.</summary>
/// <remarks>Measured (docs/performance.md, "The PostgreSQL topology"): two relay instances over one database spent
/// their pushes' time waiting on the counter row's lock and on WAL flushes, a commit per push; one SQLite relay
/// process's pushes queued behind one commit each.</remarks>
internal sealed class PushGroupQueue
{
    private readonly Lock _lock = new();
    private readonly List<GroupMember> _waiting = [];

    /// <summary>Pushes waiting (tests wait for a group to form).</summary>
    public int Waiting
    {
        get
        {
            lock (_lock) return _waiting.Count;
        }
    }

    /// <summary>Groups of more than one push ingested in one transaction (tests).</summary>
    public long Groups => Interlocked.Read(ref _groups);

    private long _groups;

    // Set when the relay is disposed: what it makes fails the pushes that wait, and every push after.
    private Func<Exception>? _closed;

    /// <summary>Queues <paramref name="member"/>, or fails it at once when the queue is closed.</summary>
    public void Enqueue(GroupMember member)
    {
        lock (_lock)
        {
            if (_closed is { } closed) member.Fail(closed());
            else _waiting.Add(member);
        }
    }

    /// <summary>Fails every waiting member with an error of <paramref name="error"/> (one each) and every member queued
    /// later; a member a group took already is answered by that group.</summary>
    public void Close(Func<Exception> error)
    {
        lock (_lock)
        {
            _closed ??= error;
            // The answers' continuations run on the thread pool (GroupMember), never under this lock.
            foreach (var member in _waiting) member.Fail(error());
            _waiting.Clear();
        }
    }

    /// <summary>Takes a member back that no group took yet (its pusher went away); false when a group has it.</summary>
    public bool Withdraw(GroupMember member)
    {
        lock (_lock) return _waiting.Remove(member);
    }

    /// <summary>The oldest waiting members, in arrival order, up to <paramref name="maxOps"/> ops between them (the
    /// first is taken whatever its size: a batch over the relay's limit is refused without touching the store).</summary>
    public List<GroupMember> Take(int maxOps)
    {
        lock (_lock)
        {
            var taken = 0;
            var ops = 0;
            while (taken < _waiting.Count && (taken == 0 || ops + _waiting[taken].Batch.Count <= maxOps))
            {
                ops += _waiting[taken].Batch.Count;
                taken++;
            }

            var group = _waiting.GetRange(0, taken);
            _waiting.RemoveRange(0, taken);
            return group;
        }
    }

    public void Counted() => Interlocked.Increment(ref _groups);
}
