using Ledger.Kernel;

namespace Ledger.Sync;

/// <summary>An op a node holds, as its store keeps it.</summary>
/// <param name="Op">(author, seq).</param>
/// <param name="Bytes">The signed op bytes.</param>
/// <param name="Own">True for the node's own ops.</param>
/// <param name="Position">The relay position, once known (for others' ops: always).</param>
/// <param name="RefusedBy">For own ops the relay refused: why.</param>
public sealed record NodeOpRecord(OpRef Op, ReadOnlyMemory<byte> Bytes, bool Own, long? Position, string? RefusedBy = null);
