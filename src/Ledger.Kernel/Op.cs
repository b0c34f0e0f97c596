namespace Ledger.Kernel;

/// <summary>An immutable fact: one entry of an author's chain. Everything a verb needs that is not in
/// the state is in the op; the kernel reads no clock, randomness, network, environment or culture.</summary>
/// <remarks>The canonical bytes (<see cref="OpCodec"/>) are computed once and cached. <see cref="ChainHash"/>
/// is the hash the author's next op names as <see cref="Prev"/>: the SHA-256 of the canonical bytes for
/// a plain op, the SHA-256 of the signed bytes once Ledger.Signing wraps it.</remarks>
public sealed class Op
{
    /// <summary>The longest verb name, in bytes.</summary>
    public const int MaxVerbLength = 64;

    /// <summary>The longest claim key, in bytes.</summary>
    public const int MaxClaimKeyLength = 128;

    /// <summary>The largest args payload, in bytes.</summary>
    public const int MaxArgsLength = 1 << 20;

    private byte[]? _bytes;
    private Hash32? _chainHash;

    /// <summary>Creates an op, validating every field.</summary>
    /// <exception cref="ArgumentException">A field breaks its rule (see each property).</exception>
    public Op(Guid opId, AuthorId author, ulong seq, Hash32 prev, ManifestId manifest, string verb, uint verbVersion,
        BranchId branch, string? claimKey, long at, ReadOnlyMemory<byte> args)
    {
        if (author.IsDefault) throw Error.Argument(nameof(author), "an op needs an author.");
        if (seq == 0) throw Error.Argument(nameof(seq), "sequence numbers start at 1.");
        if (seq == 1 && !prev.IsZero) throw Error.Argument(nameof(prev), "the first op of a chain has a zero Prev.");
        if (seq > 1 && prev.IsZero) throw Error.Argument(nameof(prev), "only the first op of a chain has a zero Prev.");
        if (!IsValidVerbName(verb)) throw Error.Argument(nameof(verb), $"a verb name is 1-{MaxVerbLength} characters of [a-z0-9._-]; got '{Error.Printable(verb)}'.");
        if (verbVersion == 0) throw Error.Argument(nameof(verbVersion), "verb versions start at 1.");
        if (branch.IsDefault) throw Error.Argument(nameof(branch), "an op names the branch it belongs to.");
        if (claimKey is not null && !IsValidClaimKey(claimKey)) throw Error.Argument(nameof(claimKey), $"a claim key is 1-{MaxClaimKeyLength} characters of [A-Za-z0-9._:/-]; got '{Error.Printable(claimKey)}'.");
        if (args.Length > MaxArgsLength) throw Error.Argument(nameof(args), $"args are limited to {MaxArgsLength} bytes.");

        OpId = opId;
        Author = author;
        Seq = seq;
        Prev = prev;
        Manifest = manifest;
        Verb = verb;
        VerbVersion = verbVersion;
        Branch = branch;
        ClaimKey = claimKey;
        At = at;
        Args = args;
    }

    private Op(Op source, Hash32 chainHash)
    {
        OpId = source.OpId;
        Author = source.Author;
        Seq = source.Seq;
        Prev = source.Prev;
        Manifest = source.Manifest;
        Verb = source.Verb;
        VerbVersion = source.VerbVersion;
        Branch = source.Branch;
        ClaimKey = source.ClaimKey;
        At = source.At;
        Args = source.Args;
        _bytes = source._bytes;
        _chainHash = chainHash;
    }

    /// <summary>A UUIDv7 minted at the edge. Informational: nothing relies on its uniqueness.</summary>
    public Guid OpId { get; }

    /// <summary>The author (device) whose chain holds this op.</summary>
    public AuthorId Author { get; }

    /// <summary>Position in the author's chain: 1, 2, 3 … without gaps.</summary>
    public ulong Seq { get; }

    /// <summary>The <see cref="ChainHash"/> of the author's previous op; zero for <see cref="Seq"/> 1.</summary>
    public Hash32 Prev { get; }

    /// <summary>The manifest the op was authored under; replay applies that manifest's verb semantics.</summary>
    public ManifestId Manifest { get; }

    /// <summary>The verb name.</summary>
    public string Verb { get; }

    /// <summary>The verb version, which the manifest must list.</summary>
    public uint VerbVersion { get; }

    /// <summary>The branch the op belongs to. A Branch-scoped op must be authored by its owner.</summary>
    public BranchId Branch { get; }

    /// <summary>For Claim ops only: the resource claimed. In the envelope so that relays, generators and
    /// rebuilds see the ordering constraint without folding.</summary>
    public string? ClaimKey { get; }

    /// <summary>The edge wall-clock time in milliseconds since the Unix epoch (UTC): an input like any other.</summary>
    public long At { get; }

    /// <summary>The verb's arguments, MessagePack-encoded.</summary>
    public ReadOnlyMemory<byte> Args { get; }

    /// <summary>(Author, Seq).</summary>
    public OpRef Ref => new(Author, Seq);

    /// <summary>The hash the author's next op names as <see cref="Prev"/>.</summary>
    public Hash32 ChainHash => _chainHash ??= Hash32.Sha256(CanonicalBytes.Span);

    /// <summary>The canonical encoding (see docs/wire-format.md). Cached; never mutate.</summary>
    public ReadOnlyMemory<byte> CanonicalBytes => _bytes ??= OpCodec.EncodeFields(this);

    /// <summary>This op with an explicit chain hash, as Ledger.Signing sets it to the hash of the signed bytes.</summary>
    public Op WithChainHash(Hash32 chainHash) => new(this, chainHash);

    internal void SetCanonicalBytes(byte[] bytes) => _bytes = bytes;

    /// <summary>Verb names: 1-64 characters of [a-z0-9._-].</summary>
    public static bool IsValidVerbName(string? verb)
    {
        if (verb is null || verb.Length is 0 or > MaxVerbLength) return false;
        foreach (var c in verb)
        {
            if (c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9') or '.' or '_' or '-')) return false;
        }

        return true;
    }

    /// <summary>Claim keys: 1-128 characters of [A-Za-z0-9._:/-].</summary>
    public static bool IsValidClaimKey(string? key)
    {
        if (key is null || key.Length is 0 or > MaxClaimKeyLength) return false;
        foreach (var c in key)
        {
            if (c is not ((>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '.' or '_' or '-' or ':' or '/')) return false;
        }

        return true;
    }

    /// <inheritdoc />
    public override string ToString() => $"{Ref} {Verb}@{VerbVersion} on {Branch}" + (ClaimKey is null ? "" : $" claim {ClaimKey}");
}
