namespace Ledger.Sync;

/// <summary>Why a relay answered a request with an error instead of a result (docs/wire-format.md, "Relay protocol v1").</summary>
public enum RelayErrorCode
{
    /// <summary>The request is not a well-formed request of this protocol version (its bytes, or an argument's type or form).</summary>
    BadRequest = 1,

    /// <summary>An argument is well formed but outside what the relay holds (a size beyond its log, sizes out of order).</summary>
    OutOfRange = 2,

    /// <summary>The relay failed while answering (its store, say); the call may be repeated later.</summary>
    Failed = 3,
}
