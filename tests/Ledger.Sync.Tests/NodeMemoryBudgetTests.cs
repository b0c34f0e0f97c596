using Ledger.Kernel;
using Ledger.TestDomain;

namespace Ledger.Sync.Tests;

/// <summary>Risk B1 on a node: a budget with a SQLite segment store, reported by Health(); damage in the store is a
/// typed error and a finding, never folded.</summary>
public sealed class NodeMemoryBudgetTests
{
    /// <summary>The till node every test here folds: a state budget of <paramref name="budget"/> bytes over <paramref name="segments"/>.</summary>
    private static Task<DeviceNode> InceptBudgetedAsync(SqliteSegmentStore segments, long budget)
    {
        var options = World.Options();
        options.StateMemoryBudget = budget;
        options.SegmentStore = segments;
        return DeviceNode.InceptAsync(options, new InMemoryNodeStore(), World.Key("till", 0), "till", World.Key("till", 1).Public.Digest);
    }

    [Fact]
    [Trait("Risk", "B1")]
    public async Task A_node_under_a_state_budget_reports_evictions_and_loads_and_folds_to_the_unbudgeted_hash()
    {
        var dir = World.TempDir();
        using var segments = new SqliteSegmentStore(Path.Combine(dir, "segments.db"));
        await using var node = await InceptBudgetedAsync(segments, 2_000);
        await using var plain = await World.NewNodeAsync("till");
        for (var i = 0; i < 120; i++)
        {
            var args = new NoteArgs("n" + i, new string('x', 40));
            var branch = "b" + (i % 12);
            await node.AppendAsync(TestManifest.V1, TestManifest.PutNote, args, branch);
            await plain.AppendAsync(TestManifest.V1, TestManifest.PutNote, args, branch);
        }

        Assert.Equal(plain.StateHash(), node.StateHash());
        var health = node.Health();
        Assert.NotNull(health.Memory);
        Assert.Equal(2_000, health.Memory!.Budget);
        Assert.True(health.Memory.Evictions > 0, health.Memory.ToString());
        Assert.True(health.Memory.ResidentBytes <= 2_000, health.Memory.ToString());
        Assert.True(segments.Count > 0);
        Assert.DoesNotContain(health.Findings, f => f.Code is HealthCodes.SegmentDamaged or HealthCodes.StateOverBudget);

        // Reading rows back loads their segments from the file, verified.
        Assert.True(node.Read(k => k.State.TryGet(Tables.Notes, new BranchId(node.Author, "b3"), "n3", out var note) && note.Text.Length == 40));
        Assert.True(node.Health().Memory!.Loads > 0);
    }

    [Fact]
    [Trait("Risk", "B1")]
    public async Task A_changed_row_in_the_sqlite_segment_store_is_refused_as_damaged_and_reported_by_health()
    {
        var dir = World.TempDir();
        using var segments = new SqliteSegmentStore(Path.Combine(dir, "segments.db"));
        await using var node = await InceptBudgetedAsync(segments, 0);
        await node.AppendAsync(TestManifest.V1, TestManifest.PutNote, new NoteArgs("n", "text"));
        var notes = new SegmentId("notes", node.Author.Value + "/main");
        var rows = segments.Read(notes)!;
        rows[^1] ^= 0x01;
        segments.Overwrite(notes, rows);

        var e = Assert.Throws<SegmentDamagedException>(() => node.Read(k => k.State.TryGet(Tables.Notes, new BranchId(node.Author, "main"), "n", out _)));
        Assert.Equal(notes, e.Segment);
        var health = node.Health();
        Assert.Contains(health.Findings, f => f.Code == HealthCodes.SegmentDamaged && f.Severity == HealthSeverity.Critical);
        Assert.Equal(1, health.Memory!.FailedLoads);
    }

    [Fact]
    [Trait("Risk", "B1")]
    public async Task A_changed_provenance_record_in_the_sqlite_segment_store_is_a_typed_error_naming_it_and_the_node_folds_on()
    {
        var dir = World.TempDir();
        using var segments = new SqliteSegmentStore(Path.Combine(dir, "segments.db"));
        await using var node = await InceptBudgetedAsync(segments, 0);
        await using var plain = await World.NewNodeAsync("till");
        var first = await node.AppendAsync(TestManifest.V1, TestManifest.PutNote, new NoteArgs("n", "text"));
        await plain.AppendAsync(TestManifest.V1, TestManifest.PutNote, new NoteArgs("n", "text"));
        var notes = new SegmentId("notes", node.Author.Value + "/main");
        Assert.Equal([first.Op], node.Read(k => k.Provenance!.For(notes, "n")));

        // The segment's provenance went to the file with it, as the record "$prov#0#notes" (docs/architecture.md).
        var record = new SegmentId("$prov#0#notes", notes.Branch);
        var bytes = segments.Read(record)!;
        bytes[^1] ^= 0x01;
        segments.Overwrite(record, bytes);
        var e = Assert.Throws<SegmentDamagedException>(() => node.Read(k => k.Provenance!.For(notes, "n")));
        Assert.Equal(record, e.Segment);

        // The fold never reads provenance back: the node goes on to the unbudgeted hash.
        await node.AppendAsync(TestManifest.V1, TestManifest.PutNote, new NoteArgs("n", "more"));
        await plain.AppendAsync(TestManifest.V1, TestManifest.PutNote, new NoteArgs("n", "more"));
        Assert.Equal(plain.StateHash(), node.StateHash());
        Assert.Throws<SegmentDamagedException>(() => node.Read(k => k.Provenance!.For(notes, "n")));
    }
}
