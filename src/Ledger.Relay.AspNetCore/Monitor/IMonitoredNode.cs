using Ledger.Kernel;
using Ledger.Sync;

namespace Ledger.Sync.AspNetCore;

/// <summary>What the monitor page's node widgets read: a running <see cref="DeviceNode"/> (<c>app.MapLedgerMonitor()</c>)
/// or one device's store read and folded without its key (<see cref="NodeStoreSnapshot"/>, <c>ledger monitor</c>).</summary>
internal interface IMonitoredNode
{
    string Ledger { get; }

    AuthorId Author { get; }

    INodeStore Store { get; }

    string? RelayOrigin { get; }

    NodeStartup Startup { get; }

    T Read<T>(Func<LedgerKernel, T> read);

    DurabilityReport Durability();
}
