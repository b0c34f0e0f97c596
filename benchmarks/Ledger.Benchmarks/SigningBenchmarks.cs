using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Ledger.Kernel;
using Ledger.Signing;
using NSec.Cryptography;

namespace Ledger.Benchmarks;

/// <summary>Chain verification against raw NSec Verify over the same messages, on the same number of threads.</summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 2, iterationCount: 8)]
public class ChainVerification
{
    private const string LedgerName = "bench";
    private List<SignedOp> _chain = [];
    private PublicKey _key = null!;
    private byte[][] _messages = [];
    private byte[][] _signatures = [];

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var seed = new byte[32];
        seed[0] = 7;
        using var key = SigningKey.FromSeed(seed);
        var log = AuthorLog.Incept(LedgerName, "till", key, NextKeyDigest.Of(new byte[32]), out var inception);
        _chain = [inception];
        for (var i = 0; i < 10_000; i++)
        {
            _chain.Add(log.Append(PostingDataset.Manifest, PostingDataset.PostVerb, new PostArgs("acct:" + (i % 100), i), at: i, opId: Guid.Empty));
        }

        _key = key.Public.Key;
        _messages = _chain.Select(o => o.SignedMessage.ToArray()).ToArray();
        _signatures = _chain.Select(o => o.Signature.ToArray()).ToArray();
    }

    [Benchmark(Baseline = true, Description = "raw NSec Verify, same messages")]
    public int RawVerify()
    {
        var ok = 0;
        var chunk = (_messages.Length + Threads - 1) / Threads;
        Parallel.For(0, Threads, new ParallelOptions { MaxDegreeOfParallelism = Threads }, t =>
        {
            var local = 0;
            for (var i = t * chunk; i < Math.Min(_messages.Length, (t + 1) * chunk); i++)
            {
                if (SignatureAlgorithm.Ed25519.Verify(_key, _messages[i], _signatures[i])) local++;
            }

            Interlocked.Add(ref ok, local);
        });
        return ok;
    }

    [Benchmark(Description = "ChainVerifier.Verify (all rules)")]
    public long Chain() => ChainVerifier.Verify(LedgerName, _chain, watermark: null, maxDegreeOfParallelism: Threads).Length;
}

/// <summary>Sign and append to an in-memory chain against raw NSec Sign of a message of the same size.</summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 2, iterationCount: 8)]
public class SignAndAppend
{
    private const int Ops = 5_000;
    private RawSignBaseline _raw = null!;

    [GlobalSetup]
    public void Setup() => _raw = new RawSignBaseline();

    [Benchmark(Baseline = true, Description = "raw NSec Sign, same message size")]
    public int RawSign() => _raw.Sign(Ops);

    [Benchmark(Description = "AuthorLog.Append + List.Add")]
    public int SignAppend()
    {
        var seed = new byte[32];
        seed[0] = 9;
        using var key = SigningKey.FromSeed(seed);
        var log = AuthorLog.Incept("bench", "till", key, NextKeyDigest.Of(new byte[32]), out var inception);
        var chain = new List<SignedOp>(Ops + 1) { inception };
        for (var i = 1; i < Ops; i++)
        {
            chain.Add(log.Append(PostingDataset.Manifest, PostingDataset.PostVerb, new PostArgs("acct:00042", i), at: i, opId: Guid.Empty));
        }

        return chain.Count;
    }
}
