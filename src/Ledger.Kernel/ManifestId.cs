namespace Ledger.Kernel;

/// <summary>The content hash of a manifest: the id every op records to say which verb semantics it was
/// authored under.</summary>
public readonly record struct ManifestId(Hash32 Hash)
{
    /// <summary>Parses 64 hexadecimal characters.</summary>
    public static ManifestId Parse(string hex) => new(Hash32.Parse(hex));

    /// <summary>Lower-case hexadecimal.</summary>
    public override string ToString() => Hash.ToString();
}
