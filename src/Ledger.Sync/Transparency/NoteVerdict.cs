using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Ledger.Kernel;
using Ledger.Signing;

namespace Ledger.Sync;

/// <summary>The outcome of verifying a note.</summary>
/// <param name="Ok">True when a known key verified and none failed.</param>
/// <param name="Keys">The known keys whose signatures verified.</param>
/// <param name="Reason">Why it was rejected.</param>
public sealed record NoteVerdict(bool Ok, IReadOnlyList<NoteKey> Keys, string Reason)
{
    internal static NoteVerdict Accepted(IReadOnlyList<NoteKey> keys) => new(true, keys, "ok");

    internal static NoteVerdict Rejected(string reason) => new(false, [], reason);
}
