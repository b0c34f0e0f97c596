namespace Ledger.Sync;

public sealed partial class InMemoryRelayStore
{
    private readonly SortedDictionary<string, (long Prefix, byte[] Envelope)> _bootstrap = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public Task SaveBootstrapCheckpointAsync(string author, long prefix, ReadOnlyMemory<byte> envelope, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(author);
        lock (_gate)
        {
            // The latest per author: an older prefix posted late does not replace a newer one.
            _bootstrap.TryGetValue(author, out var held);
            if (held.Envelope is not null && held.Prefix > prefix) return Task.CompletedTask;
            var wanted = (long)envelope.Length - (held.Envelope?.Length ?? 0);
            if (capBytes is { } cap && wanted > 0 && _bytes + wanted > cap) throw Error.StorageFull("the relay store", _bytes, cap, wanted);
            _bootstrap[author] = (prefix, envelope.ToArray());
            _bytes += wanted;
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<byte[]>> ReadBootstrapCheckpointsAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate) return Task.FromResult<IReadOnlyList<byte[]>>(_bootstrap.Values.Select(v => v.Envelope).ToArray());
    }
}
