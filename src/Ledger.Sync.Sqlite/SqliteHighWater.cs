using System.Buffers.Binary;
using Ledger.Kernel;
using Microsoft.Win32.SafeHandles;

namespace Ledger.Sync;

/// <summary>A store's durable high-water mark, kept beside its SQLite file (<c>&lt;file&gt;-ledger-hwm</c>) so that it
/// survives what rolls the database back: a lost or damaged <c>-wal</c> (SQLite silently ignores WAL frames it cannot
/// verify, and a file copied without its <c>-wal</c> is simply older), or a file restored from an older copy. The
/// mark is a count and the chain hash at it (for a node store, its own tip seq; for a relay store, its log size).</summary>
/// <remarks>Written after each commit that raises it, in place, with one positioned write of 56 bytes and no fsync:
/// the database's own commit was already made durable (synchronous=FULL), so the mark can lag the data after a power
/// loss (a missed detection) but never lead it (no false alarm). A checksum makes a torn or changed mark a typed
/// error, not a wrong answer. Not thread-safe: the store's lock guards it.</remarks>
internal sealed class SqliteHighWater : IDisposable
{
    private const int Length = 56;
    private static ReadOnlySpan<byte> Magic => "LHWM"u8;
    private readonly SafeFileHandle _file;
    private readonly byte[] _buffer = new byte[Length];

    private SqliteHighWater(string path, SafeFileHandle file, (long Count, Hash32 Hash)? mark)
    {
        Path = path;
        _file = file;
        Mark = mark;
    }

    /// <summary>The side file.</summary>
    public string Path { get; }

    /// <summary>The highest mark written, or null if none was ever written.</summary>
    public (long Count, Hash32 Hash)? Mark { get; private set; }

    /// <summary>Opens (or creates) the mark beside <paramref name="databasePath"/>.</summary>
    /// <exception cref="StoreDamagedException">The mark's bytes do not verify (torn or changed).</exception>
    public static SqliteHighWater Open(string databasePath, string store)
    {
        var path = databasePath + "-ledger-hwm";
        var file = File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite);
        try
        {
            var bytes = new byte[Length + 1];
            var read = RandomAccess.Read(file, bytes, 0);
            if (read == 0) return new SqliteHighWater(path, file, null);
            var span = bytes.AsSpan(0, Length);
            if (read != Length || !span[..4].SequenceEqual(Magic) || BinaryPrimitives.ReadInt32BigEndian(span[4..]) != 1
                || !Hash32.Sha256(span[..48]).ToArray().AsSpan(0, 8).SequenceEqual(span[48..]))
            {
                throw Error.StoreDamaged(store, $"its high-water file {path}",
                    "it does not verify (torn or changed), so a rollback of the store cannot be ruled out; check the store, then delete the file to open it without that check");
            }

            return new SqliteHighWater(path, file, (BinaryPrimitives.ReadInt64BigEndian(span[8..]), new Hash32(span.Slice(16, 32))));
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Records <paramref name="count"/> and <paramref name="hash"/> if the count is above the mark.</summary>
    public void Raise(long count, Hash32 hash)
    {
        if (Mark is { } mark && mark.Count >= count) return;
        var span = _buffer.AsSpan();
        Magic.CopyTo(span);
        BinaryPrimitives.WriteInt32BigEndian(span[4..], 1);
        BinaryPrimitives.WriteInt64BigEndian(span[8..], count);
        hash.CopyTo(span.Slice(16, 32));
        Hash32.Sha256(span[..48]).ToArray().AsSpan(0, 8).CopyTo(span[48..]);
        RandomAccess.Write(_file, _buffer, 0);
        Mark = (count, hash);
    }

    public void Dispose() => _file.Dispose();
}
