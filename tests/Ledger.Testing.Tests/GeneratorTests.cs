using FsCheck;
using FsCheck.Fluent;
using Ledger.Kernel;
using Ledger.TestDomain;

namespace Ledger.Testing.Tests;

public class GeneratorTests
{
    [Fact]
    public void Generated_logs_are_valid_chains_in_relay_order()
    {
        foreach (var log in LedgerGen.Sample(TestManifest.Spec(100), 50, seed: 1))
        {
            var kernel = TestManifest.NewKernel();
            kernel.AdvanceRelayFrontier(long.MaxValue);
            // Apply throws on any gap, broken prev or claim out of order.
            foreach (var entry in log.Entries) kernel.Apply(entry);
            Assert.Equal(log.Count, kernel.AcceptedOps);
            Assert.Equal(Enumerable.Range(0, log.Count).Select(i => (long?)i), log.Entries.Select(e => e.Position));
        }
    }

    [Fact]
    public void Generated_logs_exercise_every_scope_claims_and_refusals()
    {
        var logs = LedgerGen.Sample(TestManifest.Spec(100), 30, seed: 2);
        var outcomes = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var log in logs)
        {
            var kernel = TestManifest.NewKernel();
            kernel.AdvanceRelayFrontier(long.MaxValue);
            foreach (var r in log.Entries.Select(kernel.Apply))
            {
                var key = r.Status == ApplyStatus.Refused ? r.RefusalCode!.Split(':')[0] : r.LostClaim ? "lost-claim" : r.Status.ToString();
                outcomes[key] = outcomes.GetValueOrDefault(key) + 1;
            }
        }

        foreach (var expected in new[] { "Folded", "lost-claim", "scope", "merge", "owner", "claimkey", "args", "rule", "fault" })
        {
            Assert.True(outcomes.GetValueOrDefault(expected) > 0, $"no '{expected}' outcome in 30 generated logs: {string.Join(", ", outcomes)}");
        }
    }

    [Fact]
    public void Legal_orders_keep_each_authors_order_and_each_claim_keys_relay_order()
    {
        var log = LedgerGen.Sample(TestManifest.Spec(200), 1, seed: 3)[0];
        for (var seed = 0; seed < 50; seed++)
        {
            var order = LedgerGen.LegalOrder(log.Entries, seed);
            Assert.Equal(log.Count, order.Count);
            foreach (var byAuthor in order.GroupBy(e => e.Op.Author))
            {
                Assert.Equal(byAuthor.Select(e => e.Op.Seq).Order(), byAuthor.Select(e => e.Op.Seq));
            }

            foreach (var byKey in order.Where(e => e.Op.ClaimKey is not null).GroupBy(e => e.Op.ClaimKey))
            {
                Assert.Equal(byKey.Select(e => e.Position).Order(), byKey.Select(e => e.Position));
            }
        }
    }

    [Fact]
    public void Legal_orders_actually_reorder()
    {
        var log = LedgerGen.Sample(TestManifest.Spec(100), 1, seed: 4)[0];
        var distinct = Enumerable.Range(0, 20).Select(s => string.Join(",", LedgerGen.LegalOrder(log.Entries, s).Select(e => e.Position))).Distinct().Count();
        Assert.True(distinct > 15);
    }
}
