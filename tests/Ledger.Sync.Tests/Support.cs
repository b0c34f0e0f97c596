using System.Text;
using Ledger.Kernel;
using Ledger.Signing;
using Ledger.Sync;
using Ledger.TestDomain;

namespace Ledger.Sync.Tests;

internal static class World
{
    public const string Ledger = "sync-test";

    public static SigningKey Key(string label, uint index) => SigningKey.FromSeed(Hash32.Sha256(Encoding.UTF8.GetBytes($"{label}/{index}")).ToArray());

    public static NodeOptions Options(TimeProvider? time = null) => new()
    {
        Ledger = Ledger,
        Manifests = new ManifestCatalog(TestManifest.V1),
        Time = time ?? new SteppingClock(),
    };

    public static Task<DeviceNode> NewNodeAsync(string label, INodeStore? store = null, TimeProvider? time = null) =>
        DeviceNode.InceptAsync(Options(time), store ?? new InMemoryNodeStore(), Key(label, 0), label, Key(label, 1).Public.Digest);

    public static Task<DeviceNode> ReopenAsync(string label, INodeStore store, TimeProvider? time = null) =>
        DeviceNode.OpenAsync(Options(time), store, Key(label, 0));

    public static Relay NewRelay(IRelayStore? store = null) => new(new RelayOptions { Ledger = Ledger }, store ?? new InMemoryRelayStore());

    /// <summary>Signed ops of an author, built outside any node (for feeding relays directly).</summary>
    public static List<SignedOp> Chain(string label, int ops, uint keyIndex = 0)
    {
        var log = AuthorLog.Incept(Ledger, label, Key(label, 0), Key(label, 1).Public.Digest, out var inception, 0, new SteppingClock(), DeterministicId);
        var chain = new List<SignedOp> { inception };
        for (var i = 0; i < ops; i++) chain.Add(log.Append(TestManifest.V1, TestManifest.AddTally, new AmountArgs("k", i)));
        return chain;
    }

    /// <summary>Op ids from the edge time alone, so chains built twice are byte-identical.</summary>
    public static Guid DeterministicId(DateTimeOffset at) => DeterministicIds.At(at);

    public static string TempDir()
    {
        var dir = Path.Combine(Path.GetTempPath(), "ledger-sync-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }
}

/// <summary>Pushes, then loses every pull: the device reaches the relay but learns nothing back.</summary>
internal sealed class PushOnly(IRelayProtocol inner) : ForwardingRelayProtocol
{
    protected override IRelayProtocol Inner => inner;

    public override Task<PullResponse> PullAsync(long fromPosition, int max, CancellationToken cancellationToken = default) =>
        throw new RelayUnavailableException("pull lost (test).");
}

/// <summary>A node store seen through a wrapper, so a test can change one behaviour of a real store (survive the
/// node's dispose, fail reads) and keep the rest.</summary>
internal class WrappedNodeStore(INodeStore inner) : INodeStore
{
    public long Cursor => inner.Cursor;

    public long SizeBytes => inner.SizeBytes;

    public long? CapBytes => inner.CapBytes;

    public string? RelayOrigin => inner.RelayOrigin;

    public Task<bool> IsEmptyAsync(CancellationToken cancellationToken = default) => inner.IsEmptyAsync(cancellationToken);

    public virtual IAsyncEnumerable<NodeOpRecord> ReadAllAsync(CancellationToken cancellationToken = default) => inner.ReadAllAsync(cancellationToken);

    public virtual Task<IReadOnlyList<ReadOnlyMemory<byte>>> LoadAsync(IReadOnlyList<OpRef> ops, CancellationToken cancellationToken = default) => inner.LoadAsync(ops, cancellationToken);

    public virtual Task AppendAsync(IReadOnlyList<NodeOpRecord> ops, long? cursor = null, CancellationToken cancellationToken = default) => inner.AppendAsync(ops, cursor, cancellationToken);

    public Task SetPositionsAsync(IReadOnlyList<(OpRef Op, long Position)> positions, CancellationToken cancellationToken = default) => inner.SetPositionsAsync(positions, cancellationToken);

    public Task MarkRefusedAsync(OpRef op, string reason, CancellationToken cancellationToken = default) => inner.MarkRefusedAsync(op, reason, cancellationToken);

    public Task SaveWitnessAsync(string origin, ReadOnlyMemory<byte> note, CancellationToken cancellationToken = default) => inner.SaveWitnessAsync(origin, note, cancellationToken);

    public Task<IReadOnlyDictionary<string, byte[]>> LoadWitnessesAsync(CancellationToken cancellationToken = default) => inner.LoadWitnessesAsync(cancellationToken);

    public Task AddEvidenceAsync(string kind, string accused, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken = default) => inner.AddEvidenceAsync(kind, accused, bytes, cancellationToken);

    public Task<IReadOnlyList<(string Kind, string Accused, byte[] Bytes)>> ReadEvidenceAsync(CancellationToken cancellationToken = default) => inner.ReadEvidenceAsync(cancellationToken);

    public Task SetRelayOriginAsync(string origin, CancellationToken cancellationToken = default) => inner.SetRelayOriginAsync(origin, cancellationToken);

    public virtual void Dispose() => inner.Dispose();
}
