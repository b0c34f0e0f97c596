using System.Globalization;

namespace Ledger.Kernel;

/// <summary>A verb version: (name, version). Immutable once shipped; a change of behaviour is a new version.</summary>
/// <param name="Name">The verb name.</param>
/// <param name="Version">The version, from 1.</param>
public readonly record struct VerbKey(string Name, uint Version) : IComparable<VerbKey>
{
    /// <inheritdoc />
    public int CompareTo(VerbKey other)
    {
        var c = string.CompareOrdinal(Name, other.Name);
        return c != 0 ? c : Version.CompareTo(other.Version);
    }

    /// <summary><c>name@version</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Name}@{Version}");
}
