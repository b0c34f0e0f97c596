using Ledger.Kernel;

namespace Ledger.Signing;

/// <summary>How far an author's chain was already verified: ops up to <paramref name="Seq"/>, ending in
/// <paramref name="Tip"/>. Because the chain is hash-linked, a chain whose op at <paramref name="Seq"/> has
/// this chain hash has exactly the verified prefix, and its signatures need not be checked again.</summary>
/// <param name="Author">The author.</param>
/// <param name="Seq">Last verified seq.</param>
/// <param name="Tip">Chain hash of that op.</param>
public readonly record struct VerifiedWatermark(AuthorId Author, ulong Seq, Hash32 Tip);

/// <summary>Persists verified-prefix watermarks so that replay does not re-verify signatures.</summary>
public interface IWatermarkStore
{
    /// <summary>The watermark of an author, if any.</summary>
    bool TryGet(AuthorId author, out VerifiedWatermark watermark);

    /// <summary>Records a watermark (only ever moving forward).</summary>
    void Set(VerifiedWatermark watermark);
}

/// <summary>A watermark store in memory (tests, short-lived processes).</summary>
public sealed class InMemoryWatermarkStore : IWatermarkStore
{
    private readonly Dictionary<AuthorId, VerifiedWatermark> _marks = new();
    private readonly Lock _gate = new();

    /// <inheritdoc />
    public bool TryGet(AuthorId author, out VerifiedWatermark watermark)
    {
        lock (_gate) return _marks.TryGetValue(author, out watermark);
    }

    /// <inheritdoc />
    public void Set(VerifiedWatermark watermark)
    {
        lock (_gate)
        {
            if (!_marks.TryGetValue(watermark.Author, out var known) || known.Seq < watermark.Seq) _marks[watermark.Author] = watermark;
        }
    }
}
