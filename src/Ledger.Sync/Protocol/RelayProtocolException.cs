using Ledger.Kernel;

namespace Ledger.Sync;

/// <summary>The relay refused a request as a whole (not one op of a push): the request is malformed or asks for
/// something outside the relay's log. Repeating the same request gets the same answer.</summary>
public sealed class RelayProtocolException : LedgerException
{
    /// <summary>Creates the exception.</summary>
    public RelayProtocolException(RelayCall call, RelayErrorCode code, string detail)
        : base($"the relay refused {call}: {detail}")
    {
        Call = call;
        Code = code;
        Detail = detail;
    }

    /// <summary>The call refused.</summary>
    public RelayCall Call { get; }

    /// <summary>Why, as a stable code.</summary>
    public RelayErrorCode Code { get; }

    /// <summary>What exactly, for people.</summary>
    public string Detail { get; }
}
