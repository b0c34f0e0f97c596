namespace Ledger.Sync;

/// <summary>Ops served by a relay from a position.</summary>
/// <param name="Ops">(position, signed op bytes), in order.</param>
/// <param name="RelaySize">The relay's size when it answered: the caller holds the prefix once it has read up to it.</param>
/// <param name="Checkpoint">The relay-signed checkpoint of exactly the prefix the caller holds after these ops
/// (size = first position + count), when the relay signs checkpoints.</param>
/// <param name="Origin">The origin of the log the positions belong to (null from transports that do not say).</param>
public sealed record PullResponse(IReadOnlyList<(long Position, ReadOnlyMemory<byte> Bytes)> Ops, long RelaySize, byte[]? Checkpoint = null, string? Origin = null);
