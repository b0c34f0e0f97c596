using Ledger.TestDomain;

namespace Ledger.Sync.Tests;

/// <summary>A device away while its relay was lost and rebuilt twice follows the second successor. Found by the fault
/// simulator (issue 14): a successor's origin names the log it continues (<c>&lt;old&gt;/after-&lt;size&gt;-&lt;root&gt;</c>),
/// so the second one is <c>&lt;old&gt;/after-…/after-…</c>, which a device pinned to <c>&lt;old&gt;</c> refused as
/// "another log" although every position it held was there.</summary>
public class RelaySuccessionTests
{
    private static Relay RelayNamed(string origin) => new(new RelayOptions { Ledger = World.Ledger, Origin = origin }, new InMemoryRelayStore());

    private static async Task<Relay> RebuiltAsync(Relay lost, params DeviceNode[] devices)
    {
        var successor = RelayNamed(RelayRebuild.SuccessorOrigin(new RelayCheckpoint(lost.Origin, lost.Size, await lost.GetRootAsync(lost.Size))));
        Assert.True((await RelayRebuild.RunAsync(devices.Select(d => d.Store).ToArray(), successor)).Complete);
        return successor;
    }

    [Fact]
    [Trait("Risk", "A2")]
    public async Task A_device_away_during_two_relay_rebuilds_follows_the_second_successor_and_checks_its_positions()
    {
        await using var away = await World.NewNodeAsync("till-1");
        await using var other = await World.NewNodeAsync("till-2");
        var first = RelayNamed("relay.example/a");
        await away.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("cash", 1));
        await away.SyncAsync(new InMemoryRelayTransport(first));
        await other.SyncAsync(new InMemoryRelayTransport(first));

        // Lost and rebuilt; the other device follows the successor and writes to it; then that one is lost and rebuilt too.
        var second = await RebuiltAsync(first, away, other);
        await other.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("cash", 2));
        await other.SyncAsync(new InMemoryRelayTransport(second));
        Assert.Equal(second.Origin, other.RelayOrigin);
        var third = await RebuiltAsync(second, away, other);
        Assert.StartsWith(first.Origin + "/after-", third.Origin, StringComparison.Ordinal);
        Assert.Contains("/after-", third.Origin[(first.Origin.Length + 7)..], StringComparison.Ordinal);

        await away.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("cash", 3));
        await away.SyncAsync(new InMemoryRelayTransport(third));
        await other.SyncAsync(new InMemoryRelayTransport(third));
        Assert.Equal(third.Origin, away.RelayOrigin);
        Assert.Equal(0, away.Durability().Local);
        Assert.Equal(other.StateHash(), away.StateHash());

        // Still only successors: a log that merely starts like one, or whose later step is malformed, is another log.
        Assert.False(RelayRebuild.IsSuccessorOf(first.Origin + "/after-3-0011223344556677/after-x", first.Origin, out _, out _));
        Assert.False(RelayRebuild.IsSuccessorOf("relay.example/b/after-3-0011223344556677/after-4-0011223344556677", first.Origin, out _, out _));
        Assert.True(RelayRebuild.IsSuccessorOf(first.Origin + "/after-3-0011223344556677/after-4-8899aabbccddeeff", first.Origin, out var size, out var root));
        Assert.Equal(3, size);
        Assert.Equal(Convert.FromHexString("0011223344556677"), root.ToArray());
    }
}
