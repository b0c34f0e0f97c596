namespace Ledger.Sync.AspNetCore;

/// <summary>A pulse many waiters can await: each <see cref="Pulse"/> completes the current task and starts a new one.
/// While anyone waits (<see cref="Watch"/>), one timer rechecks the ledger's size every <see cref="Recheck"/> and pulses
/// when it moved by other means than a push through this server (an op stored by another instance over the same
/// database, which the store learns from PostgreSQL's notification, or through the relay object directly).</summary>
/// <remarks>Each waiter used to wait with a 250 ms timeout of its own and recheck the size itself: with 10,000 tills on
/// the long poll that was 40,000 timer wake-ups a second on an idle ledger (fleet tool, docs/performance.md). One timer
/// a ledger does the same check for all of them. Lock order: <c>_lock</c> only; the timer's callback takes no other.</remarks>
internal sealed class Signal(Func<long> size)
{
    public static readonly TimeSpan Recheck = TimeSpan.FromMilliseconds(250);

    private readonly Lock _lock = new();
    private TaskCompletionSource _current = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Timer? _timer;
    private int _watchers;
    private long _size = -1;

    public Task Next => Volatile.Read(ref _current).Task;

    public void Pulse()
    {
        Volatile.Write(ref _size, size());
        Interlocked.Exchange(ref _current, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    /// <summary>Counts a waiter until disposed; the recheck timer runs while the count is above zero.</summary>
    public IDisposable Watch()
    {
        lock (_lock)
        {
            if (_watchers++ == 0)
            {
                Volatile.Write(ref _size, size());
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
