using Ledger.Kernel;
using Ledger.Sync;

namespace Ledger.Sync.Tests.Simulation;

/// <summary>A node's store as the fault simulator sees it: the data (an in-memory store that outlives the node, as a
/// file outlives a process) behind a handle that a crash fences off (every later call fails, as calls of a killed
/// process never happen), that can be full, and whose next commit can be torn by a crash: lost whole, or made but
/// never reported back.</summary>
internal sealed class SimulatedNodeStore(InMemoryNodeStore data) : INodeStore
{
    private bool _fenced;

    public InMemoryNodeStore Data => data;

    /// <summary>Appends fail with <see cref="StorageFullException"/>, nothing written.</summary>
    public bool Full { get; set; }

    /// <summary>The next commit is torn by a crash: null none; false lost before it is made; true made, then the
    /// process dies before it hears so.</summary>
    public bool? CrashInNextAppend { get; set; }

    /// <summary>True once a torn commit crashed this handle: the simulator restarts the node.</summary>
    public bool Crashed => _fenced;

    /// <summary>The process holding this handle died.</summary>
    public void Fence() => _fenced = true;

    private void Alive()
    {
        if (_fenced) throw new IOException("the process was killed (simulated): this store handle is gone.");
    }

    public long Cursor => data.Cursor;

    public long SizeBytes => data.SizeBytes;

    public long? CapBytes => data.CapBytes;

    public string? RelayOrigin => data.RelayOrigin;

    public Task<bool> IsEmptyAsync(CancellationToken cancellationToken = default)
    {
        Alive();
        return data.IsEmptyAsync(cancellationToken);
    }

    public async IAsyncEnumerable<NodeOpRecord> ReadAllAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Alive();
        await foreach (var record in data.ReadAllAsync(cancellationToken).ConfigureAwait(false)) yield return record;
    }

    public Task<IReadOnlyList<ReadOnlyMemory<byte>>> LoadAsync(IReadOnlyList<OpRef> ops, CancellationToken cancellationToken = default)
    {
        Alive();
        return data.LoadAsync(ops, cancellationToken);
    }

    public async Task AppendAsync(IReadOnlyList<NodeOpRecord> ops, long? cursor = null, CancellationToken cancellationToken = default)
    {
        Alive();
        if (Full) throw new StorageFullException("the simulated node store", data.SizeBytes, data.SizeBytes, ops.Sum(o => (long)o.Bytes.Length));
        if (CrashInNextAppend is { } made)
        {
            CrashInNextAppend = null;
            if (made) await data.AppendAsync(ops, cursor, cancellationToken).ConfigureAwait(false);
            Fence();
            Alive();
        }

        await data.AppendAsync(ops, cursor, cancellationToken).ConfigureAwait(false);
    }

    public Task SetPositionsAsync(IReadOnlyList<(OpRef Op, long Position)> positions, CancellationToken cancellationToken = default)
    {
        Alive();
        return data.SetPositionsAsync(positions, cancellationToken);
    }

    public Task MarkRefusedAsync(OpRef op, string reason, CancellationToken cancellationToken = default)
    {
        Alive();
        return data.MarkRefusedAsync(op, reason, cancellationToken);
    }

    public Task SaveWitnessAsync(string origin, ReadOnlyMemory<byte> note, CancellationToken cancellationToken = default)
    {
        Alive();
        return data.SaveWitnessAsync(origin, note, cancellationToken);
    }

    public Task<IReadOnlyDictionary<string, byte[]>> LoadWitnessesAsync(CancellationToken cancellationToken = default)
    {
        Alive();
        return data.LoadWitnessesAsync(cancellationToken);
    }

    public Task AddEvidenceAsync(string kind, string accused, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken = default)
    {
        Alive();
        return data.AddEvidenceAsync(kind, accused, bytes, cancellationToken);
    }

    public Task<IReadOnlyList<(string Kind, string Accused, byte[] Bytes)>> ReadEvidenceAsync(CancellationToken cancellationToken = default)
    {
        Alive();
        return data.ReadEvidenceAsync(cancellationToken);
    }

    public Task SetRelayOriginAsync(string origin, CancellationToken cancellationToken = default)
    {
        Alive();
        return data.SetRelayOriginAsync(origin, cancellationToken);
    }

    /// <summary>The data outlives the handle.</summary>
    public void Dispose()
    {
    }
}
