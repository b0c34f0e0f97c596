using System.Diagnostics.CodeAnalysis;

namespace Ledger.Kernel;

/// <summary>Finds the manifest (declarations and verb code) an op was authored under. A replica that
/// cannot resolve an op's manifest parks the op instead of refusing it. Ledger.Migration implements
/// this with the app's shipped manifests.</summary>
public interface IManifestResolver
{
    /// <summary>The manifest with that id, when this software has its code.</summary>
    bool TryResolve(ManifestId id, [NotNullWhen(true)] out Manifest? manifest);
}

/// <summary>A resolver over a set of manifests that can grow (an app update delivers a new one). Table
/// declarations must agree across all manifests: a table keeps one kind and encoding forever.
/// Ledger.Migration's <c>ManifestHistory</c> adds the rules for shipped verb versions.</summary>
public class ManifestCatalog : IManifestResolver
{
    private readonly Dictionary<ManifestId, Manifest> _manifests = new();
    private readonly Dictionary<string, Table> _tables = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>Creates a catalog holding <paramref name="manifests"/>.</summary>
    public ManifestCatalog(params IEnumerable<Manifest> manifests)
    {
        foreach (var manifest in manifests) Add(manifest);
    }

    /// <summary>The manifests held, in id order.</summary>
    public IReadOnlyList<Manifest> Manifests
    {
        get
        {
            lock (_gate) return _manifests.Values.OrderBy(m => m.Id.Hash).ToArray();
        }
    }

    /// <summary>Adds a manifest.</summary>
    /// <exception cref="ArgumentException">It redeclares a known table with another kind or encoding.</exception>
    public void Add(Manifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        lock (_gate)
        {
            if (_manifests.ContainsKey(manifest.Id)) return;
            OnAdding(manifest, _manifests.Values.ToArray());
            foreach (var table in manifest.Tables)
            {
                if (_tables.TryGetValue(table.Name, out var known) && !known.Equals(table))
                {
                    throw Error.Argument(nameof(manifest), $"manifest {manifest} declares table '{table.Name}' as {table}, but it is {known} in another manifest; a table's kind and encoding are fixed forever.");
                }
            }

            foreach (var table in manifest.Tables) _tables[table.Name] = table;
            _manifests[manifest.Id] = manifest;
        }
    }

    /// <summary>Called before a new manifest is added, with the manifests already held; throw to reject it.</summary>
    protected virtual void OnAdding(Manifest manifest, IReadOnlyList<Manifest> existing)
    {
    }

    /// <summary>The declaration of a table in any held manifest.</summary>
    public bool TryGetTable(string name, [NotNullWhen(true)] out Table? table)
    {
        lock (_gate) return _tables.TryGetValue(name, out table);
    }

    /// <inheritdoc />
    public bool TryResolve(ManifestId id, [NotNullWhen(true)] out Manifest? manifest)
    {
        lock (_gate) return _manifests.TryGetValue(id, out manifest);
    }
}
