namespace Ledger.Sync;

/// <summary>What a relay did with one op of a batch.</summary>
public enum IngestStatus
{
    /// <summary>Stored at a new position.</summary>
    Accepted = 1,

    /// <summary>Stored before (same author, seq and hash): its original position is returned.</summary>
    Duplicate = 2,

    /// <summary>Not stored; see <see cref="IngestRefusal"/>.</summary>
    Refused = 3,
}
