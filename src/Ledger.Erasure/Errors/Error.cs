using Ledger.Kernel;
using MessagePack;

namespace Ledger.Erasure;

/// <summary>The one factory for the exceptions Ledger.Erasure throws (as the kernel's <c>Error</c>): every exception
/// the package constructs is made here. Parameters come in the order of each exception's constructor.
/// Ledger.Erasure.Sqlite, which sees these internals and shares the namespace, uses this factory too.</summary>
internal static class Error
{
    public static ArgumentException Argument(string message, string? param = null) => new(message, param);

    public static ArgumentNullException ArgumentNull(string param) => new(param);

    public static ArgumentOutOfRangeException OutOfRange(string param, string? message = null) => message is null ? new(param) : new(param, message);

    public static InvalidOperationException InvalidOperation(string message, Exception? inner = null) => new(message, inner);

    public static LedgerFormatException Decode(string structure, string field, FormatProblem problem, long offset, string detail, long? opIndex = null, Exception? inner = null) =>
        new(structure, field, problem, offset, detail, opIndex, inner);

    /// <summary>For MessagePack formatters: the serializer wraps it, and the decoders turn it into their typed error.</summary>
    public static MessagePackSerializationException Serialization(string message) => new(message);

    public static KeyWrapException KeyWrap(KeyWrapProblem problem, string detail, SubjectId subject = default) => new(problem, detail, subject);

    public static SealedFieldException SealedField(OpRef? op, string field, SealedFieldProblem problem, string detail) => new(op, field, problem, detail);

    public static SubjectKeyUnavailableException SubjectKeyUnavailable(SubjectId subject, SubjectKeyStatus status) => new(subject, status);

    public static SubjectKeyStoreException SubjectKeyStore(string store, string message, Exception? inner = null) => new(store, message, inner);
}
