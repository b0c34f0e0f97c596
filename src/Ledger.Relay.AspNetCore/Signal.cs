namespace Ledger.Sync.AspNetCore;

/// <summary>A pulse many waiters can await: each <see cref="Pulse"/> completes the current task and starts a new one.</summary>
internal sealed class Signal
{
    private TaskCompletionSource _current = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Next => Volatile.Read(ref _current).Task;

    public void Pulse() => Interlocked.Exchange(ref _current, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
}
