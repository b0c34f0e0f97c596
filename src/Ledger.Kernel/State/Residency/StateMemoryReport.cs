namespace Ledger.Kernel;

/// <summary>How a kernel's state sits in memory: resident bytes against the budget, and the eviction traffic.</summary>
/// <param name="Budget">The configured state memory budget in bytes, or null when unbounded.</param>
/// <param name="ResidentBytes">An estimate of the managed bytes the resident rows hold.</param>
/// <param name="ResidentSegments">Segments whose rows are in memory.</param>
/// <param name="EvictedSegments">Segments whose rows are in the segment store (their hashes and row counts stay in memory).</param>
/// <param name="Evictions">Segments written out since the kernel was made.</param>
/// <param name="Loads">Segments loaded back since the kernel was made (each because a row of it was touched).</param>
/// <param name="LoadedBytes">Row bytes read back from the segment store.</param>
/// <param name="OverFetchedSegments">Segments loaded that no read or write touched: a load brings exactly the touched
/// segment, so this stays 0; it is counted so that a store or a change that fetched more would show.</param>
/// <param name="FailedLoads">Loads refused (missing, failed or damaged rows).</param>
/// <param name="FailedEvictions">Evictions the store could not take (the segment stayed resident).</param>
public sealed record StateMemoryReport(
    long? Budget,
    long ResidentBytes,
    int ResidentSegments,
    int EvictedSegments,
    long Evictions,
    long Loads,
    long LoadedBytes,
    long OverFetchedSegments,
    long FailedLoads,
    long FailedEvictions)
{
    /// <summary>Under a budget with provenance tracked: the provenance held in memory (an estimate of the writes since
    /// each segment was last evicted, and what each segment's provenance keeps of its records in the segment store),
    /// charged to the budget with the rows. 0 without a budget (provenance then stays in memory and is not measured).</summary>
    public long ProvenanceBytes { get; init; }
}
