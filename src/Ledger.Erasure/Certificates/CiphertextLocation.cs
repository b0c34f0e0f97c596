using Ledger.Kernel;

namespace Ledger.Erasure;

/// <summary>Where ciphertext of an erased subject remains: a sealed field of an op in the log. After the shred it
/// is ciphertext only — no key to it exists on any replica that confirmed.</summary>
/// <param name="Op">The op holding the sealed field.</param>
/// <param name="Field">The field name its envelope names.</param>
public readonly record struct CiphertextLocation(OpRef Op, string Field) : IComparable<CiphertextLocation>
{
    /// <inheritdoc />
    public int CompareTo(CiphertextLocation other)
    {
        var c = Op.CompareTo(other.Op);
        return c != 0 ? c : string.CompareOrdinal(Field, other.Field);
    }

    /// <summary><c>author#seq/field</c>.</summary>
    public override string ToString() => $"{Op}/{Field}";
}
