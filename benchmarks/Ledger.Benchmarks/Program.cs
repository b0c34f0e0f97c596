using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Running;
using Ledger.Benchmarks;

if (args.Length > 0 && args[0] == "--append-latency")
{
    // p50/p99 of durable appends (SQLite, group commit) with 1 to 256 concurrent callers.
    var folder = Path.Combine(Path.GetTempPath(), "ledger-bench-latency");
    Directory.CreateDirectory(folder);
    foreach (var callers in new[] { 1, 16, 64, 256 })
    {
        await NodeDurableAppend.Measure(folder, callers, 1000);
        await using var node = NodeDurableAppend.BenchNode.Create(folder);
        var started = Stopwatch.GetTimestamp();
        var latencies = await node.AppendAll(callers, 4000);
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        latencies.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"callers={callers} ops/s={latencies.Count / seconds:F0} p50={latencies[latencies.Count / 2].TotalMilliseconds:F2}ms p99={latencies[latencies.Count * 99 / 100].TotalMilliseconds:F2}ms"));
    }

    return;
}

if (args.Length > 1 && args[0] == "--append-paired")
{
    // --threads adds the scheduler accounting per thread and the last collection (its own JIT work shows in the rounds).
    await PairedRounds.DurableAppendAsync(int.Parse(args[1], CultureInfo.InvariantCulture), args.Length > 2 && args[2] != "--threads" ? int.Parse(args[2], CultureInfo.InvariantCulture) : 25,
        args.Contains("--threads"));
    return;
}

if (args.Length > 1 && args[0] == "--ingest-paired")
{
    PairedRounds.RelayIngest(int.Parse(args[1], CultureInfo.InvariantCulture), args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 10);
    return;
}

if (args.Length > 1 && args[0] == "--pg-ingest")
{
    // Issue 18: relay ingest into PostgreSQL vs SQLite vs raw verify, and two instances on one database (LEDGER_PG).
    // Side by side with Marten's quick append, and store-level sequencing with one and two stores.
    // --phases adds the client-side CPU per op of each part of ingest, alone (decode, leaf hash, signature check, relay).
    // --pushers K: K concurrent pushers into one relay against K concurrent Marten sessions (the authors, and Marten's
    // streams, split K ways); default 1, one pusher sending a batch after the last was acknowledged.
    var numbers = args.Skip(1).TakeWhile(a => !a.StartsWith("--", StringComparison.Ordinal)).Select(a => int.Parse(a, CultureInfo.InvariantCulture)).ToArray();
    var pushersAt = Array.IndexOf(args, "--pushers");
    await PostgreSqlIngest.RunAsync(numbers[0], numbers.Length > 1 ? numbers[1] : 5, numbers.Length > 2 ? numbers[2] : 1000, args.Contains("--phases"),
        pushersAt > 0 ? int.Parse(args[pushersAt + 1], CultureInfo.InvariantCulture) : 1);
    return;
}

if (args.Length > 1 && args[0] == "--http-push-paired")
{
    // Push over HTTP on loopback vs in-process Relay.Push of the same pre-signed ops (issue 17: 1, 16 and 256 devices).
    await HttpPushPaired.RunAsync(int.Parse(args[1], CultureInfo.InvariantCulture), args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 7,
        args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 512, args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 64);
    return;
}

if (args.Length > 0 && args[0] == "--sign-paired")
{
    PairedRounds.SignAndChain(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 15);
    return;
}

if (args.Length > 2 && args[0] == "--sentinel-paired")
{
    SentinelPaired.Run(int.Parse(args[1], CultureInfo.InvariantCulture), int.Parse(args[2], CultureInfo.InvariantCulture));
    return;
}

if (args.Length > 0 && args[0] == "--sign-pieces") { SignPieces.Run(); return; }

if (args.Length > 0 && args[0] == "--append-pieces")
{
    AppendPieces.Run();
    return;
}

if (args.Length > 0 && args[0] == "--bootstrap-quick")
{
    // Issue 19: first sync of a new device from a relay checkpoint vs from genesis (paired rounds, seconds).
    await BootstrapPaired.RunAsync(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 100_000);
    return;
}

if (args.Length > 0 && args[0] == "--budget-quick")
{
    // Issue 19: only the fold part of --capacity-quick (paired rounds per access pattern, with the time breakdown).
    BudgetedFoldQuick.Run(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 100_000, args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 4, args.Length > 3 ? args[3] : null);
    return;
}

if (args.Length > 0 && args[0] == "--budget-pieces")
{
    // Issue 19: the parts of a load-and-evict cycle timed apart.
    BudgetPieces.Run(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 30, shuffled: false);
    BudgetPieces.Run(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 30, shuffled: true);
    return;
}

if (args.Length > 1 && args[0] == "--node-open")
{
    // Issue 19: node open from a checkpoint vs genesis only, at a given node size (1M in the issue), paired rounds.
    // A third argument keeps the node in that folder (written once, then reused: a 1M node takes minutes to write).
    await NodeOpen.OpenQuickAsync(int.Parse(args[1], CultureInfo.InvariantCulture), args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 4, args.Length > 3 ? args[3] : null);
    return;
}

if (args.Length > 0 && args[0] == "--capacity-quick")
{
    // Issue 19: fold under a 10 % state budget vs unbudgeted, node open from a checkpoint vs genesis (seconds).
    await NodeOpen.QuickAsync(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 200_000);
    return;
}

if (args.Length > 0 && args[0] == "--quick")
{
    // A fast stopwatch check for development; the recorded numbers come from BenchmarkDotNet.
    var data = new PostingDataset(1_000_000);
    for (var round = 0; round < 6; round++)
    {
        var sw = Stopwatch.StartNew();
        var k = data.Fold(data.Ops.Length);
        var foldMs = sw.Elapsed.TotalMilliseconds;
        sw.Restart();
        k.StateHash();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"fold 1M: {foldMs:F0} ms ({1e3 * data.Ops.Length / foldMs:F0} ops/s); hash: {sw.Elapsed.TotalMilliseconds:F1} ms"));
    }

    var big = new PostingDataset(1_000_000, accounts: 1_000_000, seed: 7, everyAccountOnce: true);
    var state = big.Fold(big.Ops.Length);
    for (var round = 0; round < 3; round++)
    {
        state.State.InvalidateHashes();
        var sw = Stopwatch.StartNew();
        state.StateHash();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"cold hash of {state.State.RowCount} rows: {sw.Elapsed.TotalMilliseconds:F0} ms"));
    }

    return;
}

BenchmarkSwitcher.FromAssembly(typeof(PostingDataset).Assembly).Run(args);
