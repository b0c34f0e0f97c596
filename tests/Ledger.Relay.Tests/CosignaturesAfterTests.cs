using System.Net;
using Ledger.Kernel;
using Ledger.Sync;
using Ledger.Sync.Http;

namespace Ledger.Relay.Tests;

/// <summary><c>GET cosignatures?after=&lt;hash&gt;</c>: a node gossiping every round downloads the notes new since its
/// last answer, not the relay's whole list (up to 1,024 notes, ~190 KB) again; the client still hands the node the
/// whole list, as the relay holds it.</summary>
public sealed class CosignaturesAfterTests
{
    private static async Task<byte[][]> PostNotesAsync(Sync.Relay relay, HttpRelayClient client, int count, int first)
    {
        var checkpoint = SignedNote.Parse((await relay.GetCheckpointAsync())!);
        var notes = new byte[count][];
        for (var i = 0; i < count; i++)
        {
            notes[i] = Cosignatures.Cosign(checkpoint, "witness.example/w", World.Key("witness", 0), DateTimeOffset.FromUnixTimeSeconds(1_700_000_000 + first + i)).ToBytes();
            await client.PostCosignatureAsync(notes[i]);
        }

        return notes;
    }

    private static async Task<(HttpStatusCode Status, IReadOnlyList<byte[]> Notes, string? Echo)> GetAsync(HttpClient http, string query)
    {
        using var response = await http.GetAsync($"v1/ledgers/{World.Ledger}/cosignatures{query}");
        var body = await response.Content.ReadAsByteArrayAsync();
        var echo = response.Headers.TryGetValues(RelayHttp.CosignaturesAfterHeader, out var v) ? v.Single() : null;
        return (response.StatusCode, response.StatusCode == HttpStatusCode.OK ? RelayWire.DecodeCosignaturesAnswer(body) : [], echo);
    }

    [Fact]
    [Trait("Risk", "G1")]
    public async Task After_a_known_note_the_relay_answers_only_the_newer_notes_and_echoes_the_hash_else_its_whole_list()
    {
        var relay = World.NewRelay();
        await relay.PushAsync(World.Chain("author-c", 3).Select(o => o.Bytes).ToArray());
        await using var host = await World.StartAsync(o => o.AddLedger(relay));
        using var http = World.Http(host);
        var client = World.Client(http);
        var notes = await PostNotesAsync(relay, client, 5, 0);

        var whole = await GetAsync(http, "");
        Assert.Equal(HttpStatusCode.OK, whole.Status);
        Assert.Equal(notes.Select(Convert.ToHexString), whole.Notes.Select(Convert.ToHexString));
        Assert.Null(whole.Echo);

        var second = Hash32.Sha256(notes[1]).ToString();
        var newer = await GetAsync(http, "?after=" + second);
        Assert.Equal(notes[2..].Select(Convert.ToHexString), newer.Notes.Select(Convert.ToHexString));
        Assert.Equal(second, newer.Echo);

        var last = Hash32.Sha256(notes[^1]).ToString();
        var none = await GetAsync(http, "?after=" + last);
        Assert.Empty(none.Notes);
        Assert.Equal(last, none.Echo);

        // A hash the relay does not hold (evicted, or another relay's): the whole list, no echo.
        var unknown = await GetAsync(http, "?after=" + Hash32.Sha256("nothing"u8.ToArray()));
        Assert.Equal(notes.Length, unknown.Notes.Count);
        Assert.Null(unknown.Echo);

        // One spelling: lower-case hex of 32 bytes, once.
        foreach (var bad in new[] { "?after=" + second.ToUpperInvariant(), "?after=abc", "?after=", "?after=" + second + "&after=" + second, "?after=" + second + "00" })
        {
            var refused = await GetAsync(http, bad);
            Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        }
    }

    [Fact]
    [Trait("Risk", "G1")]
    public async Task The_client_asks_after_its_last_note_and_still_returns_the_relays_whole_list_as_it_grows_and_drops_its_oldest()
    {
        var relay = new Sync.Relay(new RelayOptions { Ledger = World.Ledger, CheckpointKey = World.RelayKey, MaxCosignatures = 6 }, new InMemoryRelayStore());
        await relay.PushAsync(World.Chain("author-d", 3).Select(o => o.Bytes).ToArray());
        await using var host = await World.StartAsync(o => o.AddLedger(relay));
        var asked = new List<(string Query, string? Echo, long Bytes)>();
        using var http = new HttpClient(new Recording(asked, new SocketsHttpHandler())) { BaseAddress = new Uri(host.Urls[0] + "/") };
        var client = World.Client(http);
        await PostNotesAsync(relay, client, 4, 0);
        for (var round = 0; round < 4; round++)
        {
            var answered = await client.GetCosignaturesAsync();
            Assert.Equal((await relay.GetCosignaturesAsync()).Select(Convert.ToHexString), answered.Select(Convert.ToHexString));
            await PostNotesAsync(relay, client, round + 1, 100 * (round + 1));
        }

        var final = await client.GetCosignaturesAsync();
        Assert.Equal((await relay.GetCosignaturesAsync()).Select(Convert.ToHexString), final.Select(Convert.ToHexString));
        Assert.Equal(6, final.Count);

        // The first read asked for the whole list; every later one asked after the newest note it had, the relay
        // found it (echoed), and the answers carried only the new notes: smaller than the whole list's.
        var reads = asked.Where(a => a.Query.StartsWith("GET ", StringComparison.Ordinal) && a.Query.Contains("/cosignatures", StringComparison.Ordinal)).ToArray();
        Assert.Equal(5, reads.Length);
        Assert.DoesNotContain("after=", reads[0].Query, StringComparison.Ordinal);
        Assert.All(reads[1..], r => Assert.Contains("?after=", r.Query, StringComparison.Ordinal));
        Assert.All(reads[1..], r => Assert.Equal(r.Query[(r.Query.IndexOf("after=", StringComparison.Ordinal) + 6)..], r.Echo));
        // Round k posted k + 1 notes: the answers after a note grow with them (one note, two, three, four), and one
        // note is less than the first whole list of four.
        Assert.True(reads[1].Bytes < reads[2].Bytes && reads[2].Bytes < reads[3].Bytes && reads[3].Bytes < reads[4].Bytes, string.Join(", ", reads.Select(r => r.Bytes)));
        Assert.True(reads[1].Bytes < reads[0].Bytes, $"{reads[1].Bytes} bytes for one new note against {reads[0].Bytes} for the whole list");
    }

    private sealed class Recording(List<(string Query, string? Echo, long Bytes)> asked, HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            await response.Content.LoadIntoBufferAsync(cancellationToken);
            var echo = response.Headers.TryGetValues(RelayHttp.CosignaturesAfterHeader, out var v) ? v.Single() : null;
            lock (asked) asked.Add(($"{request.Method} {request.RequestUri!.PathAndQuery}", echo, response.Content.Headers.ContentLength ?? -1));
            return response;
        }
    }
}
