using MessagePack;

namespace Ledger.Erasure;

/// <summary>The args of <c>ledger.erase</c> v1: the subject's pseudonym, nothing else — a reason or a request
/// text could itself be personal data, and the log keeps it forever.</summary>
/// <param name="Subject">The subject id (see <see cref="SubjectId"/>).</param>
[MessagePackObject]
public sealed record EraseArgs([property: Key(0)] string Subject);
