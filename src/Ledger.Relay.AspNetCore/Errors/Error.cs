namespace Ledger.Sync.AspNetCore;

/// <summary>The one factory for the exceptions Ledger.Relay.AspNetCore throws (configuration mistakes, mostly; requests
/// are answered with problems, never exceptions): every exception the package constructs is made here.</summary>
internal static class Error
{
    public static ArgumentException Argument(string message, string? param = null) => new(message, param);

    public static ArgumentNullException ArgumentNull(string param) => new(param);

    public static InvalidOperationException InvalidOperation(string message) => new(message);

    public static InvalidDataException InvalidData(string message) => new(message);

    /// <summary>A node store the monitor reads (<see cref="NodeStoreSnapshot"/>) that is not what a device wrote.</summary>
    public static StoreDamagedException StoreDamaged(string where, string detail, Exception? inner = null) => new("the node store", where, detail, inner);
}
