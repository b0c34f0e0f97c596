namespace Ledger.Kernel;

/// <summary>A declared table: a name, a kind fixed forever, and the encoding of its values. Table
/// objects are handles, created once (as static fields) and listed in a manifest.</summary>
public abstract class Table : IEquatable<Table>
{
    private protected Table(string name, TableKind kind, string valueSchema, bool reserved = false)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!Identifier.IsValidTableName(name, reserved))
        {
            throw Error.Argument(nameof(name), $"a table name is 1-64 characters of [a-z0-9._-] ('$' is reserved for the kernel); got '{Error.Printable(name)}'.");
        }

        Name = name;
        Kind = kind;
        ValueSchema = valueSchema;
    }

    /// <summary>The table name; part of the state hash.</summary>
    public string Name { get; }

    /// <summary>The table kind.</summary>
    public TableKind Kind { get; }

    /// <summary>A description of the value encoding, part of the manifest hash so that an encoding change
    /// is a new manifest.</summary>
    public string ValueSchema { get; }

    /// <summary>True for Shared merge tables.</summary>
    public bool IsShared => Kind.IsShared();

    /// <inheritdoc />
    public bool Equals(Table? other) =>
        other is not null && Name == other.Name && Kind == other.Kind && ValueSchema == other.ValueSchema;

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as Table);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(StringComparer.Ordinal.GetHashCode(Name), Kind);

    /// <inheritdoc />
    public override string ToString() => $"{Name} ({Kind.WireName()})";

    internal static string SchemaOf<T>() => typeof(T).FullName ?? typeof(T).Name;
}

/// <summary>A table of typed rows, partitioned by branch; only Branch ops of the branch owner touch it.</summary>
/// <typeparam name="T">The row type, MessagePack-serializable.</typeparam>
public sealed class BranchTable<T>(string name) : Table(name, TableKind.Branch, SchemaOf<T>());

/// <summary>A table of claimable resources, one row per claim key, touched only by Claim ops with that key.</summary>
/// <typeparam name="T">The row type.</typeparam>
public sealed class ClaimTable<T>(string name) : Table(name, TableKind.Claim, SchemaOf<T>());

/// <summary>A table of write-once correction rows, written by the Claim op that lost (backorder, receivable …).</summary>
/// <typeparam name="T">The row type.</typeparam>
public sealed class CorrectionTable<T>(string name) : Table(name, TableKind.Correction, SchemaOf<T>());

/// <summary>A Shared counter table: each row is a 128-bit sum of 64-bit deltas.</summary>
/// <remarks>Deltas are 64-bit, so an add can never overflow the 128-bit sum before 2^63 adds; the
/// overflow refusal DESIGN.md asks for is therefore made impossible by the type instead of checked.</remarks>
public sealed class CounterTable(string name) : Table(name, TableKind.Counter, "int128");

/// <summary>A Shared table keeping the largest 64-bit value written per row.</summary>
public sealed class MaxTable(string name) : Table(name, TableKind.Max, "int64");

/// <summary>A Shared table keeping the smallest 64-bit value written per row.</summary>
public sealed class MinTable(string name) : Table(name, TableKind.Min, "int64");

/// <summary>A Shared grow-only set of strings per row.</summary>
public sealed class SetTable(string name) : Table(name, TableKind.Set, "set<str>");

/// <summary>A Shared last-writer-wins table: per row, the value with the greatest (At, Author, Seq).</summary>
/// <typeparam name="T">The value type.</typeparam>
public sealed class LwwTable<T>(string name) : Table(name, TableKind.LastWriterWins, SchemaOf<T>());

/// <summary>A table only the kernel writes.</summary>
internal sealed class ReservedTable(string name) : Table(name, TableKind.Reserved, "reserved", reserved: true);
