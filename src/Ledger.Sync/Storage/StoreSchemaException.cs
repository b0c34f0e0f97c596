using Ledger.Kernel;

namespace Ledger.Sync;

/// <summary>A store file could not be opened as what it was asked to be: it was written by a newer Ledger, it is
/// not a SQLite database, or it is another application's database. The file was not changed.</summary>
public sealed class StoreSchemaException : LedgerException
{
    /// <summary>Creates the exception.</summary>
    public StoreSchemaException(string path, int? foundVersion, int supportedVersion, string message, Exception? inner = null)
        : base(message, inner)
    {
        Path = path;
        FoundVersion = foundVersion;
        SupportedVersion = supportedVersion;
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>The schema version the file records, when it records one.</summary>
    public int? FoundVersion { get; }

    /// <summary>The newest schema version this build reads.</summary>
    public int SupportedVersion { get; }
}
