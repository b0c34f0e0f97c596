using System.Runtime.CompilerServices;
using Ledger.Kernel;

namespace Ledger.Sync;

/// <summary>A node store in memory (tests, the demo). Every call completes synchronously.</summary>
public sealed partial class InMemoryNodeStore(long? capBytes = null) : INodeStore, INodeBootstrapStore
{
    private const int RowOverhead = 48;
    private const int PageSize = 4096;
    private readonly List<NodeOpRecord> _ops = [];
    private readonly Dictionary<OpRef, int> _index = new();
    private readonly Lock _gate = new();
    private readonly Dictionary<string, byte[]> _witnesses = new(StringComparer.Ordinal);
    private readonly List<(string, string, byte[])> _evidence = [];
    private long _bytes;
    private long _cursor;
    private string? _relayOrigin;

    /// <inheritdoc />
    public long Cursor
    {
        get
        {
            lock (_gate) return _cursor;
        }
    }

    /// <inheritdoc />
    public long SizeBytes
    {
        get
        {
            lock (_gate) return _bytes;
        }
    }

    /// <inheritdoc />
    public long? CapBytes => capBytes;

    /// <inheritdoc />
    public string? RelayOrigin
    {
        get
        {
            lock (_gate) return _relayOrigin;
        }
    }

    /// <inheritdoc />
    public Task<bool> IsEmptyAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate) return Task.FromResult(_ops.Count == 0);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<NodeOpRecord> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        for (var from = 0; ; from += PageSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            NodeOpRecord[] page;
            lock (_gate) page = from >= _ops.Count ? [] : _ops.GetRange(from, Math.Min(PageSize, _ops.Count - from)).ToArray();
            if (page.Length == 0) yield break;
            foreach (var record in page) yield return record;
            await Task.CompletedTask.ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<ReadOnlyMemory<byte>>> LoadAsync(IReadOnlyList<OpRef> ops, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ops);
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<ReadOnlyMemory<byte>>>(
                ops.Select(op => _index.TryGetValue(op, out var i) ? _ops[i].Bytes : throw Error.KeyNotFound($"{op} is not held.")).ToArray());
        }
    }

    /// <inheritdoc />
    public Task AppendAsync(IReadOnlyList<NodeOpRecord> ops, long? cursor = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ops);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var wanted = ops.Sum(o => (long)o.Bytes.Length + RowOverhead);
            if (capBytes is { } cap && _bytes + wanted > cap) throw Error.StorageFull("the node store", _bytes, cap, wanted);
            var seen = new HashSet<OpRef>();
            foreach (var op in ops)
            {
                if (_index.ContainsKey(op.Op) || !seen.Add(op.Op)) throw Error.InvalidOperation($"{op.Op} is already stored.");
            }

            foreach (var op in ops)
            {
                _index[op.Op] = _ops.Count;
                _ops.Add(op);
            }

            _bytes += wanted;
            if (cursor is { } c) _cursor = c;
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task SetPositionsAsync(IReadOnlyList<(OpRef Op, long Position)> positions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(positions);
        lock (_gate)
        {
            foreach (var (op, _) in positions)
            {
                if (!_index.ContainsKey(op)) throw Error.InvalidOperation($"{op} is not stored.");
            }

            foreach (var (op, position) in positions) _ops[_index[op]] = _ops[_index[op]] with { Position = position };
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task MarkRefusedAsync(OpRef op, string reason, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (_index.TryGetValue(op, out var i)) _ops[i] = _ops[i] with { RefusedBy = reason };
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task SaveWitnessAsync(string origin, ReadOnlyMemory<byte> note, CancellationToken cancellationToken = default)
    {
        lock (_gate) _witnesses[origin] = note.ToArray();
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<IReadOnlyDictionary<string, byte[]>> LoadWitnessesAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate) return Task.FromResult<IReadOnlyDictionary<string, byte[]>>(new Dictionary<string, byte[]>(_witnesses, StringComparer.Ordinal));
    }

    /// <inheritdoc />
    public Task SetRelayOriginAsync(string origin, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(origin);
        lock (_gate) _relayOrigin = origin;
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task AddEvidenceAsync(string kind, string accused, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            var wanted = (long)bytes.Length + RowOverhead;
            if (capBytes is { } cap && _bytes + wanted > cap) throw Error.StorageFull("the node store", _bytes, cap, wanted);
            _evidence.Add((kind, accused, bytes.ToArray()));
            _bytes += wanted;
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<(string Kind, string Accused, byte[] Bytes)>> ReadEvidenceAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate) return Task.FromResult<IReadOnlyList<(string, string, byte[])>>(_evidence.ToArray());
    }

    /// <inheritdoc />
    public void Dispose()
    {
    }
}
