using Ledger.Kernel;

namespace Ledger.Sync;

/// <summary>A signed op as a relay stores it: its position in the total order and its exact bytes.</summary>
/// <param name="Position">The relay position (leaf index), from 0.</param>
/// <param name="Author">The author.</param>
/// <param name="Seq">The author's seq.</param>
/// <param name="Hash">The chain hash (SHA-256 of the bytes).</param>
/// <param name="Bytes">The signed op bytes.</param>
/// <param name="IsKeyEvent">True for key events (the relay rebuilds key state from them).</param>
public sealed record StoredOp(long Position, AuthorId Author, ulong Seq, Hash32 Hash, ReadOnlyMemory<byte> Bytes, bool IsKeyEvent);
