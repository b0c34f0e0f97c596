using System.Diagnostics;
using Ledger.Kernel;
using Ledger.Signing;
using Ledger.Sync.Conformance;
using Ledger.Sync.Http;

namespace Ledger.Sync.PostgreSql.Tests;

/// <summary>What the fleet tests share: the ledger, the relay key every instance signs with, relay instances in child
/// processes (tests/Ledger.Sync.PostgreSql.RelayHost), and pushers that remember every acknowledgement.</summary>
internal static class Fleet
{
    public const string Ledger = ConformanceOps.Ledger;

    public const string Origin = "pg-fleet/conformance";

    public static readonly byte[] Seed = Hash32.Sha256("pg-fleet relay key"u8).ToArray();

    public static SigningKey Key() => SigningKey.FromSeed(Seed);

    public static HttpRelayClient Client(string url, out HttpClient http)
    {
        http = new HttpClient { BaseAddress = new Uri(url + "/"), Timeout = TimeSpan.FromSeconds(20) };
        return new HttpRelayClient(http, new HttpRelayClientOptions { Ledger = Ledger });
    }

    /// <summary>The whole log as the database holds it, read through a store (which refuses a gap as damage).</summary>
    public static async Task<IReadOnlyList<StoredOp>> LogAsync(string connectionString)
    {
        using var store = new PostgreSqlRelayStore(connectionString, Ledger);
        var all = new List<StoredOp>();
        while (true)
        {
            var page = await store.ReadAsync(all.Count, 4096);
            if (page.Count == 0) return all;
            all.AddRange(page);
        }
    }

    /// <summary>Checks the order: gapless from 0 (the read refuses gaps), each (author, seq) once, each author's ops in
    /// seq order without holes, and every acknowledged op at the position it was acknowledged with.</summary>
    public static async Task<IReadOnlyList<StoredOp>> AssertOneOrderAsync(string connectionString, IReadOnlyDictionary<OpRef, long> acknowledged)
    {
        var log = await LogAsync(connectionString);
        Assert.Equal(Enumerable.Range(0, log.Count).Select(i => (long)i), log.Select(o => o.Position));
        Assert.Equal(log.Count, log.Select(o => (o.Author, o.Seq)).Distinct().Count());
        foreach (var chain in log.GroupBy(o => o.Author))
        {
            Assert.Equal(Enumerable.Range(1, chain.Count()).Select(s => (ulong)s), chain.Select(o => o.Seq));
        }

        var byRef = log.ToDictionary(o => new OpRef(o.Author, o.Seq), o => o.Position);
        foreach (var (op, position) in acknowledged)
        {
            Assert.True(byRef.TryGetValue(op, out var stored), $"acknowledged op {op} at {position} is not stored");
            Assert.Equal(position, stored);
        }

        return log;
    }

    /// <summary>The checkpoint a single in-process relay (same key and origin) signs over the same order.</summary>
    public static async Task<byte[]> InProcessCheckpointAsync(IReadOnlyList<StoredOp> order)
    {
        using var relay = await InProcessRelayAsync(order);
        return (await relay.GetCheckpointAsync())!;
    }

    /// <summary>A single in-process relay (same key and origin) fed the same order.</summary>
    public static async Task<Relay> InProcessRelayAsync(IReadOnlyList<StoredOp> order)
    {
        var relay = new Relay(new RelayOptions { Ledger = Ledger, Origin = Origin, CheckpointKey = Key() }, new InMemoryRelayStore());
        foreach (var batch in order.Chunk(512))
        {
            var response = await relay.PushAsync(batch.Select(o => o.Bytes).ToArray());
            Assert.All(response.Results, r => Assert.Equal(IngestStatus.Accepted, r.Status));
        }

        return relay;
    }

    /// <summary>Records acknowledgements; the same op acknowledged twice (a resend, through either instance) must get
    /// the same position.</summary>
    public sealed class Acknowledgements
    {
        private readonly Dictionary<OpRef, long> _positions = [];
        private readonly Lock _gate = new();

        public IReadOnlyDictionary<OpRef, long> Snapshot()
        {
            lock (_gate) return new Dictionary<OpRef, long>(_positions);
        }

        /// <summary>Records the held results; returns how many ops of the batch, from its start, are held (the pusher
        /// resends from there).</summary>
        public int Record(IngestResponse response)
        {
            var held = 0;
            lock (_gate)
            {
                foreach (var r in response.Results)
                {
                    if (!r.Held) break;
                    var op = r.Op!.Value;
                    if (_positions.TryGetValue(op, out var earlier)) Assert.True(earlier == r.Position, $"{op} acknowledged at {earlier} and then at {r.Position}");
                    else _positions[op] = r.Position!.Value;
                    held++;
                }
            }

            return held;
        }
    }
}

/// <summary>One relay instance in a child process; SIGKILL is a crash with no cleanup.</summary>
internal sealed class RelayInstance : IDisposable
{
    private readonly Process _process;

    public RelayInstance(string connectionString)
    {
        var configuration = Path.GetFileName(Path.GetDirectoryName(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar))!);
        var host = Path.Combine(RepositoryFiles.Root, "tests", "Ledger.Sync.PostgreSql.RelayHost", "bin", configuration, "net10.0", "Ledger.Sync.PostgreSql.RelayHost.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "exec", host, connectionString, Fleet.Ledger, Fleet.Origin, Convert.ToHexString(Fleet.Seed) }) start.ArgumentList.Add(arg);
        _process = Process.Start(start)!;
        var ready = _process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60)).GetAwaiter().GetResult();
        if (ready is null || !ready.StartsWith("LISTENING ", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"the relay host did not start: {ready} {_process.StandardError.ReadToEnd()}");
        }

        Url = ready["LISTENING ".Length..];
    }

    public string Url { get; }

    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.StandardInput.Close();
                if (!_process.WaitForExit(10_000)) _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
    }
}
