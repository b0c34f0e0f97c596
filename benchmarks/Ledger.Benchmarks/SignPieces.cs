using System.Diagnostics;
using Ledger.Kernel;
using Ledger.Signing;
namespace Ledger.Benchmarks;
internal static class SignPieces
{
    public static void Run()
    {
        var seed = new byte[32]; seed[0] = 11;
        using var key = SigningKey.FromSeed(seed);
        var log = AuthorLog.Incept("bench", "till", key, NextKeyDigest.Of(seed), out var inc);
        var encoded = PostingDataset.PostVerb.EncodeArgs(new PostArgs("acct:00042", 7));
        var raw = new RawSignBaseline();
        var msg = new byte[300]; var sig = new byte[64];
        const int n = 8000;
        for (int round = 0; round < 6; round++)
        {
            double T(Action a) { var sw = Stopwatch.StartNew(); a(); return sw.Elapsed.TotalMicroseconds / n; }
            var rawT = T(() => raw.Sign(n));
            var keySign = T(() => { for (int i = 0; i < n; i++) key.Sign(msg.AsSpan(1, 290), sig); });
            var sha = T(() => { for (int i = 0; i < n; i++) Hash32.Sha256(msg); });
            var branch = log.Branch("main");
            var create = T(() => { for (int i = 0; i < n; i++) { var op = PostingDataset.Manifest.CreateOpFromEncodedArgs(PostingDataset.PostVerb, encoded, log.Author, 5, inc.ChainHash, branch, 1, Guid.Empty); _ = op.CanonicalBytes; } });
            var op1 = PostingDataset.Manifest.CreateOpFromEncodedArgs(PostingDataset.PostVerb, encoded, log.Author, 2, inc.ChainHash, branch, 1, Guid.Empty);
            var signOp = T(() => { for (int i = 0; i < n; i++) SignedOpCodec.Sign(op1, "bench", key); });
            var full = T(() => { for (int i = 0; i < n; i++) log.AppendEncoded(PostingDataset.Manifest, PostingDataset.PostVerb, encoded); });
            Console.WriteLine($"raw {rawT:F1} key.Sign {keySign:F1} sha {sha:F2} createOp+encode {create:F2} SignedOpCodec.Sign {signOp:F1} AppendEncoded {full:F1} us/op");
        }
    }
}
