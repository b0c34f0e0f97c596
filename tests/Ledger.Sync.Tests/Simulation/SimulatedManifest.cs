using Ledger.Kernel;
using Ledger.Migration;
using Ledger.TestDomain;

namespace Ledger.Sync.Tests.Simulation;

/// <summary>The manifests the fault simulator's devices run: the test domain's v1, a v2 that a device adopts mid-run
/// with an adopt op (Ledger.Migration: the same verbs, plus <see cref="Adoptions.Table"/> and the adopt verb), and the
/// erasure manifest (Ledger.Erasure), so erase ops fold everywhere.</summary>
internal static class SimulatedManifest
{
    public static readonly AdoptTestDomainV2 Adopt = new();

    public static readonly Manifest V2 = new ManifestBuilder("testdomain", 2)
        .Tables([.. Tables.All, Adoptions.Table])
        .Add(TestManifest.AddTally, TestManifest.StockPool, TestManifest.TakeUnit, Adopt)
        .Build();

    /// <summary>What a device's software folds: v1 and the erasure manifest, and v2 once it is installed. Checked as a
    /// manifest history (a changed shipped verb would be refused here, as an app's build refuses it).</summary>
    public static ManifestHistory Catalog(bool withV2) =>
        withV2 ? new ManifestHistory(TestManifest.V1, V2, Ledger.Erasure.ErasureManifest.Manifest) : new ManifestHistory(TestManifest.V1, Ledger.Erasure.ErasureManifest.Manifest);
}

/// <summary>testdomain.adopt@1: a device's branch moves to v2. v2 adds no branch table, so nothing is reshaped.</summary>
internal sealed class AdoptTestDomainV2() : AdoptVerb("testdomain.adopt", 1)
{
    protected override uint ToVersion => 2;

    protected override void Reshape(VerbContext context)
    {
    }
}

/// <summary>Deterministic "random" bytes for the simulated erasure replicas (SHA-256 in counter mode over the schedule's
/// seed and the device), so subject ids, subject keys and wrapping nonces replay with the seed.</summary>
internal sealed class SeededBytes(string seed) : System.Security.Cryptography.RandomNumberGenerator
{
    private long _counter;

    public override void GetBytes(byte[] data) => GetBytes(data.AsSpan());

    public override void GetBytes(Span<byte> data)
    {
        for (var i = 0; i < data.Length; i += 32)
        {
            var block = Hash32.Sha256(System.Text.Encoding.UTF8.GetBytes(seed + "/" + (_counter++).ToString(System.Globalization.CultureInfo.InvariantCulture))).ToArray();
            block.AsSpan(0, Math.Min(32, data.Length - i)).CopyTo(data[i..]);
        }
    }

    public override void GetNonZeroBytes(byte[] data) => GetNonZeroBytes(data.AsSpan());

    public override void GetNonZeroBytes(Span<byte> data)
    {
        GetBytes(data);
        for (var i = 0; i < data.Length; i++)
        {
            if (data[i] == 0) data[i] = 1;
        }
    }
}
