namespace Ledger.Kernel;

/// <summary>The kind of a table, fixed forever when the table is first declared.</summary>
public enum TableKind
{
    /// <summary>Rows of one branch; read and written by Branch ops of the owner.</summary>
    Branch = 1,

    /// <summary>Claimable resources, one row per claim key; touched only by Claim ops of that key.</summary>
    Claim = 2,

    /// <summary>Write-once rows recording a claim's correction (the loser's backorder, receivable …), keyed by op.</summary>
    Correction = 3,

    /// <summary>Shared: a 128-bit signed sum of 64-bit deltas.</summary>
    Counter = 4,

    /// <summary>Shared: the largest 64-bit value written.</summary>
    Max = 5,

    /// <summary>Shared: the smallest 64-bit value written.</summary>
    Min = 6,

    /// <summary>Shared: a grow-only set of strings.</summary>
    Set = 7,

    /// <summary>Shared: the value with the greatest stamp (At, Author, Seq).</summary>
    LastWriterWins = 8,

    /// <summary>Written by the kernel alone (<c>$refused</c>).</summary>
    Reserved = 9,
}

/// <summary>Facts about table kinds.</summary>
public static class TableKinds
{
    /// <summary>True for the merge kinds that Shared writes use (they commute).</summary>
    public static bool IsShared(this TableKind kind) =>
        kind is TableKind.Counter or TableKind.Max or TableKind.Min or TableKind.Set or TableKind.LastWriterWins;

    /// <summary>The stable name used in manifests, checkpoints and the wire format.</summary>
    public static string WireName(this TableKind kind) => kind switch
    {
        TableKind.Branch => "branch",
        TableKind.Claim => "claim",
        TableKind.Correction => "correction",
        TableKind.Counter => "counter",
        TableKind.Max => "max",
        TableKind.Min => "min",
        TableKind.Set => "set",
        TableKind.LastWriterWins => "lww",
        TableKind.Reserved => "reserved",
        _ => throw Error.OutOfRange(nameof(kind), $"unknown table kind {(int)kind}."),
    };

    /// <summary>Parses a name written by <see cref="WireName"/>.</summary>
    public static bool TryParseWireName(string? name, out TableKind kind)
    {
        kind = name switch
        {
            "branch" => TableKind.Branch,
            "claim" => TableKind.Claim,
            "correction" => TableKind.Correction,
            "counter" => TableKind.Counter,
            "max" => TableKind.Max,
            "min" => TableKind.Min,
            "set" => TableKind.Set,
            "lww" => TableKind.LastWriterWins,
            "reserved" => TableKind.Reserved,
            _ => 0,
        };
        return kind != 0;
    }
}
