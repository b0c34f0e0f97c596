using Ledger.Kernel;
using Microsoft.Data.Sqlite;

namespace Ledger.Sync;

// Records are numbered by their row id: INTEGER PRIMARY KEY without AUTOINCREMENT takes max + 1, and a node store never
// deletes an op, so the ids follow the stored order (ReadAllAsync pages by them too). No schema change was needed.
public sealed partial class SqliteNodeStore : INodeTailStore
{
    private long _lastRecord = -1;

    /// <inheritdoc />
    public long LastRecord
    {
        get
        {
            lock (_gate)
            {
                try
                {
                    if (_lastRecord < 0) _lastRecord = SqliteFiles.Scalar(_db, "SELECT COALESCE(MAX(id), 0) FROM ops;");
                }
                catch (SqliteException e) when (SqliteFiles.IsDamage(e))
                {
                    throw Damaged("table 'ops', its last row", e);
                }

                return _lastRecord;
            }
        }
    }

    /// <summary>After a commit of <paramref name="count"/> ops (under the gate).</summary>
    private void Stored(int count)
    {
        if (_lastRecord >= 0) _lastRecord += count;
    }

    /// <inheritdoc />
    public IAsyncEnumerable<NodeOpRecord> ReadAfterAsync(long after, CancellationToken cancellationToken = default)
    {
        if (after < 0) throw Error.OutOfRange(nameof(after), "record numbers are not negative.");
        return ReadPagesAsync("id > $k", null, after, cancellationToken);
    }

    /// <inheritdoc />
    public IAsyncEnumerable<NodeOpRecord> ReadOwnAfterAsync(AuthorId author, ulong afterSeq, CancellationToken cancellationToken = default) =>
        ReadPagesAsync("author = $a AND own = 1 AND seq > $k", author.Value, (long)afterSeq, cancellationToken, bySeq: true);

    private async IAsyncEnumerable<NodeOpRecord> ReadPagesAsync(string where, string? author, long after,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken, bool bySeq = false)
    {
        for (var key = after; ;)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var page = new List<NodeOpRecord>(PageSize);
            lock (_gate)
            {
                try
                {
                    using var c = _db.CreateCommand();
                    c.CommandText = $"SELECT id, author, seq, own, position, refused, bytes FROM ops WHERE {where} ORDER BY {(bySeq ? "seq" : "id")} LIMIT $max;";
                    c.Parameters.AddWithValue("$k", key);
                    if (author is not null) c.Parameters.AddWithValue("$a", author);
                    c.Parameters.AddWithValue("$max", PageSize);
                    using var r = c.ExecuteReader();
                    while (r.Read())
                    {
                        var id = r.GetInt64(0); // the row id: SQLite guarantees an integer
                        var row = new SqliteRow(r, $"the node store {_path}", "ops", id);
                        var seq = row.Integer(2, "seq", 1);
                        key = bySeq ? seq : id;
                        page.Add(new NodeOpRecord(new OpRef(row.Author(1, "author"), (ulong)seq), row.Blob(6, "bytes"), row.Flag(3, "own"),
                            row.NullableInteger(4, "position", 0), row.NullableText(5, "refused")));
                    }
                }
                catch (SqliteException e) when (SqliteFiles.IsDamage(e))
                {
                    throw Damaged($"table 'ops' after {(bySeq ? "seq" : "row")} {key}", e);
                }
            }

            foreach (var record in page) yield return record;
            if (page.Count < PageSize) yield break;
            await Task.Yield();
        }
    }
}
