using Ledger.Signing;

namespace Ledger.Sync;

/// <summary>Evidence on its way into a store. Evidence is never dropped: when the store is full it waits here
/// (still listed) and every later flush tries again, oldest first.</summary>
internal sealed class EvidenceOutbox(IEvidenceStore store)
{
    private readonly List<Evidence> _pending = [];
    private readonly Lock _gate = new();

    /// <summary>Queues evidence; <see cref="Flush"/> writes it.</summary>
    public void Add(Evidence evidence)
    {
        lock (_gate) _pending.Add(evidence);
    }

    /// <summary>Writes what waits, oldest first, until the store is full.</summary>
    public void Flush()
    {
        lock (_gate)
        {
            while (_pending.Count > 0)
            {
                var evidence = _pending[0];
                try
                {
                    store.AddEvidence(evidence.Kind, evidence.Accused, evidence.Encode());
                }
                catch (StorageFullException)
                {
                    return;
                }

                _pending.RemoveAt(0);
            }
        }
    }

    /// <summary>Everything kept: the store's evidence, then what still waits for room.</summary>
    public IReadOnlyList<Evidence> All()
    {
        lock (_gate)
        {
            Flush();
            return store.Evidence().Select(e => EvidenceCodec.Decode(e.Bytes)).Concat(_pending).ToArray();
        }
    }
}
