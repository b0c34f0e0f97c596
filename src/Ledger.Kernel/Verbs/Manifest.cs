using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using MessagePack;

namespace Ledger.Kernel;

/// <summary>The ordered set of verb versions (name, version, scope, args schema) and tables (name, kind,
/// value schema) an op can be authored under. Its content hash is its <see cref="Id"/>.</summary>
/// <remarks>Build one with <see cref="ManifestBuilder"/>. The id covers declarations, not code: a lock
/// file of golden replay hashes (Ledger.Migration) is what turns a changed verb body into a failing test.</remarks>
public sealed class Manifest
{
    private readonly Dictionary<VerbKey, Verb> _verbs;
    private readonly Dictionary<string, Table> _tables;
    private readonly HashSet<Table> _declaredHandles;

    internal Manifest(string name, uint version, IReadOnlyList<Verb> verbs, IReadOnlyList<Table> tables)
    {
        Name = name;
        Version = version;
        Verbs = verbs;
        Tables = tables;
        _verbs = verbs.ToDictionary(v => v.Key);
        foreach (var verb in verbs) verb.KeepPristineCopy();
        _tables = tables.ToDictionary(t => t.Name, StringComparer.Ordinal);
        _declaredHandles = new HashSet<Table>(tables, ReferenceEqualityComparer.Instance);
        CanonicalBytes = Encode();
        Id = new ManifestId(Hash32.Sha256(CanonicalBytes.Span));
    }

    /// <summary>The content hash.</summary>
    public ManifestId Id { get; }

    /// <summary>The app's name for this manifest line (e.g. <c>sitebooks</c>).</summary>
    public string Name { get; }

    /// <summary>The human version number.</summary>
    public uint Version { get; }

    /// <summary>Verb versions in (name, version) order.</summary>
    public IReadOnlyList<Verb> Verbs { get; }

    /// <summary>Tables in name order.</summary>
    public IReadOnlyList<Table> Tables { get; }

    /// <summary>The bytes hashed into <see cref="Id"/>.</summary>
    public ReadOnlyMemory<byte> CanonicalBytes { get; }

    /// <summary>The implementation of a verb version listed here.</summary>
    public bool TryGetVerb(string name, uint version, [NotNullWhen(true)] out Verb? verb) =>
        _verbs.TryGetValue(new VerbKey(name, version), out verb);

    /// <summary>The declaration of a table listed here.</summary>
    public bool TryGetTable(string name, [NotNullWhen(true)] out Table? table) => _tables.TryGetValue(name, out table);

    /// <summary>True when <paramref name="table"/> is the very handle this manifest declares (the fast path
    /// of the run-time scope check; other handles are compared by name, kind and encoding).</summary>
    internal bool DeclaresHandle(Table table) => _declaredHandles.Contains(table);

    /// <summary>Creates an op of this manifest (the caller supplies chain position and edge inputs).</summary>
    public Op CreateOp<TArgs>(Verb<TArgs> verb, TArgs args, AuthorId author, ulong seq, Hash32 prev, BranchId branch, long at, Guid opId, string? claimKey = null)
    {
        ThrowIfNotListed(verb);
        return new Op(opId, author, seq, prev, Id, verb.Name, verb.Version, branch, claimKey, at, verb.EncodeArgs(args));
    }

    /// <summary>Creates an op of this manifest from args already encoded by <see cref="Verb{TArgs}.EncodeArgs"/>: the
    /// encoding can then run before the op's place in its chain is known (off a serial signing path).</summary>
    public Op CreateOpFromEncodedArgs(Verb verb, byte[] encodedArgs, AuthorId author, ulong seq, Hash32 prev, BranchId branch, long at, Guid opId, string? claimKey = null)
    {
        ThrowIfNotListed(verb);
        ArgumentNullException.ThrowIfNull(encodedArgs);
        return new Op(opId, author, seq, prev, Id, verb.Name, verb.Version, branch, claimKey, at, encodedArgs);
    }

    private void ThrowIfNotListed(Verb verb)
    {
        ArgumentNullException.ThrowIfNull(verb);
        if (!_verbs.TryGetValue(verb.Key, out var listed) || !ReferenceEquals(listed, verb))
        {
            throw Error.Argument(nameof(verb), $"{verb.Key} is not part of manifest {Name} v{Version}.");
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"{Name} v{Version} ({Id.Hash.ToShortString()})";

    private byte[] Encode()
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        var w = new MessagePackWriter(buffer);
        w.WriteArrayHeader(5);
        w.Write("ledger/manifest/v1");
        w.Write(Name);
        w.Write(Version);
        w.WriteArrayHeader(Verbs.Count);
        foreach (var verb in Verbs)
        {
            w.WriteArrayHeader(4);
            w.Write(verb.Name);
            w.Write(verb.Version);
            w.Write(verb.Scope switch { Scope.Branch => "branch", Scope.Shared => "shared", _ => "claim" });
            w.Write(verb.ArgsSchema);
        }

        w.WriteArrayHeader(Tables.Count);
        foreach (var table in Tables)
        {
            w.WriteArrayHeader(3);
            w.Write(table.Name);
            w.Write(table.Kind.WireName());
            w.Write(table.ValueSchema);
        }

        w.Flush();
        return buffer.WrittenSpan.ToArray();
    }
}
