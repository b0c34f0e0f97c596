using Ledger.Kernel;
using Ledger.Migration;

namespace Ledger.Migration.Tests;

public class LockFileTests
{
    private static string GoldenPath(string name) => Golden.PathOf(name);

    private static IReadOnlyList<SequencedOp> Fixture() => FixtureLog.Decode(File.ReadAllBytes(GoldenPath("fixture.bin")));

    [Fact]
    public void The_fixture_files_are_the_deterministic_logs_they_were_generated_from()
    {
        // Created once with LEDGER_REGENERATE_GOLDEN=1; afterwards a fixture is data, only ever appended to.
        var fixture = FixtureLog.Encode(MixedLogs.Generate(seed: 2026, ops: 160));
        var v1 = MixedLogs.Generate(seed: 2027, ops: 100, tills: 3).Where(e => e.Op.Manifest == Shop.V1.Id).ToList();
        var v1Hash = new LedgerKernel(new KernelOptions { Manifests = Shop.History(withV2: false) });
        foreach (var e in v1) v1Hash.Apply(e);
        if (Golden.Regenerating)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(GoldenPath("fixture.bin"))!);
            File.WriteAllBytes(GoldenPath("fixture.bin"), fixture);
            File.WriteAllBytes(GoldenPath("fixture-v1.bin"), FixtureLog.Encode(v1));
            File.WriteAllText(GoldenPath("v1-replay-hash.txt"), v1Hash.StateHash() + "\n");
        }

        Assert.Equal(fixture, File.ReadAllBytes(GoldenPath("fixture.bin")));
        Assert.Equal(FixtureLog.Encode(v1), File.ReadAllBytes(GoldenPath("fixture-v1.bin")));
    }

    [Fact]
    [Trait("Risk", "D2")]
    public void The_checked_in_lock_file_matches_the_shipped_manifests()
    {
        // The workflow an app team runs in CI: the lock file and fixture are checked in; LEDGER_UPDATE_LOCK=1
        // records a new version (only additions); anything else is a failing test with instructions.
        LockFile.Verify(GoldenPath("manifests.lock.json"), Shop.History(), Fixture(), update: Environment.GetEnvironmentVariable("LEDGER_UPDATE_LOCK") == "1");
    }

    [Fact]
    [Trait("Risk", "D2")]
    public void Changing_a_shipped_verb_fails_the_lock_check_naming_the_verb_and_what_to_do()
    {
        var recorded = LockFile.FromJson(File.ReadAllText(GoldenPath("manifests.lock.json")));
        // The same verb type and declaration, but its body now books 10 % tax: what an innocent edit looks like.
        var edited = new ManifestBuilder("shop", 1).Tables(Shop.Invoices, Shop.Stock, Shop.Accounts, Shop.Prices)
            .Add(new PostSale(taxPercent: 10), Shop.SetStockV1, Shop.SetPriceV1).Build();
        Assert.Equal(Shop.V1.Id, edited.Id);
        var problems = LockFile.Check(recorded, LockFile.Compute(new ManifestHistory(edited, Shop.V2), Fixture(), recorded));
        var problem = Assert.Single(problems);
        Assert.Contains("shipped verb sale.post@1 (shop v1) changed behaviour", problem);
        Assert.Contains("ship the change as sale.post@2", problem);
    }

    [Fact]
    [Trait("Risk", "D2")]
    public void Ops_appended_to_the_fixture_are_not_a_change_but_an_edited_fixture_is()
    {
        var recorded = LockFile.FromJson(File.ReadAllText(GoldenPath("manifests.lock.json")));
        var fixture = Fixture().ToList();
        var appended = MixedLogs.Generate(seed: 99, ops: 30, prefix: "van").Select(e => e with { Position = null }).ToList();
        var extended = fixture.Concat(appended).ToList();
        Assert.Empty(LockFile.Check(recorded, LockFile.Compute(Shop.History(), extended, recorded)));

        var edited = fixture.Take(fixture.Count - 1).ToList();
        Assert.Contains(LockFile.Check(recorded, LockFile.Compute(Shop.History(), edited, recorded)), p => p.Contains("fixture log changed", StringComparison.Ordinal));
    }

    [Fact]
    [Trait("Risk", "D2")]
    public void A_new_manifest_must_be_recorded_and_a_removed_one_is_reported()
    {
        var recorded = LockFile.FromJson(File.ReadAllText(GoldenPath("manifests.lock.json")));
        var v1Only = LockFile.Compute(Shop.History(withV2: false), Fixture(), recorded);
        Assert.Contains(LockFile.Check(recorded, v1Only), p => p.Contains("shop v2", StringComparison.Ordinal) && p.Contains("no longer in the app", StringComparison.Ordinal));
    }

    public static TheoryData<string, string> DamagedLocks() => new()
    {
        { """{"format":"ledger/manifest-lock/v1","fixtureHash":"00","fixtureOps":1,"manifests":[{"name":"shop","version":1,"id":"ab","verbs":null}]}""", "manifests[0].verbs" },
        { """{"format":"ledger/manifest-lock/v1","fixtureHash":"00","fixtureOps":1,"manifests":null}""", "manifests" },
        { """{"format":"ledger/manifest-lock/v1","fixtureOps":1,"manifests":[]}""", "fixtureHash" },
        { """{"format":"ledger/manifest-lock/v1","fixtureHash":"00","fixtureOps":1,"manifests":[null]}""", "manifests[0]" },
        { """{"format":"ledger/manifest-lock/v1","fixtureHash":"00","fixtureOps":1,"manifests":[{"name":"shop","version":1,"id":"ab","verbs":[{"verb":"a","version":1,"scope":"shared","argsSchema":"x","fixtureOps":1}]}]}""", "manifests[0].verbs[0].replayHash" },
        { """{"format":"ledger/manifest-lock/v1","fixtureHash":"00","fixtureOps":1,"manifests":[{"name":"shop","version":-1,"id":"ab","verbs":[]}]}""", "$.manifests[0].version" },
        { """{"format":"ledger/manifest-lock/v1","fixtureHash":"00","fixtureOps":"one","manifests":[]}""", "$.fixtureOps" },
        { """{"format":"ledger/manifest-lock/v1","fixtureHash":"00",""", "line 1" },
        { "", "line 1" },
        { "[]", "$" },
    };

    [Theory]
    [MemberData(nameof(DamagedLocks))]
    [Trait("Risk", "D1")]
    [Trait("Category", "BadInput")]
    public void A_damaged_lock_file_is_refused_typed_naming_the_member_through_parse_check_and_verify(string json, string named)
    {
        var error = Assert.Throws<LockFileViolationException>(() => LockFile.FromJson(json));
        Assert.Contains("damaged", Assert.Single(error.Problems), StringComparison.Ordinal);
        Assert.Contains(named, error.Problems[0], StringComparison.Ordinal);

        var path = Path.Combine(Path.GetTempPath(), "ledger-lock-" + Guid.NewGuid().ToString("N") + ".json");
        try
        {
            File.WriteAllText(path, json);
            foreach (var update in new[] { false, true })
            {
                var verify = Assert.Throws<LockFileViolationException>(() => LockFile.Verify(path, Shop.History(), Fixture(), update));
                Assert.Contains(named, verify.Problems[0], StringComparison.Ordinal);
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    [Trait("Risk", "D1")]
    [Trait("Category", "BadInput")]
    public void Checking_a_lock_built_with_a_null_member_names_it_instead_of_crashing()
    {
        var good = LockFile.FromJson(File.ReadAllText(GoldenPath("manifests.lock.json")));
        var broken = good with { Manifests = [good.Manifests[0] with { Verbs = null! }] };
        var error = Assert.Throws<LockFileViolationException>(() => LockFile.Check(broken, good));
        Assert.Contains("manifests[0].verbs", Assert.Single(error.Problems), StringComparison.Ordinal);
        Assert.Throws<LockFileViolationException>(() => LockFile.Check(good, broken));
        Assert.Throws<LockFileViolationException>(() => LockFile.Compute(Shop.History(), Fixture(), broken));
    }

    [Fact]
    [Trait("Risk", "D1")]
    [Trait("Category", "BadInput")]
    public void A_fixture_with_a_longer_integer_form_or_a_negative_position_is_refused_typed()
    {
        var op = Fixture()[0].Op;
        var canonical = FixtureLog.Encode([new SequencedOp(op, 0)]);
        Assert.Equal(0x00, canonical[^1]);
        Assert.Equal(0L, Assert.Single(FixtureLog.Decode(canonical)).Position);

        byte[] longZero = [.. canonical[..^1], 0xcd, 0x00, 0x00];
        var error = Assert.Throws<LedgerFormatException>(() => FixtureLog.Decode(longZero));
        Assert.Equal(("fixture", "ops[].position", FormatProblem.NonCanonical), (error.Structure, error.Field, error.Problem));

        byte[] negative = [.. canonical[..^1], 0xff];
        error = Assert.Throws<LedgerFormatException>(() => FixtureLog.Decode(negative));
        Assert.Equal(("fixture", "ops[].position", FormatProblem.InvalidValue), (error.Structure, error.Field, error.Problem));
    }
}
