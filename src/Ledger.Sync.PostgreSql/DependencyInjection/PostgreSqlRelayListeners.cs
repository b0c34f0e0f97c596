using Ledger.Sync;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>The listeners <c>UsePostgreSql</c> starts beside the stores it builds, owned (and disposed) by the container.
/// The container may dispose a store before its listener; the listener then stops polling it.</summary>
internal sealed class PostgreSqlRelayListeners : IAsyncDisposable, IDisposable
{
    private readonly List<PostgreSqlRelayListener> _listeners = [];
    private readonly Lock _gate = new();

    public void Add(PostgreSqlRelayListener listener)
    {
        lock (_gate) _listeners.Add(listener);
    }

    public async ValueTask DisposeAsync()
    {
        PostgreSqlRelayListener[] all;
        lock (_gate)
        {
            all = [.. _listeners];
            _listeners.Clear();
        }

        foreach (var listener in all) await listener.DisposeAsync().ConfigureAwait(false);
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();
}
