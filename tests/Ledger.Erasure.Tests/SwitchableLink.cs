using Ledger.Kernel;
using Ledger.Sync;

namespace Ledger.Erasure.Tests;

/// <summary>A site's link to the relay over any transport; <see cref="Online"/> = false takes the site off the
/// network (every call fails as an unreachable relay does).</summary>
internal sealed class SwitchableLink(IRelayProtocol inner) : ForwardingRelayProtocol
{
    public bool Online { get; set; } = true;

    protected override IRelayProtocol Inner => Online ? inner : throw new RelayUnavailableException("offline: the relay cannot be reached (test).");
}
