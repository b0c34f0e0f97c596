namespace Ledger.Sync;

public sealed partial class InMemoryNodeStore
{
    private byte[]? _bootstrapBase;

    /// <inheritdoc />
    public Task SaveBootstrapBaseAsync(ReadOnlyMemory<byte> bootstrapBase, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (capBytes is { } cap && _bytes + bootstrapBase.Length > cap) throw Error.StorageFull("the node store", _bytes, cap, bootstrapBase.Length);
            _bootstrapBase = bootstrapBase.ToArray();
            _bytes += bootstrapBase.Length;
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<byte[]?> LoadBootstrapBaseAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate) return Task.FromResult(_bootstrapBase);
    }
}
