namespace Ledger.Kernel;

/// <summary>The base of every exception Ledger throws on purpose.</summary>
public class LedgerException : Exception
{
    /// <summary>Creates the exception.</summary>
    public LedgerException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    public LedgerException(string message, Exception? inner) : base(message, inner)
    {
    }
}
