using System.Globalization;
using Ledger.Signing;
using Ledger.Kernel;

namespace Ledger.Sync;

/// <summary>What one sync round did.</summary>
/// <param name="Pushed">Own ops sent.</param>
/// <param name="Acknowledged">Own ops the relay now holds.</param>
/// <param name="Refused">Own ops the relay refused.</param>
/// <param name="Pulled">Ops read from the relay and folded.</param>
/// <param name="Offline">True when the relay could not be reached (nothing lost; retry later).</param>
/// <param name="RelaySize">The relay's size at the end, when reached.</param>
public sealed record SyncResult(int Pushed, int Acknowledged, int Refused, int Pulled, bool Offline, long? RelaySize);
