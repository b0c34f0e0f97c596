using System.Globalization;
using System.Text;
using Ledger.Kernel;
using Ledger.Signing;
using Ledger.Sync;
using SiteBooks.Domain;

namespace SiteBooks;

/// <summary>A relay that lies: it signs one order for site A and another for site B (same key, same origin).
/// Each till alone sees a consistent, validly signed log; gossip between the tills catches the relay, and the
/// evidence is checked again from its bytes alone, as a stranger would.</summary>
public static class DishonestRelay
{
    private const string Ledger = "sitebooks-demo";
    private const string Origin = "relay.sitebooks.example/" + Ledger;

    /// <summary>Runs the scenario and prints <c>EQUIVOCATION detected=… relay=… evidenceVerifies=…</c>;
    /// returns true when the relay was caught with evidence that verifies standalone.</summary>
    public static async Task<bool> RunAsync(int seed, TextWriter output)
    {
        var relayKey = Key("relay", seed);
        var vkey = NoteKey.Create(Origin, relayKey.Public);
        var fork = new ForkedRelay(relayKey);
        var gossip = new PeerGossip();
        var labels = new[] { "site-a-till-9", "site-b-till-9" };
        var nodes = new DeviceNode[labels.Length];
        for (var i = 0; i < labels.Length; i++)
        {
            nodes[i] = await DeviceNode.InceptAsync(
                new NodeOptions { Ledger = Ledger, Manifests = Books.History(), TrustedRelay = vkey },
                new InMemoryNodeStore(), Key(labels[i], seed), labels[i], Key(labels[i] + "/next", seed).Public.Digest);
        }

        try
        {
            foreach (var node in nodes) gossip.Join(node);
            var random = new Random(seed);
            for (var round = 0; round < 3; round++)
            {
                for (var i = 0; i < nodes.Length; i++)
                {
                    var sku = "SKU-" + random.Next(1, 6).ToString(CultureInfo.InvariantCulture);
                    await nodes[i].AppendAsync(Books.V2, Books.ReceiveStock, new StockArgs(sku, random.Next(1, 9)));
                    try
                    {
                        await nodes[i].SyncAsync(fork.TransportFor(i == 1));
                    }
                    catch (RelayFrozenException)
                    {
                        // The till has stopped trusting the relay; that is the outcome we are after.
                    }
                }
            }

            Ledger.Signing.Evidence? evidence = null;
            foreach (var n in nodes) evidence ??= (await n.GetEvidenceAsync()).FirstOrDefault();
            var detected = evidence is not null && nodes.Any(n => n.FrozenBecause is not null);
            var verifies = false;
            var accused = "-";
            if (evidence is not null)
            {
                // What a stranger holds: bytes, and nothing else.
                var standalone = EvidenceCodec.Decode(evidence.Encode());
                verifies = standalone.Verify().Valid;
                accused = standalone.Accused.Split('+')[0];
            }

            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"EQUIVOCATION detected={(detected ? 'Y' : 'N')} relay={accused} evidenceVerifies={(verifies ? 'Y' : 'N')}"));
            return detected && verifies && accused == Origin;
        }
        finally
        {
            foreach (var node in nodes) await node.DisposeAsync();
        }
    }

    private static SigningKey Key(string label, int seed) =>
        SigningKey.FromSeed(Hash32.Sha256(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"sitebooks/{seed}/dishonest/{label}"))).ToArray());

    /// <summary>Two honest relays behind one key and origin: every op reaches both, but site B's view receives
    /// site A's ops only when B next pulls — so the two views sign different orders at the same sizes.</summary>
    private sealed class ForkedRelay(SigningKey key)
    {
        private readonly Relay _viewA = new(new RelayOptions { Ledger = Ledger, Origin = Origin, CheckpointKey = key }, new InMemoryRelayStore());
        private readonly Relay _viewB = new(new RelayOptions { Ledger = Ledger, Origin = Origin, CheckpointKey = key }, new InMemoryRelayStore());
        private readonly List<ReadOnlyMemory<byte>[]> _lateForB = [];

        public IRelayProtocol TransportFor(bool siteB) => new Link(this, siteB);

        // Each view is reached through the wire codec, as an honest relay is: the dishonesty is in the order, not the bytes.
        private sealed class Link(ForkedRelay fork, bool siteB) : IRelayProtocol
        {
            private readonly InMemoryRelayTransport _view = new(siteB ? fork._viewB : fork._viewA);

            public async Task<IngestResponse> PushAsync(IReadOnlyList<ReadOnlyMemory<byte>> batch, CancellationToken cancellationToken = default)
            {
                if (siteB)
                {
                    var answer = await _view.PushAsync(batch, cancellationToken);
                    await fork._viewA.PushAsync(batch, cancellationToken);
                    return answer;
                }

                var own = await _view.PushAsync(batch, cancellationToken);
                fork._lateForB.Add(batch.ToArray());
                return own;
            }

            public async Task<PullResponse> PullAsync(long fromPosition, int max, CancellationToken cancellationToken = default)
            {
                if (siteB)
                {
                    foreach (var late in fork._lateForB) await fork._viewB.PushAsync(late, cancellationToken);
                    fork._lateForB.Clear();
                }

                return await _view.PullAsync(fromPosition, max, cancellationToken);
            }

            public Task<IReadOnlyList<(long Position, ReadOnlyMemory<byte> Bytes)>> FetchAuthorAsync(AuthorId author, ulong fromSeq, CancellationToken cancellationToken = default) =>
                _view.FetchAuthorAsync(author, fromSeq, cancellationToken);

            public Task<byte[]?> GetCheckpointAsync(long? size, CancellationToken cancellationToken = default) => _view.GetCheckpointAsync(size, cancellationToken);

            public Task<IReadOnlyList<Hash32>> GetConsistencyProofAsync(long size1, long size2, CancellationToken cancellationToken = default) =>
                _view.GetConsistencyProofAsync(size1, size2, cancellationToken);

            public Task<IReadOnlyList<Hash32>> GetInclusionProofAsync(long index, long size, CancellationToken cancellationToken = default) =>
                _view.GetInclusionProofAsync(index, size, cancellationToken);

            public Task PostCosignatureAsync(ReadOnlyMemory<byte> note, CancellationToken cancellationToken = default) => _view.PostCosignatureAsync(note, cancellationToken);

            public Task<IReadOnlyList<byte[]>> GetCosignaturesAsync(CancellationToken cancellationToken = default) => _view.GetCosignaturesAsync(cancellationToken);
        }
    }
}
