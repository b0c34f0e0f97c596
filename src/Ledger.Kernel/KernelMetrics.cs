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

    public static Counter<long> OpsCounter(IMeterFactory? factory) => factory is null
        ? SharedOps
        : ByFactory.GetValue(factory, f => f.Create(new MeterOptions(MeterName) { Version = "1.0" }).CreateCounter<long>(OpsName, "{op}", OpsDescription));
}
