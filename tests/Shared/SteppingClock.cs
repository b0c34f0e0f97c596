namespace Ledger.Tests;

/// <summary>A clock that advances one second per reading: deterministic edge times.</summary>
internal sealed class SteppingClock(long startUnixMs = 1_767_225_600_000) : TimeProvider
{
    private long _now = startUnixMs;

    public override DateTimeOffset GetUtcNow() => DateTimeOffset.FromUnixTimeMilliseconds(Interlocked.Add(ref _now, 1000));
}
