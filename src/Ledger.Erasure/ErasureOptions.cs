using System.Security.Cryptography;

namespace Ledger.Erasure;

/// <summary>Configuration of Ledger.Erasure.</summary>
public sealed class ErasureOptions
{
    /// <summary>The ledger. Required.</summary>
    public string Ledger { get; set; } = "";

    /// <summary>Randomness for subject ids, keys and nonces; null uses the system generator.</summary>
    public RandomNumberGenerator? Random { get; set; }
}
