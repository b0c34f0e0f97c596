using Ledger.Kernel;

namespace Ledger.Sync;

/// <summary>A node store in memory (tests, the demo).</summary>
public sealed class InMemoryNodeStore(long? capBytes = null) : INodeStore
{
    private const int RowOverhead = 48;
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
    public IReadOnlyList<NodeOpRecord> LoadAll()
    {
        lock (_gate) return _ops.ToArray();
    }

    /// <inheritdoc />
    public IReadOnlyList<ReadOnlyMemory<byte>> Load(IReadOnlyList<OpRef> ops)
    {
        ArgumentNullException.ThrowIfNull(ops);
        lock (_gate)
        {
            return ops.Select(op => _index.TryGetValue(op, out var i) ? _ops[i].Bytes : throw new KeyNotFoundException($"{op} is not held.")).ToArray();
        }
    }

    /// <inheritdoc />
    public void Append(IReadOnlyList<NodeOpRecord> ops, long? cursor = null)
    {
        ArgumentNullException.ThrowIfNull(ops);
        lock (_gate)
        {
            var wanted = ops.Sum(o => (long)o.Bytes.Length + RowOverhead);
            if (capBytes is { } cap && _bytes + wanted > cap) throw new StorageFullException("the node store", _bytes, cap, wanted);
            var seen = new HashSet<OpRef>();
            foreach (var op in ops)
            {
                if (_index.ContainsKey(op.Op) || !seen.Add(op.Op)) throw new InvalidOperationException($"{op.Op} is already stored.");
            }

            foreach (var op in ops)
            {
                _index[op.Op] = _ops.Count;
                _ops.Add(op);
            }

            _bytes += wanted;
            if (cursor is { } c) _cursor = c;
        }
    }

    /// <inheritdoc />
    public void SetPositions(IReadOnlyList<(OpRef Op, long Position)> positions)
    {
        ArgumentNullException.ThrowIfNull(positions);
        lock (_gate)
        {
            foreach (var (op, _) in positions)
            {
                if (!_index.ContainsKey(op)) throw new InvalidOperationException($"{op} is not stored.");
            }

            foreach (var (op, position) in positions) _ops[_index[op]] = _ops[_index[op]] with { Position = position };
        }
    }

    /// <inheritdoc />
    public void MarkRefused(OpRef op, string reason)
    {
        lock (_gate)
        {
            if (_index.TryGetValue(op, out var i)) _ops[i] = _ops[i] with { RefusedBy = reason };
        }
    }

    /// <inheritdoc />
    public void SaveWitness(string origin, ReadOnlyMemory<byte> note)
    {
        lock (_gate) _witnesses[origin] = note.ToArray();
    }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, byte[]> LoadWitnesses()
    {
        lock (_gate) return new Dictionary<string, byte[]>(_witnesses, StringComparer.Ordinal);
    }

    /// <inheritdoc />
    public void AddEvidence(string kind, string accused, ReadOnlyMemory<byte> bytes)
    {
        lock (_gate)
        {
            var wanted = (long)bytes.Length + RowOverhead;
            if (capBytes is { } cap && _bytes + wanted > cap) throw new StorageFullException("the node store", _bytes, cap, wanted);
            _evidence.Add((kind, accused, bytes.ToArray()));
            _bytes += wanted;
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<(string Kind, string Accused, byte[] Bytes)> Evidence()
    {
        lock (_gate) return _evidence.ToArray();
    }

    /// <inheritdoc />
    public void Dispose()
    {
    }

    /// <inheritdoc />
    public string? RelayOrigin
    {
        get
        {
            lock (_gate) return _relayOrigin;
        }
    }

    /// <inheritdoc />
    public void SetRelayOrigin(string origin)
    {
        ArgumentException.ThrowIfNullOrEmpty(origin);
        lock (_gate) _relayOrigin = origin;
    }
}
