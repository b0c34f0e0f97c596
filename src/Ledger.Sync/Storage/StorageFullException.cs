using System.Globalization;
using Ledger.Kernel;

namespace Ledger.Sync;

/// <summary>A write would take a store past its configured size cap. Nothing of the write was stored and
/// nothing stored before was lost; the message says how to make room.</summary>
public sealed class StorageFullException : LedgerException
{
    /// <summary>Creates the exception.</summary>
    public StorageFullException(string store, long sizeBytes, long capBytes, long wantedBytes, Exception? inner = null)
        : base(string.Create(CultureInfo.InvariantCulture,
            $"{store} is full: it holds {sizeBytes:N0} of its {capBytes:N0}-byte cap and this write needs about {wantedBytes:N0} more. Nothing was written. Make room: sync so the relay holds your ops, export a checkpoint, then compact — or raise the cap."), inner)
    {
        SizeBytes = sizeBytes;
        CapBytes = capBytes;
        WantedBytes = wantedBytes;
    }

    /// <summary>Bytes used.</summary>
    public long SizeBytes { get; }

    /// <summary>The cap.</summary>
    public long CapBytes { get; }

    /// <summary>About how many bytes the refused write needed.</summary>
    public long WantedBytes { get; }
}
