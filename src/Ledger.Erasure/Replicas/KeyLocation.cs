using Ledger.Kernel;

namespace Ledger.Erasure;

/// <summary>What one replica reports about a subject's key when an erasure locates it.</summary>
/// <param name="Replica">The replica.</param>
/// <param name="Subject">The subject.</param>
/// <param name="Status">Held, shredded or unknown there.</param>
public sealed record KeyLocation(AuthorId Replica, SubjectId Subject, SubjectKeyStatus Status);
