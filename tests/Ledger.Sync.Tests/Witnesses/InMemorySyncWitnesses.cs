namespace Ledger.Sync.Tests;

/// <summary>The shared witnesses over the in-memory transport.</summary>
public sealed class InMemorySyncWitnesses : SyncWitnesses
{
    /// <inheritdoc />
    protected override RelayLinks NewLinks() => new InMemoryLinks();
}
