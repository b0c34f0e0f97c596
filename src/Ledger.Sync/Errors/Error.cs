using Ledger.Kernel;
using Ledger.Signing;

namespace Ledger.Sync;

/// <summary>The one factory for the exceptions Ledger.Sync throws (as the kernel's <c>Error</c>): every exception the
/// package constructs is made here, so the types and the shape of their messages stay uniform and can be reviewed in
/// one place. Parameters come in the order of each exception's constructor. Ledger.Sync.Sqlite and Ledger.Sync.PostgreSql,
/// which see these internals and share the namespace, use this factory too.</summary>
internal static class Error
{
    public static ArgumentException Argument(string message, string param) => new(message, param);

    public static ArgumentNullException ArgumentNull(string param) => new(param);

    public static ArgumentOutOfRangeException OutOfRange(string param, string message) => new(param, message);

    public static InvalidOperationException InvalidOperation(string message, Exception? inner = null) => new(message, inner);

    public static KeyNotFoundException KeyNotFound(string message) => new(message);

    public static LedgerFormatException Decode(string structure, string field, FormatProblem problem, long offset, string detail, long? opIndex = null, Exception? inner = null) =>
        new(structure, field, problem, offset, detail, opIndex, inner);

    /// <summary>Another relay instance took an (author, seq) of the batch first; nothing of it was stored.</summary>
    public static RelayStoreConflictException RelayStoreConflict(string message, Exception? inner = null) => new(message, inner);

    /// <summary>The store's server cannot be reached or ended the session; nothing of the call was stored.</summary>
    public static StoreUnavailableException StoreUnavailable(string store, string detail, Exception? inner = null) => new(store, detail, inner);

    /// <summary>The relay served something a node cannot trust, or a sync round failed; nothing of it was stored.</summary>
    public static SyncException Sync(string message, Exception? inner = null) => new(message, inner);

    /// <summary>A store holds data that is not what was written (or was rolled back).</summary>
    public static StoreDamagedException StoreDamaged(string store, string where, string detail, Exception? inner = null) => new(store, where, detail, inner);

    public static StorageFullException StorageFull(string store, long sizeBytes, long capBytes, long wantedBytes, Exception? inner = null) =>
        new(store, sizeBytes, capBytes, wantedBytes, inner);

    public static StoreSchemaException StoreSchema(string path, int? foundVersion, int supportedVersion, string message, Exception? inner = null) =>
        new(path, foundVersion, supportedVersion, message, inner);

    public static RecoveryException Recovery(string message) => new(message);

    public static ExportException Export(string message) => new(message);

    public static RebuildException Rebuild(string message) => new(message);

    public static RelayUnavailableException RelayUnavailable(string message, Exception? inner = null) => new(message, inner);

    public static RelayFrozenException RelayFrozen(string message) => new(message);

    public static RelayProtocolException Protocol(RelayCall call, RelayErrorCode code, string detail) => new(call, code, detail);

    public static OpRefusedException OpRefused(OpRef op, string reason) => new(op, reason);

    /// <summary>A relay refused a posted bootstrap checkpoint; nothing was kept.</summary>
    public static BootstrapRefusedException BootstrapRefused(BootstrapRefusal refusal, string detail) => new(refusal, detail);

    /// <summary>A sync round's own store could not give the bytes of own ops to push (caught within the round).</summary>
    public static RelayFollower.OwnOpsUnreadableException OwnOpsUnreadable(Exception inner) => new(inner);
}
