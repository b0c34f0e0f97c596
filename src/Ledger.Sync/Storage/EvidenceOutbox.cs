using Ledger.Signing;

namespace Ledger.Sync;

/// <summary>Evidence on its way into a store. Evidence is never dropped: when the store is full it waits here
/// (still listed) and every later flush tries again, oldest first.</summary>
/// <remarks>The pending list has its own small lock, never held across the store call; the flush gate (async) keeps
/// two flushes from writing the same evidence twice.</remarks>
internal sealed class EvidenceOutbox(IEvidenceStore store)
{
    private readonly List<Evidence> _pending = [];
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _flushing = new(1, 1);

    /// <summary>Queues evidence; <see cref="FlushAsync"/> writes it.</summary>
    public void Add(Evidence evidence)
    {
        lock (_gate) _pending.Add(evidence);
    }

    /// <summary>Writes what waits, oldest first, until the store is full.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        await _flushing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            while (true)
            {
                Evidence evidence;
                lock (_gate)
                {
                    if (_pending.Count == 0) return;
                    evidence = _pending[0];
                }

                try
                {
                    await store.AddEvidenceAsync(evidence.Kind, evidence.Accused, evidence.Encode(), cancellationToken).ConfigureAwait(false);
                }
                catch (StorageFullException)
                {
                    return;
                }

                lock (_gate) _pending.RemoveAt(0);
            }
        }
        finally
        {
            _flushing.Release();
        }
    }

    /// <summary>Everything kept: the store's evidence, then what still waits for room.</summary>
    public async Task<IReadOnlyList<Evidence>> AllAsync(CancellationToken cancellationToken = default)
    {
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        var stored = await store.ReadEvidenceAsync(cancellationToken).ConfigureAwait(false);
        lock (_gate) return stored.Select(e => EvidenceCodec.Decode(e.Bytes)).Concat(_pending).ToArray();
    }
}
