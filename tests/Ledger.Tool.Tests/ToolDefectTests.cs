using System.Text.RegularExpressions;
using Ledger.Kernel;
using Ledger.Signing;
using Ledger.Sync;

namespace Ledger.Tool.Tests;

/// <summary>Witnesses of the defects of issue 15: each failed before its fix.</summary>
public partial class ToolDefectTests
{
    [Fact]
    [Trait("Category", "BadInput")]
    public async Task Rebuild_from_a_file_that_is_not_a_node_store_exits_1_with_one_line_naming_it()
    {
        var files = await ToolFiles.Make();
        foreach (var input in new[] { files.Junk, files.ChainFile, files.RelayStore })
        {
            var run = ToolRun.Of("", "rebuild", "--from", input, "--out", Path.Combine(files.Folder, "new-relay.db"));
            Assert.True(run.ExitCode == 1, run.ToString());
            Assert.Equal($"ledger rebuild: '{input}' is not a node store", run.Error.Split(':')[0] + ":" + run.Error.Split(':')[1]);
            Assert.Single(run.Error.TrimEnd().Split('\n'));
            Assert.False(File.Exists(Path.Combine(files.Folder, "new-relay.db")));
        }
    }

    [Fact]
    [Trait("Category", "BadInput")]
    public async Task Rebuild_from_another_programs_SQLite_file_leaves_it_byte_for_byte_as_it_was()
    {
        var files = await ToolFiles.Make();
        var before = ToolFiles.Hashes(files.Folder);
        var run = ToolRun.Of("", "rebuild", "--from", files.ForeignSqlite, "--out", Path.Combine(files.Folder, "new-relay.db"));
        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains("is not a node store: it has no table 'ops', 'meta', 'witness', 'relay'", run.Error);
        Assert.Equal(before, ToolFiles.Hashes(files.Folder));
    }

    [Fact]
    [Trait("Category", "BadInput")]
    [Trait("Risk", "G3")]
    public async Task A_node_store_written_by_a_newer_schema_is_refused_with_update_the_tool_and_left_unchanged()
    {
        var files = await ToolFiles.Make();
        var store = files.NodeStores[0];
        using (var db = new Microsoft.Data.Sqlite.SqliteConnection(new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder { DataSource = store, Pooling = false }.ToString()))
        {
            db.Open();
            using var c = db.CreateCommand();
            c.CommandText = "PRAGMA user_version = 6;";
            c.ExecuteNonQuery();
        }

        var before = ToolFiles.Hashes(files.Folder);
        var run = ToolRun.Of("", "rebuild", "--from", store, "--out", Path.Combine(files.Folder, "new-relay.db"));
        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains("written by a newer Ledger (schema 6; this tool reads up to 5): update the tool", run.Error, StringComparison.Ordinal);
        Assert.Single(run.Error.TrimEnd().Split('\n'));
        Assert.Equal(before, ToolFiles.Hashes(files.Folder));
    }

    [Fact]
    public async Task Rebuild_from_real_node_stores_leaves_them_byte_for_byte_as_they_were()
    {
        var files = await ToolFiles.Make();
        var before = ToolFiles.Hashes(files.Folder);
        var output = Path.Combine(files.Folder, "new-relay.db");
        var run = ToolRun.Of("", ["rebuild", .. files.NodeStores.SelectMany(s => new[] { "--from", s }), "--out", output]);
        Assert.True(run.ExitCode == 0, run.ToString());
        var after = ToolFiles.Hashes(files.Folder);
        Assert.True(after.Remove("new-relay.db"));
        Assert.Equal(string.Join('\n', before), string.Join('\n', after));
    }

    /// <summary>Where the signed op and the op inside it start in <paramref name="file"/>: found by their bytes.</summary>
    private static (int SignedOp, int Op) Where(byte[] file, SignedOp op)
    {
        var signed = file.AsSpan().IndexOf(op.Bytes.Span);
        var inner = file.AsSpan().IndexOf(op.Op.CanonicalBytes.Span);
        Assert.True(signed > 0 && inner > signed);
        return (signed, inner);
    }

    [GeneratedRegex(@"at byte (\d+)")]
    private static partial Regex AtByte();

    private static long[] Offsets(string error) => AtByte().Matches(error).Select(m => long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToArray();

    [Fact]
    [Trait("Category", "BadInput")]
    public async Task Verify_reports_the_file_offset_of_a_broken_signed_op_and_of_a_broken_op_inside_it()
    {
        var files = await ToolFiles.Make();
        var file = File.ReadAllBytes(files.ChainFile);
        var (_, ops) = ChainFile.Decode(file);
        var third = ops[2];
        var (signedAt, opAt) = Where(file, third);

        // The op's envelope header (a fixarray of 12) made 13; the signed op's header (5) made 4.
        foreach (var (at, expected) in new[] { (opAt, opAt), (signedAt, signedAt) })
        {
            var tampered = (byte[])file.Clone();
            tampered[at] ^= 0x01;
            var path = Path.Combine(files.Folder, $"tampered-{at}.chain");
            File.WriteAllBytes(path, tampered);
            var run = ToolRun.Of("", "verify", path);
            Assert.True(run.ExitCode == 1, run.ToString());
            Assert.Contains("op 2, ", run.Error);
            Assert.Equal([expected], Offsets(run.Error));
        }
    }

    [Fact]
    [Trait("Category", "BadInput")]
    public async Task Export_inspect_reports_the_file_offset_of_a_broken_op_inside_a_record()
    {
        var files = await ToolFiles.Make();
        var file = File.ReadAllBytes(files.Export);
        var export = NodeExport.Decode(file);
        var record = export.Records[3];
        var op = SignedOpCodec.Decode(record.Bytes);
        var (_, opAt) = Where(file, op);
        var tampered = (byte[])file.Clone();
        tampered[opAt] ^= 0x01;
        File.WriteAllBytes(files.Export, tampered);
        var run = ToolRun.Of("", "export", "inspect", files.Export);
        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains("records[3].bytes", run.Error);
        Assert.Equal([opAt], Offsets(run.Error));
    }
}
