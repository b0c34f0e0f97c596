namespace Ledger.Sync;

/// <summary>When to export work that is at risk (risk A1): once own ops that no relay acknowledged pile up or grow
/// old, the node writes an export (<see cref="NodeExport"/>) to <see cref="Path"/> so a wiped device loses none of
/// them. The file is replaced atomically (written beside it, then renamed). Not to be confused with memory eviction:
/// nothing is dropped.</summary>
public sealed class AtRiskExportPolicy
{
    /// <summary>Where the export goes (a folder the user backs up, a mounted share, removable storage).</summary>
    public required string Path { get; init; }

    /// <summary>Export once this many own ops are unacknowledged and not in the last export. Default 100.</summary>
    public int MaxUncoveredOps { get; init; } = 100;

    /// <summary>Export once the oldest unacknowledged op not in the last export is this old (checked on each
    /// append, by the node's clock). Default 15 minutes.</summary>
    public TimeSpan MaxUncoveredAge { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>Export on <see cref="DeviceNode.DisposeAsync"/> when anything is uncovered. Default true.</summary>
    public bool OnClose { get; init; } = true;
}
