using Ledger.Kernel;
using Ledger.Sync;

namespace Ledger.Sync.AspNetCore;

/// <summary>A running node, as the page reads it.</summary>
internal sealed class LiveMonitoredNode(DeviceNode node) : IMonitoredNode
{
    public string Ledger => node.Ledger;

    public AuthorId Author => node.Author;

    public INodeStore Store => node.Store;

    public string? RelayOrigin => node.RelayOrigin;

    public NodeStartup Startup => node.Startup;

    public T Read<T>(Func<LedgerKernel, T> read) => node.Read(read);

    public DurabilityReport Durability() => node.Durability();
}
