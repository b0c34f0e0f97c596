using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;

namespace Ledger.Kernel;

/// <summary>The kernel's instruments on the meter <c>Ledger.Kernel</c>: made once per host meter factory (a host's
/// factory hands out one meter per name; a kernel per replica must not make instruments per kernel), or on one meter
/// shared by the process when no factory is configured.</summary>
internal static class KernelMetrics
{
    public const string MeterName = "Ledger.Kernel";
    private const string OpsName = "ledger.kernel.ops";
    private const string OpsDescription = "Ops given to kernels, by outcome.";
    private static readonly Meter Shared = new(MeterName, "1.0");
    private static readonly Counter<long> SharedOps = Shared.CreateCounter<long>(OpsName, "{op}", OpsDescription);
    private static readonly ConditionalWeakTable<IMeterFactory, Counter<long>> ByFactory = new();
    private static readonly Residency SharedResidency = CreateResidency(Shared);
    private static readonly ConditionalWeakTable<IMeterFactory, Residency> ResidencyByFactory = new();

    public static Counter<long> OpsCounter(IMeterFactory? factory) => factory is null
        ? SharedOps
        : ByFactory.GetValue(factory, f => f.Create(new MeterOptions(MeterName) { Version = "1.0" }).CreateCounter<long>(OpsName, "{op}", OpsDescription));

    public static Residency ResidencyMeters(IMeterFactory? factory) => factory is null
        ? SharedResidency
        : ResidencyByFactory.GetValue(factory, f => CreateResidency(f.Create(new MeterOptions(MeterName) { Version = "1.0" })));

    private static Residency CreateResidency(Meter meter) => new(
        meter.CreateUpDownCounter<long>("ledger.kernel.state.resident", "By", "Estimated bytes of state rows resident in memory (kernels with a state memory budget)."),
        meter.CreateCounter<long>("ledger.kernel.segment.evictions", "{segment}", "Segments written to the segment store and dropped from memory."),
        meter.CreateCounter<long>("ledger.kernel.segment.loads", "{segment}", "Evicted segments loaded back because a row of them was touched."));

    internal sealed record Residency(UpDownCounter<long> Resident, Counter<long> Evictions, Counter<long> Loads);
}
