using Ledger.Kernel;

namespace Ledger.Migration;

/// <summary>The manifests an app has shipped, as the kernel's resolver. Adding a manifest enforces what
/// keeps replay deterministic across versions: a verb version, once shipped, keeps its scope, its args
/// encoding and its implementation; a table keeps its kind and encoding (so Shared merges written by old
/// and new software still commute); human versions of one manifest line only grow.</summary>
public sealed class ManifestHistory : ManifestCatalog
{
    /// <summary>A history holding <paramref name="shipped"/>, in order.</summary>
    public ManifestHistory(params IEnumerable<Manifest> shipped) : base([])
    {
        foreach (var manifest in shipped) Add(manifest);
    }

    /// <summary>The newest manifest of the line.</summary>
    public Manifest Current => Manifests.OrderBy(m => m.Version).Last();

    /// <summary>What this software can fold, for peers and relays.</summary>
    public ManifestAdvertisement Advertise()
    {
        var all = Manifests.OrderBy(m => m.Version).ToArray();
        if (all.Length == 0) throw Error.InvalidOperation("no manifest shipped yet.");
        return new ManifestAdvertisement(all[0].Name, all[0].Version, all[^1].Version, all.Select(m => m.Id).ToArray());
    }

    /// <inheritdoc />
    protected override void OnAdding(Manifest manifest, IReadOnlyList<Manifest> existing)
    {
        foreach (var old in existing)
        {
            if (old.Name == manifest.Name && old.Version == manifest.Version)
            {
                throw Error.ManifestRejected($"manifest {manifest.Name} v{manifest.Version} was already shipped as {old.Id}; a shipped manifest never changes — give the new one version {existing.Where(m => m.Name == manifest.Name).Max(m => m.Version) + 1}.");
            }

            foreach (var table in manifest.Tables)
            {
                if (old.TryGetTable(table.Name, out var shipped) && !shipped.Equals(table))
                {
                    var what = shipped.IsShared || table.IsShared
                        ? "a Shared table's merge kind and encoding are frozen forever (old and new software must keep merging the same rows)"
                        : "a table's kind and encoding are frozen forever";
                    throw Error.ManifestRejected($"manifest {manifest.Name} v{manifest.Version} declares table '{table.Name}' as {table} ({table.ValueSchema}), but v{old.Version} shipped it as {shipped} ({shipped.ValueSchema}): {what}. Add a new table instead.");
                }
            }

            foreach (var verb in manifest.Verbs)
            {
                if (!old.TryGetVerb(verb.Name, verb.Version, out var shippedVerb)) continue;
                if (shippedVerb.Scope != verb.Scope || shippedVerb.ArgsSchema != verb.ArgsSchema || shippedVerb.GetType() != verb.GetType())
                {
                    throw Error.ManifestRejected($"manifest {manifest.Name} v{manifest.Version} redefines shipped verb {verb.Key} (scope {shippedVerb.Scope} → {verb.Scope}, args {shippedVerb.ArgsSchema} → {verb.ArgsSchema}, type {shippedVerb.GetType().Name} → {verb.GetType().Name}): shipped verb versions are frozen; ship the change as {verb.Name}@{verb.Version + 1}.");
                }
            }
        }
    }
}
