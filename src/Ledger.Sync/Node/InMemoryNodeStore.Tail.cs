using System.Runtime.CompilerServices;
using Ledger.Kernel;

namespace Ledger.Sync;

// Records are numbered by their index in the list plus one (the list only grows).
public sealed partial class InMemoryNodeStore : INodeTailStore
{
    /// <inheritdoc />
    public long LastRecord
    {
        get
        {
            lock (_gate) return _ops.Count;
        }
    }

    /// <inheritdoc />
    public IAsyncEnumerable<NodeOpRecord> ReadAfterAsync(long after, CancellationToken cancellationToken = default)
    {
        if (after < 0) throw Error.OutOfRange(nameof(after), "record numbers are not negative.");
        return ReadAfterCoreAsync(after, cancellationToken);
    }

    private async IAsyncEnumerable<NodeOpRecord> ReadAfterCoreAsync(long after, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        for (var from = after; ; from += PageSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            NodeOpRecord[] page;
            lock (_gate) page = from >= _ops.Count ? [] : _ops.GetRange((int)from, (int)Math.Min(PageSize, _ops.Count - from)).ToArray();
            if (page.Length == 0) yield break;
            foreach (var record in page) yield return record;
            await Task.CompletedTask.ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<NodeOpRecord> ReadOwnAfterAsync(AuthorId author, ulong afterSeq, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        for (var seq = afterSeq + 1; ; seq++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            NodeOpRecord? record;
            lock (_gate) record = _index.TryGetValue(new OpRef(author, seq), out var i) && _ops[i].Own ? _ops[i] : null;
            if (record is null) yield break;
            yield return record;
            await Task.CompletedTask.ConfigureAwait(false);
        }
    }
}
