using Ledger.Kernel;

namespace Ledger.Sync;

/// <summary>One device's latest beacon as a relay store keeps it: the verified envelope's bytes (docs/wire-format.md,
/// "Beacon v1"), its author and send time (what "latest" is decided by), and when the relay received it (what
/// "silent" is measured from).</summary>
/// <param name="Author">The beacon's author.</param>
/// <param name="SentAtUnixMs">When the device sent it, by the device's clock (<see cref="NodeBeacon.SentAtUnixMs"/>).</param>
/// <param name="ReceivedAt">When the relay received it, by the relay's clock.</param>
/// <param name="Bytes">The signed envelope, exactly as received.</param>
public sealed record BeaconRecord(AuthorId Author, long SentAtUnixMs, DateTimeOffset ReceivedAt, ReadOnlyMemory<byte> Bytes);
