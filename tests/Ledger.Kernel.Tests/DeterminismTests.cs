using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using Ledger.Kernel;
using Ledger.Testing;
using Ledger.TestDomain;

namespace Ledger.Kernel.Tests;

public class DeterminismTests
{
    [Fact]
    [Trait("Risk", "D1")]
    public void Replay_hash_equals_live_hash_and_every_legal_order_gives_one_state_hash_over_1000_generated_logs()
    {
        var property = ReplayAssert.EveryLegalOrderGivesOneStateHash(TestManifest.NewKernel, TestManifest.Spec(60), ordersPerLog: 3);
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(1000).WithEndSize(60), property);
    }

    [Fact]
    [Trait("Risk", "D1")]
    public void A_live_kernel_that_hashes_after_every_op_agrees_with_a_bootstrap_midway()
    {
        foreach (var log in LedgerGen.Sample(TestManifest.Spec(200), 10, seed: 11))
        {
            var live = TestManifest.NewKernel();
            live.AdvanceRelayFrontier(long.MaxValue);
            LedgerKernel? restored = null;
            for (var i = 0; i < log.Count; i++)
            {
                live.Apply(log.Entries[i]);
                restored?.Apply(log.Entries[i]);
                if (i == log.Count / 3)
                {
                    restored = LedgerKernel.Restore(CheckpointCodec.Encode(live.CreateCheckpoint()), new KernelOptions { Manifests = new ManifestCatalog(TestManifest.V1) });
                }

                Assert.Equal(live.StateHash(), restored?.StateHash() ?? live.StateHash());
            }
        }
    }

    [Fact]
    [Trait("Risk", "D1")]
    public void The_state_hash_of_a_fixed_log_is_pinned()
    {
        var logs = LedgerGen.Sample(TestManifest.Spec(300), 3, seed: 2026);
        var lines = logs.Select((log, i) => $"log{i}.ops={log.Count} stateHash={ReplayAssert.Fold(TestManifest.NewKernel, log.Entries, frontierAtEnd: true)}");
        Golden.Match("state-hash-v1.txt", string.Join("\n", lines) + "\n");
    }

    [Theory]
    [InlineData("tr-TR")]
    [InlineData("ja-JP")]
    [InlineData("ar-SA")]
    [InlineData("")]
    [Trait("Risk", "C1")]
    [Trait("Risk", "D1")]
    public void The_state_hash_is_the_same_under_other_cultures(string culture)
    {
        var logs = LedgerGen.Sample(TestManifest.Spec(150), 5, seed: 99);
        var expected = logs.Select(l => ReplayAssert.Fold(TestManifest.NewKernel, l.Entries, true)).ToArray();
        var saved = (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture);
        try
        {
            var info = culture.Length == 0 ? CultureInfo.InvariantCulture : new CultureInfo(culture);
            CultureInfo.CurrentCulture = info;
            CultureInfo.CurrentUICulture = info;
            var actual = logs.Select(l => ReplayAssert.Fold(TestManifest.NewKernel, l.Entries, true)).ToArray();
            Assert.Equal(expected, actual);
        }
        finally
        {
            (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture) = saved;
        }
    }
}
