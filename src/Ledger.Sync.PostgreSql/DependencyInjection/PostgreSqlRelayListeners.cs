using Ledger.Sync;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>The listeners <c>UsePostgreSql</c> starts beside the stores it builds, owned by the container: it creates
/// this holder after the store, so it disposes the listeners before the store.</summary>
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
