namespace Ledger.Benchmarks;

/// <summary>How <see cref="SegmentedDataset"/> picks the row each op writes.</summary>
public enum BudgetPattern
{
    /// <summary>Rows in order, over and over.</summary>
    Sweep,

    /// <summary>An import of every row, then phases on a few branches at a time.</summary>
    WorkingSet,

    /// <summary><see cref="WorkingSet"/> with one op in ten on any branch.</summary>
    WorkingSetNoisy,

    /// <summary><see cref="WorkingSet"/> with a checkpoint (a read of every row) every 10,000 ops.</summary>
    WorkingSetCheckpoints,
}
