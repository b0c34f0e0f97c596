namespace Ledger.Sync.Tests;

/// <summary>Tests that measure the managed heap (<c>GC.GetTotalMemory</c>) run alone: xUnit runs test classes of one
/// assembly in parallel in one process, and their allocations count in the heap a witness measures. A clean-clone CI
/// run measured 6.8 MB of heap growth where the fold alone grows it by 3.0 MB (the bound is 6.65 MB).</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class HeapMeasurementCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "heap measurement";
}
