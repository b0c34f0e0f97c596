using System.Globalization;
using System.Net.Http.Headers;
using Ledger.Kernel;

namespace Ledger.Sync.Http;

// The bootstrap calls over HTTP (docs/http-protocol.md, "Bootstrap of a new device"): POST/GET bootstrap, and the
// relay's leaf hashes read from the level-0 tlog tiles.
public sealed partial class HttpRelayClient
{
    /// <inheritdoc />
    public async Task PostBootstrapCheckpointAsync(ReadOnlyMemory<byte> envelope, CancellationToken cancellationToken = default)
    {
        var body = new ReadOnlyMemoryContent(envelope);
        body.Headers.ContentType = MediaTypeHeaderValue.Parse(BootstrapWire.MediaType);
        try
        {
            await SendAsync(RelayCall.Push, HttpMethod.Post, "bootstrap", body, cancellationToken).ConfigureAwait(false);
        }
        catch (RelayProtocolException e) when (Refusal(e.Detail) is { } refused)
        {
            throw Errors.BootstrapRefused(refused.Refusal, refused.Detail);
        }
    }

    /// <inheritdoc />
    public async Task<BootstrapOffer> GetBootstrapOfferAsync(CancellationToken cancellationToken = default)
    {
        var answer = await SendAsync(RelayCall.GetCheckpoint, HttpMethod.Get, "bootstrap", null, cancellationToken).ConfigureAwait(false);
        return Decode(RelayCall.GetCheckpoint, () => BootstrapWire.DecodeOffer(answer ?? []));
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<Hash32>> GetLeafHashesAsync(long from, int count, CancellationToken cancellationToken = default)
    {
        if (from < 0 || count < 0) throw Errors.Protocol(RelayCall.GetCheckpoint, RelayErrorCode.BadRequest, "leaf indices are not negative.");
        var end = from + count;
        var hashes = new List<Hash32>(count);
        for (var tile = from / TileNames.Width; tile * TileNames.Width < end; tile++)
        {
            var start = tile * TileNames.Width;
            var width = (int)Math.Min(TileNames.Width, end - start);
            var path = "tile/0/" + TileNames.Index(tile) + (width == TileNames.Width ? "" : ".p/" + width.ToString(CultureInfo.InvariantCulture));
            var bytes = await SendAsync(RelayCall.GetCheckpoint, HttpMethod.Get, path, null, cancellationToken).ConfigureAwait(false) ?? [];
            if (bytes.Length != width * Hash32.Length)
            {
                throw Errors.Unavailable(RelayCall.GetCheckpoint, $"tile 0/{tile} of width {width} is {width * Hash32.Length} bytes; the answer has {bytes.Length}.");
            }

            for (var i = 0; i < width; i++)
            {
                if (start + i >= from) hashes.Add(new Hash32(bytes.AsSpan(i * Hash32.Length, Hash32.Length)));
            }
        }

        return hashes;
    }

    // "HTTP 403 bootstrap-refused: SignerNotMember: …" → the refusal and what follows it.
    private static (BootstrapRefusal Refusal, string Detail)? Refusal(string detail)
    {
        const string Marker = " bootstrap-refused: ";
        var at = detail.IndexOf(Marker, StringComparison.Ordinal);
        if (at < 0) return null;
        var rest = detail[(at + Marker.Length)..];
        var colon = rest.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0 || !Enum.TryParse<BootstrapRefusal>(rest[..colon], ignoreCase: false, out var refusal) || !Enum.IsDefined(refusal)) return null;
        return (refusal, rest[(colon + 1)..].Trim());
    }
}
