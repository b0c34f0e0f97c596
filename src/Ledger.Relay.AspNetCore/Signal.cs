namespace Ledger.Sync.AspNetCore;

/// <summary>A pulse many waiters can await: each <see cref="Pulse"/> completes the current task and starts a new one.
/// While anyone waits (<see cref="Watch"/>), one timer rechecks the ledger's size every <see cref="Recheck"/> and pulses
/// when it moved by other means than a push through this server (an op stored by another instance over the same
/// database, which the store learns from PostgreSQL's notification, or through the relay object directly).</summary>
/// <remarks>Each waiter used to wait with a 250 ms timeout of its own and recheck the size itself: with 10,000 tills on
/// the long poll that was 40,000 timer wake-ups a second on an idle ledger (fleet tool, docs/performance.md). One timer
/// a ledger does the same check for all of them. Lock order: <c>_lock</c>, then whatever the size function takes (the
/// store's count: only the first waiter after a quiet spell reads it under the lock); no timer callback takes another,
/// and no waiter's continuation runs under it (the pulse completes its task after the lock is released).</remarks>
internal sealed class Signal(Func<long> size)
{
    public static readonly TimeSpan Recheck = TimeSpan.FromMilliseconds(250);

    private readonly Lock _lock = new();
    private TaskCompletionSource _current = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Timer? _timer;
    private int _watchers;
    private long _size = -1;
    // Readings of the size are numbered (_tickets) as they are taken; _published is the number of the one announced.
    private long _tickets;
    private long _published;

    private TimeSpan _interval;
    private long _lastPulse = long.MinValue / 2;
    private Timer? _deferred;

    public Task Next => Volatile.Read(ref _current).Task;

    /// <summary>The ledger's size at the last wake-up (or when the first waiter came): what the waiters have been told of.
    /// A long poll that holds it waits for the next wake-up even when the store has grown since, so each device is
    /// answered at most once a wake-up — else a device coming back for more finds the size moved and is answered at
    /// once, again and again, whatever the interval (measured: 10,000 tills re-polling at ~3.7 a second each).</summary>
    public long Noticed => Volatile.Read(ref _size);

    /// <summary>The shortest time between two pulses (LedgerRelayOptions.ChangeNoticeInterval); zero: every pulse at once.</summary>
    public TimeSpan Interval
    {
        get => _interval;
        set => _interval = value;
    }

    /// <summary>Wakes the waiters now, or — within <see cref="Interval"/> of the last wake-up — once when it has passed
    /// (every pulse asked meanwhile is folded into that one).</summary>
    public void Pulse()
    {
        if (_interval <= TimeSpan.Zero)
        {
            PulseNow();
            return;
        }

        lock (_lock)
        {
            if (_deferred is not null) return;
            var wait = _lastPulse + (long)_interval.TotalMilliseconds - Environment.TickCount64;
            if (wait > 0)
            {
                _deferred = new Timer(static state => ((Signal)state!).PulseDeferred(), this, TimeSpan.FromMilliseconds(wait), Timeout.InfiniteTimeSpan);
                return;
            }

            _lastPulse = Environment.TickCount64;
        }

        PulseNow();
    }

    private void PulseDeferred()
    {
        lock (_lock)
        {
            _deferred?.Dispose();
            _deferred = null;
            _lastPulse = Environment.TickCount64;
        }

        PulseNow();
    }

    private void PulseNow()
    {
        // Two pulses at once (two pushes answered together) each read the size and publish it; when the earlier reading
        // landed last the announced size went back below the later push, and a poll holding it slept through that push
        // until the recheck (found by the change-notice review). A reading is published only if none taken after it was:
        // a growth after a dropped reading has its own later pulse (its push's, the deferred one, or the recheck's). The
        // size is read outside the lock: a store's count may wait for its write in progress, and arriving and leaving
        // waiters take this lock.
        var ticket = Interlocked.Increment(ref _tickets);
        long? reading;
        try
        {
            reading = size();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A store that cannot say its size now (closed, unreachable): the waiters are woken anyway and look
            // themselves (their answer is the store's typed error). Thrown from here it failed the push that had
            // stored its ops, and from the deferred pulse's timer callback it would end the process.
            reading = null;
        }

        TaskCompletionSource woken;
        lock (_lock)
        {
            if (reading is { } read) Publish(ticket, read);
            woken = Interlocked.Exchange(ref _current, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        }

        woken.TrySetResult();
    }

    // Under the lock: the reading taken with the ticket becomes the announced size unless a later one was published.
    private void Publish(long ticket, long reading)
    {
        if (ticket < _published) return;
        _published = ticket;
        Volatile.Write(ref _size, reading);
    }

    /// <summary>The waiters counted now (tests: every long poll and event stream that ended is uncounted).</summary>
    internal int Watchers
    {
        get
        {
            lock (_lock) return _watchers;
        }
    }

    /// <summary>True while the recheck timer runs (tests: it stops with the last waiter).</summary>
    internal bool Rechecking
    {
        get
        {
            lock (_lock) return _timer is not null;
        }
    }

    /// <summary>Counts a waiter until disposed; the recheck timer runs while the count is above zero.</summary>
    /// <param name="holding">The size a long poll holds (null: an event stream).</param>
    public IDisposable Watch(long? holding = null)
    {
        lock (_lock)
        {
            if (_watchers++ == 0)
            {
                // Nobody waited, so no recheck ran: the first waiter takes the store's size as announced — but only when a
                // pulse now would be allowed, and when that answers this waiter at once it counts as one. Taken
                // regardless, a device that pulls between its polls (nobody waiting meanwhile) was answered at once after
                // every push, whatever the interval (found by the change-notice review). Otherwise the recheck this
                // starts, or the pulse pending, announces it.
                var now = Environment.TickCount64;
                if (Volatile.Read(ref _size) < 0 || (_deferred is null && now - _lastPulse >= (long)_interval.TotalMilliseconds))
                {
                    var ticket = Interlocked.Increment(ref _tickets);
                    long current;
                    try
                    {
                        current = size();
                    }
                    catch (Exception e) when (e is not OutOfMemoryException)
                    {
                        // A store that cannot say its size now: the recheck tries again. Thrown from here, the waiter was
                        // counted but never uncounted, and the recheck never ran again for anyone.
                        current = Volatile.Read(ref _size);
                    }

                    if (current != Volatile.Read(ref _size))
                    {
                        Publish(ticket, current);
                        // A waiter that holds the size already is not answered by this: the next change is announced at
                        // once (the first change after a quiet spell, or after the server started).
                        if (_interval > TimeSpan.Zero && holding < current) _lastPulse = now;
                    }
                }

                _timer = new Timer(static state => ((Signal)state!).Tick(), this, Recheck, Recheck);
            }
        }

        return new Watcher(this);
    }

    private void Unwatch()
    {
        lock (_lock)
        {
            if (--_watchers == 0)
            {
                _timer?.Dispose();
                _timer = null;
            }
        }
    }

    private void Tick()
    {
        try
        {
            if (size() != Volatile.Read(ref _size)) Pulse();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A store that cannot say its size now (closed, unreachable): the waiters' own deadlines still end them.
        }
    }

    private sealed class Watcher(Signal signal) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0) signal.Unwatch();
        }
    }
}
