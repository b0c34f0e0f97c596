using Ledger.Kernel;

namespace Ledger.Migration;

/// <summary>Configuration of Ledger.Migration: the manifests the app has shipped, oldest first.</summary>
public sealed class MigrationOptions
{
    /// <summary>Shipped manifests, oldest first.</summary>
    public List<Manifest> Shipped { get; } = [];

    /// <summary>Adds a shipped manifest.</summary>
    public MigrationOptions Ship(Manifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        Shipped.Add(manifest);
        return this;
    }
}
