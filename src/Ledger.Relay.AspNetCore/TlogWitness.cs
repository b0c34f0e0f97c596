using Ledger.Sync;

namespace Ledger.Sync.AspNetCore;

/// <summary>An external witness speaking C2SP tlog-witness: where its <c>add-checkpoint</c> lives and the cosignature
/// key (type 0x04, <see cref="NoteKey.Cosignature"/>) its answers are checked against.</summary>
/// <param name="SubmissionPrefix">The witness's submission prefix; the relay posts to <c>&lt;prefix&gt;/add-checkpoint</c>.</param>
/// <param name="Key">The witness's cosignature key; cosignatures from any other key are ignored.</param>
public sealed record TlogWitness(Uri SubmissionPrefix, NoteKey Key);
