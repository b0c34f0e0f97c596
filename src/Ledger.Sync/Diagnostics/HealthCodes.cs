using System.Globalization;

namespace Ledger.Sync;

/// <summary>The stable codes of <see cref="HealthFinding"/>.</summary>
public static class HealthCodes
{
    /// <summary>The state's resident rows stay over the state memory budget (a segment larger than the budget, or a
    /// segment store that refuses writes).</summary>
    public const string StateOverBudget = "state-over-budget";

    /// <summary>An evicted segment could not be loaded back intact: the node's kernel refuses to fold on it.</summary>
    public const string SegmentDamaged = "segment-damaged";

    /// <summary>The store is near its size cap (writes will fail at the cap).</summary>
    public const string StoreNearCap = "store-near-cap";

    /// <summary>Own ops have been on this device only for longer than the thresholds allow.</summary>
    public const string UnacknowledgedTooLong = "unacknowledged-too-long";

    /// <summary>The node stopped trusting its relay (evidence of equivocation).</summary>
    public const string RelayFrozen = "relay-frozen";

    /// <summary>The node holds evidence of misbehaviour (a split view, a client fork, a stale-key op).</summary>
    public const string Evidence = "evidence";

    /// <summary>Ops are parked: this software cannot fold them yet (usually: update needed).</summary>
    public const string Parked = "parked";

    /// <summary>The relay refused own ops for good (they will never be durable).</summary>
    public const string Refused = "refused";

    /// <summary>The post-commit handler (<see cref="NodeOptions.Folded"/>) threw.</summary>
    public const string HandlerFaults = "handler-faults";

    /// <summary>The node failed while folding its own op and refuses appends until it is reopened.</summary>
    public const string WriterFault = "writer-fault";

    /// <summary>The at-risk export (<see cref="NodeOptions.AtRiskExport"/>) could not be written.</summary>
    public const string ExportFailed = "export-failed";

    /// <summary>The store's integrity check after open (<see cref="IStoreIntegrity"/>) found damage: the node refuses to
    /// sync, export or write.</summary>
    public const string StoreDamaged = "store-damaged";
}
