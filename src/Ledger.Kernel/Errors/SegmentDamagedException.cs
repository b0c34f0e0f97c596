namespace Ledger.Kernel;

/// <summary>An evicted segment could not be loaded back as it was: the segment store lost it, failed, or returned rows
/// that do not hash to the hash the kernel kept. Nothing is folded from it; a fold that needed it faults the kernel
/// (rebuild it from its log or a checkpoint).</summary>
public sealed class SegmentDamagedException : LedgerException
{
    /// <summary>Creates the exception.</summary>
    public SegmentDamagedException(SegmentId segment, string detail, Exception? inner = null)
        : base($"segment {segment} could not be loaded from the segment store: {detail}", inner)
    {
        Segment = segment;
    }

    /// <summary>The segment.</summary>
    public SegmentId Segment { get; }
}
