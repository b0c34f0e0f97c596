using System.Text;
using System.Text.Json;
using Ledger.Kernel;
using Ledger.Signing;
using Ledger.Sync;

namespace Ledger.Tool.Tests;

/// <summary>The commands that get bytes out of a running system: chain files, checkpoint notes.</summary>
public class NewCommandTests
{
    [Fact]
    public async Task Chain_export_writes_each_authors_chain_that_verify_accepts_and_the_relay_holds_byte_for_byte()
    {
        var files = await ToolFiles.Make();
        var output = Path.Combine(files.Folder, "out.chain");
        var run = ToolRun.Of("", "chain", "export", files.NodeStores[1], "--out", output);
        Assert.True(run.ExitCode == 0, run.ToString());
        var (ledger, ops) = ChainFile.Decode(File.ReadAllBytes(output));
        Assert.Equal(ToolFiles.LedgerName, ledger);
        var relayOps = (await files.Relay.PullAsync(0)).Ops.Select(o => o.Bytes.ToArray()).ToHashSet(new BytesComparer());
        Assert.All(ops, o => Assert.Contains(o.Bytes.ToArray(), relayOps));
        Assert.Equal(3, ops.Select(o => o.Op.Author).Distinct().Count());
        var verify = ToolRun.Of("", "verify", output, "--json");
        Assert.True(verify.ExitCode == 0, verify.ToString());
        using var json = JsonDocument.Parse(verify.Output);
        Assert.True(json.RootElement.GetProperty("ok").GetBoolean());
        Assert.Equal(3, json.RootElement.GetProperty("authors").GetArrayLength());

        // One author only.
        var author = ops[0].Op.Author.Value;
        var one = Path.Combine(files.Folder, "one.chain");
        Assert.Equal(0, ToolRun.Of("", "chain", "export", files.NodeStores[1], "--author", author, "--out", one).ExitCode);
        Assert.All(ChainFile.Decode(File.ReadAllBytes(one)).Ops, o => Assert.Equal(author, o.Op.Author.Value));
        Assert.Equal(1, ToolRun.Of("", "chain", "export", files.NodeStores[1], "--author", "nobody", "--out", Path.Combine(files.Folder, "none.chain")).ExitCode);
        Assert.Equal(1, ToolRun.Of("", "chain", "export", files.NodeStores[1], "--out", one).ExitCode);
    }

    [Fact]
    public async Task Checkpoint_relay_computes_the_note_the_relay_signs_and_signs_it_the_same_with_its_key()
    {
        var files = await ToolFiles.Make();
        var run = ToolRun.Of("", "checkpoint", "relay", files.RelayStore, "--origin", ToolFiles.Origin);
        Assert.True(run.ExitCode == 0, run.ToString());
        var signed = Encoding.UTF8.GetString((await files.Relay.GetCheckpointAsync())!);
        var (checkpoint, note, _) = RelayCheckpoint.Open((await files.Relay.GetCheckpointAsync()), files.RelayKey);
        Assert.Equal(checkpoint.ToNoteText(), run.Output);
        Assert.Equal(note.Text, run.Output);

        var keyFile = Path.Combine(files.Folder, "relay.key");
        File.WriteAllText(keyFile, Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes("relay/0"))));
        var withKey = ToolRun.Of("", "checkpoint", "relay", files.RelayStore, "--origin", ToolFiles.Origin, "--key-file", keyFile);
        Assert.True(withKey.ExitCode == 0, withKey.ToString());
        Assert.Equal(signed, withKey.Output);

        var half = ToolRun.Of("", "checkpoint", "relay", files.RelayStore, "--origin", ToolFiles.Origin, "--size", "4", "--json");
        using var json = JsonDocument.Parse(half.Output);
        Assert.Equal((await files.Relay.GetRootAsync(4)).ToString(), json.RootElement.GetProperty("root").GetString());
        Assert.Equal(1, ToolRun.Of("", "checkpoint", "relay", files.RelayStore, "--size", "1000").ExitCode);
    }

    [Fact]
    public async Task Checkpoint_witnessed_writes_the_signed_note_a_device_kept_which_verifies_against_the_relay_key()
    {
        var files = await ToolFiles.Make();
        var output = Path.Combine(files.Folder, "witnessed.note");
        var run = ToolRun.Of("", "checkpoint", "witnessed", files.NodeStores[2], "--out", output);
        Assert.True(run.ExitCode == 0, run.ToString());
        var (checkpoint, _, verdict) = RelayCheckpoint.Open(File.ReadAllBytes(output), files.RelayKey);
        Assert.True(verdict.Ok, verdict.Reason);
        Assert.Equal(ToolFiles.Origin, checkpoint.Origin);
        Assert.True(checkpoint.Size > 0);
        Assert.Equal((await files.Relay.GetRootAsync(checkpoint.Size)), checkpoint.Root);
    }

    [Fact]
    public async Task Checkpoint_kernel_folds_a_store_with_the_apps_manifests_to_the_devices_state_and_restores()
    {
        var files = await ToolFiles.Make();
        var output = Path.Combine(files.Folder, "kernel.checkpoint");
        var app = typeof(ToolFiles).Assembly.Location;
        var run = ToolRun.Of("", "checkpoint", "kernel", files.NodeStores[0], "--app", app, "--manifest", "Ledger.Tool.Tests.ToolFiles.Manifest", "--out", output, "--json");
        Assert.True(run.ExitCode == 0, run.ToString());

        // The device itself, opened on a copy of its store (opening writes), folds to the same state hash.
        var copy = Path.Combine(ToolFiles.NewFolder(), "copy.db");
        File.Copy(files.NodeStores[0], copy);
        Hash32 expected;
        await using (var node = (await DeviceNode.OpenAsync(new NodeOptions { Ledger = ToolFiles.LedgerName, Manifests = new ManifestCatalog(ToolFiles.Manifest) }, new SqliteNodeStore(copy), ToolFiles.Key("till-0", 0))))
        {
            expected = node.StateHash();
        }

        using var json = JsonDocument.Parse(run.Output);
        Assert.Equal(expected.ToString(), json.RootElement.GetProperty("stateHash").GetString());
        Assert.Equal(0, json.RootElement.GetProperty("parked").GetInt32());
        var options = new KernelOptions().Use(ToolFiles.Manifest);
        KeyEvents.Use(options);
        Assert.Equal(expected, LedgerKernel.Restore(File.ReadAllBytes(output), options).StateHash());

        // Without the app's manifest its ops park; a member that is no manifest is bad input.
        var parked = ToolRun.Of("", "checkpoint", "kernel", files.NodeStores[0], "--app", app, "--manifest", "Ledger.Tool.Tests.ToolFiles.LedgerName", "--out", Path.Combine(files.Folder, "x"));
        Assert.True(parked.ExitCode == 1, parked.ToString());
        Assert.Contains("is not a static field or property holding a Manifest", parked.Error);
        Assert.Equal(1, ToolRun.Of("", "checkpoint", "kernel", files.NodeStores[0], "--app", files.Junk, "--manifest", "A.B", "--out", Path.Combine(files.Folder, "y")).ExitCode);
    }

    [Fact]
    public async Task Progress_goes_to_standard_error_only_when_asked_and_never_changes_standard_output()
    {
        var files = await ToolFiles.Make();
        using var quietOut = new StringWriter();
        using var quietError = new StringWriter();
        Assert.Equal(0, LedgerCli.Run(["verify", files.ChainFile], new StringReader(""), quietOut, quietError));
        using var shownOut = new StringWriter();
        using var shownError = new StringWriter();
        Assert.Equal(0, LedgerCli.Run(["verify", files.ChainFile], new StringReader(""), shownOut, shownError, showProgress: true));
        Assert.Empty(quietError.ToString());
        Assert.Contains("verifying authors: 3/3", shownError.ToString());
        Assert.Equal(quietOut.ToString(), shownOut.ToString());
    }

    [Fact]
    public void Version_prints_the_informational_version_and_exits_0()
    {
        var run = ToolRun.Of("", "--version");
        Assert.Equal(0, run.ExitCode);
        Assert.Matches(@"^\d+\.\d+\.\d+", run.Output);
    }

    [Theory]
    [InlineData("bash", "complete -o default -F _ledger_complete ledger")]
    [InlineData("zsh", "compdef _ledger_complete ledger")]
    [InlineData("pwsh", "Register-ArgumentCompleter")]
    public void Completions_print_a_script_that_asks_the_tool_and_the_tool_answers(string shell, string line)
    {
        var run = ToolRun.Of("", "completions", shell);
        Assert.Equal(0, run.ExitCode);
        Assert.Contains(line, run.Output);
        Assert.Contains("[suggest:", run.Output);
        var suggest = ToolRun.Of("", "[suggest:12]", "ledger check");
        Assert.True(suggest.ExitCode == 0, suggest.ToString());
        Assert.Contains("checkpoint", suggest.OutputLines);
    }

    [Fact]
    public void Every_command_has_help_with_the_exit_code_convention()
    {
        string[][] commands = [["shares", "split"], ["shares", "combine"], ["verify"], ["rebuild"], ["import"], ["export", "inspect"], ["chain", "export"],
            ["checkpoint", "relay"], ["checkpoint", "witnessed"], ["checkpoint", "kernel"], ["completions"]];
        foreach (var command in commands)
        {
            var run = ToolRun.Of("", [.. command, "--help"]);
            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Contains("ledger " + string.Join(' ', command), run.Output);
            Assert.Contains(ExitCodes.Text, run.Output);
        }
    }

    private sealed class BytesComparer : IEqualityComparer<byte[]>
    {
        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] obj) => obj.Length == 0 ? 0 : obj[^1] | obj.Length << 8;
    }
}
