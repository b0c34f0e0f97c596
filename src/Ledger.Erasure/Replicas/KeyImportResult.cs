namespace Ledger.Erasure;

/// <summary>The outcome of importing a wrapped subject key.</summary>
/// <param name="Status">What happened.</param>
/// <param name="Subject">The subject, when the header named one.</param>
/// <param name="Error">For <see cref="KeyImportStatus.Invalid"/>: why.</param>
public sealed record KeyImportResult(KeyImportStatus Status, SubjectId Subject, KeyWrapException? Error = null);
