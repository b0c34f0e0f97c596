using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Ledger.Kernel;
using Ledger.Signing;

namespace Ledger.Sync;

/// <summary>One signature line of a note.</summary>
/// <param name="Name">The key name.</param>
/// <param name="KeyId">The 4-byte key id.</param>
/// <param name="Signature">The signature bytes (after the key id).</param>
public sealed record NoteSignature(string Name, uint KeyId, byte[] Signature);
