using System.Net;
using System.Text.Json;
using Ledger.Kernel;
using Ledger.Sync.AspNetCore;
using Ledger.Sync;
using Ledger.Sync.Http;
using Ledger.TestDomain;

namespace Ledger.Relay.Tests;

/// <summary>RFC 9421 request signatures and membership: members sync; unsigned, forged, replayed, stale, re-pathed and
/// non-member requests get 401/403 problems, store nothing, and the relay keeps serving.</summary>
public sealed class AuthTests
{
    private static readonly AuthorId Admin = new("ledger-admin");

    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    /// <summary>The author id a device labelled <paramref name="label"/> gets (World.NewNode and World.Chain keys).</summary>
    private static AuthorId AuthorOf(string label) => Ledger.Signing.AuthorIdentity.Derive(label, World.Key(label, 0).Public, World.Key(label, 1).Public.Digest);

    private static RequestSigner Signer(string label, string? grantFor = null, uint keyIndex = 0, TimeProvider? time = null, string admin = "ledger-admin")
    {
        var grant = grantFor is null ? default : RelayLedger.IssueMembership(World.Ledger, new AuthorId(admin), World.Key(admin, 0), AuthorOf(grantFor)).Bytes;
        var key = World.Key(label, keyIndex);
        return new RequestSigner(AuthorOf(label), () => key, grant, time);
    }

    private static HttpClient SignedHttp(LedgerRelayHost host, RequestSigner signer) =>
        new(new RequestSigningHandler(signer, new SocketsHttpHandler())) { BaseAddress = new Uri(host.Urls[0] + "/"), Timeout = TimeSpan.FromSeconds(30) };

    private static async Task<string> CodeAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.True(response.Headers.CacheControl?.NoStore);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("code").GetString()!;
    }

    private static async Task<LedgerRelayHost> StartAsync(Sync.Relay relay, bool isPublic = false, TimeProvider? time = null) =>
        await World.StartAsync(o =>
        {
            o.AddLedger(relay, isPublic, World.Key("ledger-admin", 0).Public);
            if (time is not null) o.Time = time;
        });

    [Fact]
    public async Task Members_signing_their_requests_sync_and_converge_over_http()
    {
        var relay = World.NewRelay();
        await using var host = await StartAsync(relay);
        using var httpA = SignedHttp(host, Signer("mem-a", "mem-a"));
        using var httpB = SignedHttp(host, Signer("mem-b", "mem-b"));
        await using var a = await World.NewNodeAsync("mem-a", World.Trusted(relay));
        await using var b = await World.NewNodeAsync("mem-b", World.Trusted(relay));
        for (var i = 0; i < 30; i++)
        {
            await a.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("a", i));
            await b.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("b", i));
        }

        for (var round = 0; round < 3; round++)
        {
            Assert.False((await a.SyncAsync(World.Client(httpA))).Offline);
            Assert.False((await b.SyncAsync(World.Client(httpB))).Offline);
        }

        Assert.Equal(62, relay.Size);
        Assert.Equal(a.StateHash(), b.StateHash());
        Assert.Equal(0, host.Server.AuthFailures);
    }

    [Fact]
    [Trait("Risk", "G1")]
    public async Task Unsigned_forged_replayed_stale_repathed_and_unknown_author_requests_are_401_and_store_nothing()
    {
        var relay = World.NewRelay();
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await using var host = await StartAsync(relay, time: clock);
        var member = Signer("mem-x", "mem-x");
        var chain = World.Chain("mem-x", 2);
        var push = RelayWire.EncodeRequest(RelayRequest.Push(chain.Select(o => o.Bytes).ToArray()));
        using var plain = World.Http(host);
        var baseUri = new Uri(host.Urls[0] + "/");

        HttpRequestMessage Push(byte[] body)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, new Uri(baseUri, $"v1/ledgers/{World.Ledger}/ops")) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(RelayHttp.WireMediaType);
            request.Headers.Add(RelayHttp.ProtocolHeader, "1");
            return request;
        }

        // Unsigned.
        Assert.Equal(RelayHttp.Unauthorized, await CodeAsync(await plain.SendAsync(Push(push)), HttpStatusCode.Unauthorized));
        Assert.Equal(RelayHttp.Unauthorized, await CodeAsync(await plain.GetAsync($"v1/ledgers/{World.Ledger}/checkpoint"), HttpStatusCode.Unauthorized));
        // Forged: the right author id, another key.
        var forged = Push(push);
        await Signer("mem-x", "mem-x", keyIndex: 7).SignAsync(forged);
        Assert.Equal(RelayHttp.Unauthorized, await CodeAsync(await plain.SendAsync(forged), HttpStatusCode.Unauthorized));
        // A body changed after signing: Content-Digest no longer matches.
        var tampered = Push(push);
        await member.SignAsync(tampered);
        var altered = (byte[])push.Clone();
        altered[^1] ^= 1;
        var swapped = Push(altered);
        foreach (var header in tampered.Headers.Where(h => h.Key is "Signature" or "Signature-Input" or "Content-Digest" or RelayHttp.MembershipHeader)) swapped.Headers.TryAddWithoutValidation(header.Key, header.Value);
        Assert.Equal(RelayHttp.Unauthorized, await CodeAsync(await plain.SendAsync(swapped), HttpStatusCode.Unauthorized));
        // Stale: created outside the window.
        var stale = Push(push);
        await Signer("mem-x", "mem-x", time: new ManualClock(clock.Now - TimeSpan.FromMinutes(6))).SignAsync(stale);
        Assert.Equal(RelayHttp.Unauthorized, await CodeAsync(await plain.SendAsync(stale), HttpStatusCode.Unauthorized));
        Assert.Equal(0, relay.Size);

        // A good one, then the very same request again: a replay.
        var good = Push(push);
        await member.SignAsync(good);
        var replay = Push(push);
        foreach (var header in good.Headers.Where(h => h.Key is "Signature" or "Signature-Input" or "Content-Digest" or RelayHttp.MembershipHeader)) replay.Headers.TryAddWithoutValidation(header.Key, header.Value);
        Assert.Equal(HttpStatusCode.OK, (await plain.SendAsync(good)).StatusCode);
        Assert.Equal(3, relay.Size);
        Assert.Equal(RelayHttp.Unauthorized, await CodeAsync(await plain.SendAsync(replay), HttpStatusCode.Unauthorized));

        // A signed read moved to another path (fresh nonce never used): the signature covers the path.
        var read = new HttpRequestMessage(HttpMethod.Get, new Uri(baseUri, $"v1/ledgers/{World.Ledger}/checkpoint"));
        read.Headers.Add(RelayHttp.ProtocolHeader, "1");
        await member.SignAsync(read);
        var moved = new HttpRequestMessage(HttpMethod.Get, new Uri(baseUri, $"v1/ledgers/{World.Ledger}/tile/entries/000.p/3"));
        foreach (var header in read.Headers) moved.Headers.TryAddWithoutValidation(header.Key, header.Value);
        Assert.Equal(RelayHttp.Unauthorized, await CodeAsync(await plain.SendAsync(moved), HttpStatusCode.Unauthorized));
        Assert.Equal(HttpStatusCode.OK, (await plain.SendAsync(read)).StatusCode);

        // An author the relay does not know, reading.
        using var stranger = SignedHttp(host, Signer("stranger", "stranger"));
        Assert.Equal(RelayHttp.Unauthorized, await CodeAsync(await stranger.GetAsync($"v1/ledgers/{World.Ledger}/checkpoint"), HttpStatusCode.Unauthorized));

        Assert.Equal(3, relay.Size);
        Assert.True(host.Server.AuthFailures >= 8);
    }

    [Fact]
    [Trait("Risk", "G1")]
    public async Task Non_members_and_revoked_members_are_403_and_a_public_ledger_is_readable_without_signature()
    {
        var relay = World.NewRelay();
        await using var host = await StartAsync(relay, isPublic: true);
        var chain = World.Chain("outsider", 1);

        async Task<HttpResponseMessage> PushAs(RequestSigner signer)
        {
            using var http = SignedHttp(host, signer);
            var content = new ByteArrayContent(RelayWire.EncodeRequest(RelayRequest.Push(chain.Select(o => o.Bytes).ToArray())));
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(RelayHttp.WireMediaType);
            var request = new HttpRequestMessage(HttpMethod.Post, $"v1/ledgers/{World.Ledger}/ops") { Content = content };
            request.Headers.Add(RelayHttp.ProtocolHeader, "1");
            return await http.SendAsync(request);
        }

        Assert.Equal(RelayHttp.Forbidden, await CodeAsync(await PushAs(Signer("outsider")), HttpStatusCode.Forbidden));
        Assert.Equal(RelayHttp.Forbidden, await CodeAsync(await PushAs(Signer("outsider", "someone-else")), HttpStatusCode.Forbidden));
        Assert.Equal(RelayHttp.Forbidden, await CodeAsync(await PushAs(Signer("outsider", "outsider", admin: "not-the-admin")), HttpStatusCode.Forbidden));
        Assert.Equal(0, relay.Size);

        Assert.Equal(HttpStatusCode.OK, (await PushAs(Signer("outsider", "outsider"))).StatusCode);
        Assert.Equal(2, relay.Size);
        host.Server.Options.Ledgers[0].Revoke(AuthorOf("outsider"));
        Assert.Equal(RelayHttp.Forbidden, await CodeAsync(await PushAs(Signer("outsider", "outsider")), HttpStatusCode.Forbidden));

        // Public: reads need no signature; the checkpoint and tiles are served to anyone.
        using var plain = World.Http(host);
        Assert.Equal(HttpStatusCode.OK, (await plain.GetAsync($"v1/ledgers/{World.Ledger}/checkpoint")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await plain.GetAsync($"v1/ledgers/{World.Ledger}/tile/entries/000.p/2")).StatusCode);
        Assert.Equal(2, relay.Size);
    }

    [Fact]
    public async Task A_device_that_rotates_its_key_signs_with_the_new_key_and_the_old_key_stops_working()
    {
        var relay = World.NewRelay();
        await using var host = await StartAsync(relay);
        var current = World.Key("rot-a", 0);
        var grant = RelayLedger.IssueMembership(World.Ledger, Admin, World.Key("ledger-admin", 0), AuthorOf("rot-a")).Bytes;
        using var http = SignedHttp(host, new RequestSigner(AuthorOf("rot-a"), () => current, grant));
        await using var node = await World.NewNodeAsync("rot-a", World.Trusted(relay));
        await node.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("r", 1));
        Assert.False((await node.SyncAsync(World.Client(http))).Offline);

        // The rotation is pushed signed with the new key (the relay takes the key from the batch's key events).
        await node.RotateAsync(World.Key("rot-a", 1), World.Key("rot-a", 2).Public.Digest, 1);
        current = World.Key("rot-a", 1);
        await node.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("r", 2));
        Assert.False((await node.SyncAsync(World.Client(http))).Offline);
        Assert.Equal(0, node.Durability().Local);
        Assert.Equal(4, relay.Size);

        // The old key no longer works, for reads or writes.
        using var old = SignedHttp(host, Signer("rot-a", "rot-a", keyIndex: 0));
        Assert.Equal(RelayHttp.Unauthorized, await CodeAsync(await old.GetAsync($"v1/ledgers/{World.Ledger}/checkpoint"), HttpStatusCode.Unauthorized));
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"v1/ledgers/{World.Ledger}/checkpoint")).StatusCode);
    }

    [Fact]
    public async Task Too_many_requests_from_one_caller_get_429_with_retry_after()
    {
        var relay = World.NewRelay();
        await using var host = await World.StartAsync(o =>
        {
            o.AddLedger(relay);
            o.RequestsPerSecondPerAuthor = 1;
        });
        using var http = World.Http(host);
        var statuses = new List<HttpResponseMessage>();
        for (var i = 0; i < 6; i++) statuses.Add(await http.GetAsync($"v1/ledgers/{World.Ledger}/checkpoint"));
        var limited = statuses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.NotEmpty(limited);
        Assert.Equal(RelayHttp.RateLimited, await CodeAsync(limited[0], HttpStatusCode.TooManyRequests));
        Assert.NotNull(limited[0].Headers.RetryAfter);
    }

    [Fact]
    [Trait("Risk", "G1")]
    public async Task Rate_limits_partition_per_verified_author_and_the_resilient_client_waits_out_retry_after()
    {
        var relay = World.NewRelay();
        await using var host = await World.StartAsync(o =>
        {
            o.AddLedger(relay, adminKey: World.Key("ledger-admin", 0).Public);
            o.RequestsPerSecondPerAuthor = 1;
            o.RateLimitBurst = 1;
        });
        var checkpoint = $"v1/ledgers/{World.Ledger}/checkpoint";

        // Forged requests naming author A are partitioned by address (their signature did not verify), so they do not
        // spend A's allowance: they get 401 and then 429 from the address's bucket.
        // The limiter refills its bucket at a 1 s timer tick, so two requests can straddle a tick: the test sends until
        // the bucket is seen empty instead of assuming where the ticks fall (CI once saw a tick land between two calls).
        using var forger = SignedHttp(host, Signer("rl-a", "rl-a", keyIndex: 7));
        var forged = new List<HttpStatusCode>();
        while (forged.Count < 6 && (forged.Count == 0 || forged[^1] != HttpStatusCode.TooManyRequests)) forged.Add((await forger.GetAsync(checkpoint)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, forged[0]);
        Assert.Equal(HttpStatusCode.TooManyRequests, forged[^1]);
        Assert.All(forged, s => Assert.Contains(s, new[] { HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests }));

        // A's own pushes through the client AddLedgerRelayClient builds (Microsoft.Extensions.Http.Resilience): each
        // one after the first is refused 429 with Retry-After, retried after it, and lands.
        var services = new Microsoft.Extensions.DependencyInjection.ServiceCollection();
        Microsoft.Extensions.DependencyInjection.LedgerSyncHttpServiceCollectionExtensions.AddLedgerRelayClient(services, new Uri(host.Urls[0] + "/"), World.Ledger,
            signer: Signer("rl-a", "rl-a"));
        await using var provider = Microsoft.Extensions.DependencyInjection.ServiceCollectionContainerBuilderExtensions.BuildServiceProvider(services);
        var client = (HttpRelayClient)provider.GetService(typeof(HttpRelayClient))!;
        var chain = World.Chain("rl-a", 2);
        var limitedBefore = host.Server.RateLimited;
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        foreach (var op in chain)
        {
            var answer = await client.PushAsync([op.Bytes]);
            Assert.Equal(IngestStatus.Accepted, Assert.Single(answer.Results).Status);
        }

        // Pushes 2 and 3 each follow a spent token by milliseconds; each is limited unless a refill tick fell in between,
        // so at least one is, and the client waited out a Retry-After: 1 for every 429 it got.
        var took = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        var limited = host.Server.RateLimited - limitedBefore;
        Assert.Equal(3, relay.Size);
        Assert.True(limited >= 1, $"A was limited {limited} times");
        Assert.True(took >= TimeSpan.FromSeconds(0.95 * limited), $"the client waited {took} for {limited} Retry-After: 1 answers");

        // While A is limited, author B has its own bucket (a client without retries: a 429 would throw).
        using var a = SignedHttp(host, Signer("rl-a", "rl-a"));
        using var b = SignedHttp(host, Signer("rl-b", "rl-b"));
        var aNow = await a.GetAsync(checkpoint);
        for (var i = 0; i < 5 && aNow.StatusCode != HttpStatusCode.TooManyRequests; i++) aNow = await a.GetAsync(checkpoint);
        var bNow = await World.Client(b).PushAsync(World.Chain("rl-b", 0).Select(o => o.Bytes).ToArray());
        Assert.Equal(RelayHttp.RateLimited, await CodeAsync(aNow, HttpStatusCode.TooManyRequests));
        Assert.Equal(TimeSpan.FromSeconds(1), aNow.Headers.RetryAfter?.Delta);
        Assert.Equal(IngestStatus.Accepted, Assert.Single(bNow.Results).Status);
    }

    [Fact]
    public void The_signature_example_of_the_protocol_document_verifies_with_any_ed25519_library()
    {
        // docs/http-protocol.md, "A signed request": these exact bytes.
        var key = World.Key("doc-device", 0);
        var body = RelayWire.EncodeRequest(RelayRequest.Push([]));
        var digest = RelayRequestSignature.ContentDigest(body);
        var parameters = RelayRequestSignature.Parameters(1767225600, "bm9uY2Utb2YtdGhlLWRvYw==", "doc-device");
        var signatureBase = RelayRequestSignature.Base("POST", "127.0.0.1:5080", "/v1/ledgers/sitebooks/ops", "?", digest, "1", parameters);
        var signature = key.Sign(signatureBase);
        var text = System.Text.Encoding.UTF8.GetString(signatureBase);
        var document = File.ReadAllText(Path.Combine(RepositoryFiles.Root, "docs", "http-protocol.md"));
        Assert.Contains(text, document.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains(Convert.ToHexStringLower(key.Public.RawBytes), document, StringComparison.Ordinal);
        Assert.Contains(RelayRequestSignature.SignatureField(signature), document, StringComparison.Ordinal);
        Assert.Contains(Convert.ToHexStringLower(body), document, StringComparison.Ordinal);
        Assert.True(key.Public.Verify(signatureBase, signature));
        var answer = RelayWire.EncodePushAnswer(new IngestResponse([], 0, "ledger-relay/sitebooks", new Dictionary<AuthorId, ulong>()));
        Assert.Contains(Convert.ToHexStringLower(answer), document, StringComparison.Ordinal);
    }
}
