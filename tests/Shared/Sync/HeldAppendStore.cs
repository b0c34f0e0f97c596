using Ledger.Sync;

namespace Ledger.Tests;

/// <summary>The in-memory store with a write that can be held open (a slow disk or database under the relay's gate):
/// <see cref="Hold"/>, then the next append signals <see cref="Holding"/> and waits for <see cref="Release"/>.</summary>
internal sealed class HeldAppendStore : ForwardingRelayStore
{
    private readonly TaskCompletionSource _holding = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource? _release;

    public Task Holding => _holding.Task;

    public void Hold() => _release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Release() => _release?.TrySetResult();

    public override async Task AppendAsync(IReadOnlyList<StoredOp> ops, CancellationToken cancellationToken = default)
    {
        if (_release is { } release)
        {
            _holding.TrySetResult();
            await release.Task.WaitAsync(cancellationToken);
        }

        await Inner.AppendAsync(ops, cancellationToken);
    }
}
