using Ledger.Kernel;
using Ledger.Signing;

namespace Ledger.Tool.Tests;

public class VerifyCommandTests
{
    private static (string Path, List<SignedOp> Chain) ChainFileOnDisk(Action<List<SignedOp>>? tamper = null)
    {
        var seed = new byte[32];
        seed[0] = 1;
        var key = SigningKey.FromSeed(seed);
        seed[0] = 2;
        using var next = SigningKey.FromSeed(seed);
        var log = AuthorLog.Incept("tool-ledger", "till", key, next.Public.Digest, out var inception);
        var chain = new List<SignedOp> { inception };
        var tally = new Tally();
        var manifest = new ManifestBuilder("tool", 1).Table(Counter).Add(tally).Build();
        for (var i = 0; i < 5; i++) chain.Add(log.Append(manifest, tally, (long)i));
        tamper?.Invoke(chain);
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"ledger-verify-{Guid.NewGuid():N}.chain");
        File.WriteAllBytes(path, ChainFile.Encode("tool-ledger", chain));
        return (path, chain);
    }

    private static readonly CounterTable Counter = new("n");

    private sealed class Tally() : Verb<long>("tally", 1, Scope.Shared)
    {
        protected override void Execute(VerbContext context, long args) => context.Add(Counter, "n", args);
    }

    [Fact]
    [Trait("Risk", "E1")]
    public void Verify_prints_chain_ok_for_an_intact_file()
    {
        var (path, chain) = ChainFileOnDisk();
        var run = ToolRun.Of("", "verify", path, "--threads", "2");
        Assert.Equal(0, run.ExitCode);
        Assert.Contains($"{chain[0].Op.Author}: chain OK · len 6 · tip {chain[^1].ChainHash.ToShortString(16)}", run.Output);
    }

    [Fact]
    [Trait("Risk", "E1")]
    public void Verify_names_the_op_where_a_tampered_chain_breaks()
    {
        var (path, _) = ChainFileOnDisk(chain =>
        {
            var bytes = chain[3].Bytes.ToArray();
            bytes[^5] ^= 0x10;
            chain[3] = SignedOpCodec.Decode(bytes);
        });
        var run = ToolRun.Of("", "verify", path);
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("breaks at op 4: BadSignature", run.Output);
    }

    [Fact]
    [Trait("Category", "BadInput")]
    public void Verify_reports_a_truncated_file_as_invalid_input_naming_the_op()
    {
        var (path, _) = ChainFileOnDisk();
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length - 40)]);
        var run = ToolRun.Of("", "verify", path);
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("chain file: op 5", run.Error);
    }

    [Fact]
    public void Verify_without_a_file_is_a_usage_error()
    {
        Assert.Equal(2, ToolRun.Of("", "verify").ExitCode);
        Assert.Equal(1, ToolRun.Of("", "verify", "/nonexistent/file.chain").ExitCode);
    }
}
