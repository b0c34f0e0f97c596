using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Ledger.Sync;

namespace Ledger.Relay.Tests;

/// <summary>A bounded fuzz over HTTP: mutated push bodies and random tile and query spellings are answered 4xx problems
/// or per-op refusals (never a 5xx, never a crash), no mutated op is stored, and the relay keeps serving. Cases: LEDGER_HTTP_FUZZ_CASES
/// (default 300).</summary>
public sealed class HttpFuzzTests
{
    [Fact]
    public async Task Mutated_bodies_and_random_paths_get_client_problems_and_the_relay_keeps_serving()
    {
        var cases = int.TryParse(Environment.GetEnvironmentVariable("LEDGER_HTTP_FUZZ_CASES"), out var n) && n > 0 ? n : 300;
        var relay = World.NewRelay();
        await relay.PushAsync(World.Chain("fuzz-seed", 3).Select(o => o.Bytes).ToArray());
        var size = relay.Size;
        await using var host = await World.StartAsync(o => o.AddLedger(relay));
        using var http = World.Http(host);
        var originals = World.Chain("fuzz-author", 2).Select(o => Convert.ToHexString(o.Bytes.Span)).ToArray();
        var good = RelayWire.EncodeRequest(RelayRequest.Push(originals.Select(h => (ReadOnlyMemory<byte>)Convert.FromHexString(h)).ToArray()));
        var random = new Random(17);
        var segments = new[] { "0", "1", "63", "64", "entries", "000", "001", "x001", "x000", "0000", "001.p", "256", "255", "1", "-1", "abc", "", "..", "%2F" };
        for (var i = 0; i < cases; i++)
        {
            HttpResponseMessage response;
            if (i % 2 == 0)
            {
                var body = (byte[])good.Clone();
                for (var m = 0; m <= random.Next(3); m++) body[random.Next(body.Length)] ^= (byte)random.Next(1, 256);
                if (random.Next(4) == 0) body = body[..random.Next(body.Length)];
                var request = new HttpRequestMessage(HttpMethod.Post, $"v1/ledgers/{World.Ledger}/ops") { Content = new ByteArrayContent(body) };
                request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(RelayHttp.WireMediaType);
                request.Headers.Add(RelayHttp.ProtocolHeader, "1");
                response = await http.SendAsync(request);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    // A mutation inside an op's bytes is a per-op refusal, not a request refusal: the ops before it may be
                    // held, and every op held is byte for byte an op of the author, never a mutated one.
                    var answer = RelayWire.DecodePushAnswer(await response.Content.ReadAsByteArrayAsync());
                    var sent = RelayWire.DecodeRequest(body).Batch;
                    foreach (var held in answer.Results.Where(r => r.Held)) Assert.Equal(originals[held.Index], Convert.ToHexString(sent[held.Index].Span));
                    continue;
                }
            }
            else
            {
                var path = string.Join('/', Enumerable.Range(0, random.Next(1, 5)).Select(_ => segments[random.Next(segments.Length)]));
                var query = random.Next(3) switch { 0 => "", 1 => "?size=" + random.Next(-2, 10), _ => "?after=0" + random.Next(5) };
                response = await http.GetAsync($"v1/ledgers/{World.Ledger}/tile/{path}{query}");
                if (response.StatusCode == HttpStatusCode.OK) continue; // a valid tile spelling of the 6-op tree
            }

            Assert.InRange((int)response.StatusCode, 400, 499);
            Assert.Equal(RelayHttp.ProblemMediaType, response.Content.Headers.ContentType?.MediaType);
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.False(string.IsNullOrEmpty(json.RootElement.GetProperty("code").GetString()));
        }

        Assert.InRange(relay.Size, size, size + 3); // only unmutated ops of the author
        var ok = new HttpRequestMessage(HttpMethod.Post, $"v1/ledgers/{World.Ledger}/ops") { Content = new ByteArrayContent(good) };
        ok.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(RelayHttp.WireMediaType);
        ok.Headers.Add(RelayHttp.ProtocolHeader, "1");
        var final = await http.SendAsync(ok);
        Assert.Equal(HttpStatusCode.OK, final.StatusCode);
        Assert.All(RelayWire.DecodePushAnswer(await final.Content.ReadAsByteArrayAsync()).Results, r => Assert.True(r.Held));
        Assert.Equal(size + 3, relay.Size);
    }
}
