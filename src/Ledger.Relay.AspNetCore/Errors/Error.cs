namespace Ledger.Sync.AspNetCore;

/// <summary>The one factory for the exceptions Ledger.Relay.AspNetCore throws (configuration mistakes, mostly; requests
/// are answered with problems, never exceptions): every exception the package constructs is made here.</summary>
internal static class Error
{
    public static ArgumentException Argument(string message, string? param = null) => new(message, param);

    public static ArgumentNullException ArgumentNull(string param) => new(param);

    public static InvalidOperationException InvalidOperation(string message) => new(message);

    public static InvalidDataException InvalidData(string message) => new(message);
}
