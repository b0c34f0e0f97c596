using System.Globalization;
using Ledger.Kernel;

namespace Ledger.Sync;

/// <summary>Health findings about the state memory budget (risk B1).</summary>
internal static class StateMemoryFindings
{
    public static void Add(StateMemoryReport memory, List<HealthFinding> findings)
    {
        if (memory.FailedLoads > 0)
        {
            findings.Add(new HealthFinding(HealthSeverity.Critical, HealthCodes.SegmentDamaged, string.Create(CultureInfo.InvariantCulture,
                $"{memory.FailedLoads} load(s) of evicted state failed (the segment store lost or changed rows); the kernel refuses to fold on them: reopen the node (it rebuilds its state from its log).")));
        }

        if (memory.Budget is { } budget && memory.ResidentBytes > budget)
        {
            findings.Add(new HealthFinding(HealthSeverity.Warning, HealthCodes.StateOverBudget, string.Create(CultureInfo.InvariantCulture,
                $"the state holds about {memory.ResidentBytes} bytes in memory, over its budget of {budget} ({memory.FailedEvictions} eviction(s) failed; a single segment larger than the budget stays resident while in use).")));
        }
    }
}
