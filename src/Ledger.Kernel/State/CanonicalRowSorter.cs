using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Ledger.Kernel;

/// <summary>Collects a segment's rows as UTF-8 keys and encoded values in two flat buffers, sorts them into
/// canonical order and hashes them.</summary>
/// <remarks>Sorting a million .NET strings with a comparer costs ~0.4 s, mostly cache misses. Here each
/// row gets a 64-bit key: the 8 UTF-8 bytes after the prefix every key shares; a radix sort orders those,
/// and only rows with equal 8-byte keys are compared byte by byte. The result is exactly UTF-8 byte
/// order. Rows are read from the dictionary by enumeration (sequential), never by lookup.</remarks>
internal sealed class CanonicalRowSorter
{
    private byte[] _keys = new byte[4096];
    private byte[] _values = new byte[4096];
    private Entry[] _entries = new Entry[64];
    private int _keyUsed;
    private int _valueUsed;
    private int _count;

    /// <summary>Bytes the buffers hold (kept between uses).</summary>
    public long Capacity => _keys.Length + _values.Length + ((long)_entries.Length * 16);

    /// <summary>Forgets every row, keeping the buffers (one sorter serves many segments in an eviction round).</summary>
    public void Clear()
    {
        _keyUsed = 0;
        _valueUsed = 0;
        _count = 0;
    }

    public void Add(string key, ReadOnlySpan<byte> value)
    {
        Grow(ref _keys, _keyUsed + (key.Length * 3));
        var keyLength = Encoding.UTF8.GetBytes(key, _keys.AsSpan(_keyUsed));
        Grow(ref _values, _valueUsed + value.Length);
        value.CopyTo(_values.AsSpan(_valueUsed));
        if (_count == _entries.Length) Array.Resize(ref _entries, _entries.Length * 2);
        _entries[_count++] = new Entry { KeyOffset = _keyUsed, KeyLength = keyLength, ValueOffset = _valueUsed, ValueLength = value.Length };
        _keyUsed += keyLength;
        _valueUsed += value.Length;
    }

    /// <summary>A span to encode one value into; commit it with <see cref="Add(string, int)"/>.</summary>
    public Span<byte> ValueBuffer(int maxLength)
    {
        Grow(ref _values, _valueUsed + maxLength);
        return _values.AsSpan(_valueUsed, maxLength);
    }

    /// <summary>Adds a row whose value was encoded into <see cref="ValueBuffer"/>.</summary>
    public void Add(string key, int valueLength)
    {
        Grow(ref _keys, _keyUsed + (key.Length * 3));
        var keyLength = Encoding.UTF8.GetBytes(key, _keys.AsSpan(_keyUsed));
        if (_count == _entries.Length) Array.Resize(ref _entries, _entries.Length * 2);
        _entries[_count++] = new Entry { KeyOffset = _keyUsed, KeyLength = keyLength, ValueOffset = _valueUsed, ValueLength = valueLength };
        _keyUsed += keyLength;
        _valueUsed += valueLength;
    }

    /// <summary>The hash, and the rows in canonical order as they were hashed (the preimage after the domain).</summary>
    public (Hash32 Hash, byte[] Rows) SortAndWrite(ReadOnlySpan<byte> domain)
    {
        var order = SortedOrder();
        var total = 0L;
        for (var i = 0; i < _count; i++) total += 8L + _entries[i].KeyLength + _entries[i].ValueLength;
        var rows = new byte[total];
        var used = 0;
        foreach (var i in order)
        {
            ref readonly var e = ref _entries[i];
            BinaryPrimitives.WriteUInt32BigEndian(rows.AsSpan(used), (uint)e.KeyLength);
            _keys.AsSpan(e.KeyOffset, e.KeyLength).CopyTo(rows.AsSpan(used + 4));
            used += 4 + e.KeyLength;
            BinaryPrimitives.WriteUInt32BigEndian(rows.AsSpan(used), (uint)e.ValueLength);
            _values.AsSpan(e.ValueOffset, e.ValueLength).CopyTo(rows.AsSpan(used + 4));
            used += 4 + e.ValueLength;
        }

        return (HashRows(domain, rows), rows);
    }

    /// <summary>SHA-256(domain ‖ rows): the segment hash of rows written by <see cref="SortAndWrite"/>.</summary>
    public static Hash32 HashRows(ReadOnlySpan<byte> domain, ReadOnlySpan<byte> rows)
    {
        // One-shot SHA-256 over domain ‖ rows copied into a pooled buffer: creating an IncrementalHash per segment cost
        // more than hashing a small segment's bytes (each load and each eviction hashes one). Large ones are hashed
        // incrementally, so the pool is not left holding large buffers.
        var length = domain.Length + rows.Length;
        if (length > 64 * 1024)
        {
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            sha.AppendData(domain);
            sha.AppendData(rows);
            Span<byte> incremental = stackalloc byte[Hash32.Length];
            sha.GetHashAndReset(incremental);
            return new Hash32(incremental);
        }

        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(length);
        try
        {
            domain.CopyTo(buffer);
            rows.CopyTo(buffer.AsSpan(domain.Length));
            Span<byte> digest = stackalloc byte[Hash32.Length];
            SHA256.HashData(buffer.AsSpan(0, length), digest);
            return new Hash32(digest);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public Hash32 SortAndHash(ReadOnlySpan<byte> domain)
    {
        var order = SortedOrder();
        var entries = _entries;
        var keys = _keys;
        var values = _values;
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(domain);
        var chunk = new byte[64 * 1024];
        var used = 0;
        foreach (var i in order)
        {
            ref readonly var e = ref entries[i];
            var need = 8 + e.KeyLength + e.ValueLength;
            if (used + need > chunk.Length)
            {
                sha.AppendData(chunk, 0, used);
                used = 0;
                if (need > chunk.Length) chunk = new byte[need];
            }

            BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(used), (uint)e.KeyLength);
            keys.AsSpan(e.KeyOffset, e.KeyLength).CopyTo(chunk.AsSpan(used + 4));
            used += 4 + e.KeyLength;
            BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(used), (uint)e.ValueLength);
            values.AsSpan(e.ValueOffset, e.ValueLength).CopyTo(chunk.AsSpan(used + 4));
            used += 4 + e.ValueLength;
        }

        sha.AppendData(chunk, 0, used);
        Span<byte> digest = stackalloc byte[Hash32.Length];
        sha.GetHashAndReset(digest);
        return new Hash32(digest);
    }

    /// <summary>Row indices in canonical order: an LSD radix sort on the 8 key bytes after the shared
    /// prefix (skipping byte positions that never vary), then a byte-wise sort inside runs of equal prefixes.</summary>
    private int[] SortedOrder()
    {
        var n = _count;
        var entries = _entries;
        var keys = _keys;
        var shared = SharedPrefixLength(entries.AsSpan(0, n), keys);
        var prefix = new ulong[n];
        var order = new int[n];
        ulong varying = 0;
        for (var i = 0; i < n; i++)
        {
            prefix[i] = PrefixAfter(keys.AsSpan(entries[i].KeyOffset, entries[i].KeyLength), shared);
            varying |= prefix[i] ^ prefix[0];
            order[i] = i;
        }

        var tmpPrefix = new ulong[n];
        var tmpOrder = new int[n];
        Span<int> counts = stackalloc int[257];
        for (var shift = 0; shift < 64; shift += 8)
        {
            if (((varying >> shift) & 0xff) == 0) continue;
            counts.Clear();
            for (var i = 0; i < n; i++) counts[(int)((prefix[i] >> shift) & 0xff) + 1]++;
            for (var b = 0; b < 256; b++) counts[b + 1] += counts[b];
            for (var i = 0; i < n; i++)
            {
                var slot = counts[(int)((prefix[i] >> shift) & 0xff)]++;
                tmpPrefix[slot] = prefix[i];
                tmpOrder[slot] = order[i];
            }

            (prefix, tmpPrefix) = (tmpPrefix, prefix);
            (order, tmpOrder) = (tmpOrder, order);
        }

        for (var start = 0; start < n;)
        {
            var end = start + 1;
            while (end < n && prefix[end] == prefix[start]) end++;
            if (end - start > 1) order.AsSpan(start, end - start).Sort(new KeyOrder(entries, keys));
            start = end;
        }

        return order;
    }

    private static int SharedPrefixLength(ReadOnlySpan<Entry> entries, byte[] keys)
    {
        if (entries.Length == 0) return 0;
        var first = keys.AsSpan(entries[0].KeyOffset, entries[0].KeyLength);
        var shared = first.Length;
        foreach (ref readonly var e in entries)
        {
            shared = Math.Min(shared, first[..shared].CommonPrefixLength(keys.AsSpan(e.KeyOffset, e.KeyLength)));
            if (shared == 0) break;
        }

        return shared;
    }

    private static ulong PrefixAfter(ReadOnlySpan<byte> key, int skip)
    {
        Span<byte> eight = stackalloc byte[8];
        eight.Clear();
        var rest = key[skip..];
        rest[..Math.Min(8, rest.Length)].CopyTo(eight);
        return BinaryPrimitives.ReadUInt64BigEndian(eight);
    }

    private static void Grow(ref byte[] buffer, int length)
    {
        if (buffer.Length < length) Array.Resize(ref buffer, Math.Max(length, buffer.Length * 2));
    }

    private struct Entry
    {
        public int KeyOffset;
        public int KeyLength;
        public int ValueOffset;
        public int ValueLength;
    }

    private readonly struct KeyOrder(Entry[] entries, byte[] keys) : IComparer<int>
    {
        public int Compare(int x, int y) =>
            keys.AsSpan(entries[x].KeyOffset, entries[x].KeyLength).SequenceCompareTo(keys.AsSpan(entries[y].KeyOffset, entries[y].KeyLength));
    }
}
