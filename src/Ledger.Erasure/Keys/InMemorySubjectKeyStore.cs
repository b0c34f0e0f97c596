using System.Security.Cryptography;

namespace Ledger.Erasure;

/// <summary>A key store in process memory (tests, demos, short-lived tools). Shredding zeroes the key's
/// array before dropping it, so no managed copy made by the store survives.</summary>
public sealed class InMemorySubjectKeyStore : ISubjectKeyStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<SubjectId, byte[]> _keys = new();
    private readonly HashSet<SubjectId> _shredded = new();
    private bool _disposed;

    /// <inheritdoc />
    public KeyAddResult Add(SubjectId subject, ReadOnlySpan<byte> key)
    {
        Guard(subject);
        SubjectKey.RequireLength(key, nameof(key));
        lock (_lock)
        {
            ThrowIfDisposed();
            if (_shredded.Contains(subject)) return KeyAddResult.Shredded;
            if (_keys.TryGetValue(subject, out var held))
            {
                return CryptographicOperations.FixedTimeEquals(held, key) ? KeyAddResult.AlreadyHeld : KeyAddResult.Conflict;
            }

            _keys.Add(subject, key.ToArray());
            return KeyAddResult.Added;
        }
    }

    /// <inheritdoc />
    public SubjectKeyStatus TryRead(SubjectId subject, Span<byte> key)
    {
        Guard(subject);
        SubjectKey.RequireLength(key, nameof(key));
        lock (_lock)
        {
            ThrowIfDisposed();
            if (_keys.TryGetValue(subject, out var held))
            {
                held.CopyTo(key);
                return SubjectKeyStatus.Held;
            }

            return _shredded.Contains(subject) ? SubjectKeyStatus.Shredded : SubjectKeyStatus.Unknown;
        }
    }

    /// <inheritdoc />
    public SubjectKeyStatus Status(SubjectId subject)
    {
        Guard(subject);
        lock (_lock)
        {
            ThrowIfDisposed();
            if (_keys.ContainsKey(subject)) return SubjectKeyStatus.Held;
            return _shredded.Contains(subject) ? SubjectKeyStatus.Shredded : SubjectKeyStatus.Unknown;
        }
    }

    /// <inheritdoc />
    public ShredResult Shred(SubjectId subject)
    {
        Guard(subject);
        lock (_lock)
        {
            ThrowIfDisposed();
            if (!_shredded.Add(subject)) return ShredResult.AlreadyShredded;
            if (!_keys.Remove(subject, out var held)) return ShredResult.NotHeld;
            CryptographicOperations.ZeroMemory(held);
            return ShredResult.Shredded;
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<SubjectId> HeldSubjects()
    {
        lock (_lock)
        {
            ThrowIfDisposed();
            return _keys.Keys.OrderBy(s => s.Value, StringComparer.Ordinal).ToArray();
        }
    }

    /// <summary>Zeroes every key held.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed) return;
            foreach (var key in _keys.Values) CryptographicOperations.ZeroMemory(key);
            _keys.Clear();
            _disposed = true;
        }
    }

    private static void Guard(SubjectId subject)
    {
        if (subject.IsDefault) throw Error.Argument("default(SubjectId) names no subject.", nameof(subject));
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);
}
