using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Ledger.Kernel;
using Ledger.Signing;
using Ledger.Sync;
using Ledger.Sync.AspNetCore;
using Ledger.Sync.Http;
using Ledger.TestDomain;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Ledger.Relay.Tests;

/// <summary>The TypeScript client (clients/typescript): its vitest suite runs every vector of vectors/, and a page
/// using it in a real headless Chromium is a device of a ledger beside a .NET device node, both through one Kestrel
/// relay on loopback (docs/integrators.md).</summary>
public sealed class TypeScriptClientTests(ITestOutputHelper output)
{
    [Fact]
    [Trait("Category", "TypeScript")]
    [Trait("Risk", "C2")]
    public void The_typescript_client_gives_every_case_of_every_vector_file_ledgers_verdict()
    {
        if (!NodeTools.Available(output, needsBrowser: false)) return;
        // npm test: the type check, then vitest over every file of vectors/ (clients/typescript/test/vectors.test.ts).
        var (exit, stdout, stderr) = NodeTools.Run("npm", ["test", "--silent"], NodeTools.ClientDirectory, TimeSpan.FromMinutes(5));
        output.WriteLine(stdout);
        output.WriteLine(stderr);
        Assert.True(exit == 0, $"npm test failed ({exit}):\n{stdout}\n{stderr}");
        Assert.Contains("passed", stdout + stderr, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Category", "TypeScript")]
    [Trait("Risk", "G1")]
    public async Task A_browser_device_and_a_dotnet_device_reach_the_same_verified_checkpoint_and_balances_through_one_kestrel_relay()
    {
        if (!NodeTools.Available(output, needsBrowser: true)) return;
        var work = Directory.CreateTempSubdirectory("ledger-e2e-");
        try
        {
            // The client bundle, as a front end would ship it (esbuild, ESM).
            var bundle = Path.Combine(work.FullName, "ledger-client.js");
            var build = NodeTools.Run("node", [Path.Combine("e2e", "bundle.mjs"), bundle],
                NodeTools.ClientDirectory, TimeSpan.FromMinutes(2));
            Assert.True(build.ExitCode == 0, "esbuild: " + build.Error);

            var relay = World.NewRelay();
            var adminKey = World.Key("ledger-admin", 0);
            var admin = new AuthorId("ledger-admin");
            var server = new LedgerRelayServer(Configure(relay, adminKey));
            var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
            builder.Logging.ClearProviders();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            await using var app = builder.Build();
            app.MapLedgerRelay(server);
            // Same origin as the relay: the page, its script and the bundle; and the admin's grant (test only).
            var e2e = Path.Combine(NodeTools.ClientDirectory, "e2e");
            app.MapGet("/e2e/index.html", () => Results.File(Path.Combine(e2e, "index.html"), "text/html; charset=utf-8"));
            app.MapGet("/e2e/page.js", () => Results.File(Path.Combine(e2e, "page.js"), "text/javascript; charset=utf-8"));
            app.MapGet("/e2e/ledger-client.js", () => Results.File(bundle, "text/javascript; charset=utf-8"));
            app.MapPost("/e2e/grant/{author}", (string author) =>
                AuthorId.TryCreate(author, out var id)
                    ? Results.Text(Convert.ToBase64String(RelayLedger.IssueMembership(World.Ledger, admin, adminKey, id).Bytes.Span))
                    : Results.BadRequest());
            // The .NET device: a member, signing its requests, syncing through the relay over HTTP.
            await using var node = await World.NewNodeAsync("dotnet-dev", World.Trusted(relay));
            var grant = RelayLedger.IssueMembership(World.Ledger, admin, adminKey, node.Author).Bytes;
            var key = World.Key("dotnet-dev", 0);
            HttpRelayClient? client = null;
            // Between the browser's two rounds, the .NET device appends and syncs (the page asks; test only).
            app.MapPost("/e2e/dotnet-round", async () =>
            {
                await node.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("cash", 1000));
                var round = await node.SyncAsync(client!);
                return Results.Text(string.Create(CultureInfo.InvariantCulture, $"pulled={round.Pulled} acknowledged={round.Acknowledged} offline={round.Offline}"));
            });
            await app.StartAsync();
            var url = app.Urls.First();
            using var http = new HttpClient(new RequestSigningHandler(new RequestSigner(node.Author, () => key, grant), new SocketsHttpHandler())) { BaseAddress = new Uri(url + "/") };
            client = World.Client(http);
            await node.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("cash", 100));
            await node.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("card", 40));
            Assert.False((await node.SyncAsync(client)).Offline);

            // The browser device, in another process: appends three ops, pushes them signed, pulls and verifies everything.
            var query = $"ledger={Uri.EscapeDataString(World.Ledger)}&vkey={Uri.EscapeDataString(relay.CheckpointVerifierKey!.ToVkey())}" +
                $"&manifest={Convert.ToHexStringLower(TestManifest.V1.Id.Hash.ToArray())}&adds={Uri.EscapeDataString("[[\"cash\",5],[\"cash\",7],[\"card\",11]]")}";
            var run = await NodeTools.RunAsync("node", [Path.Combine("e2e", "drive-browser.mjs"), $"{url}/e2e/index.html?{query}", NodeTools.Chromium], NodeTools.ClientDirectory, TimeSpan.FromMinutes(3));
            output.WriteLine(run.Error);
            Assert.True(run.ExitCode == 0, $"the browser run failed ({run.ExitCode}):\n{run.Output}\n{run.Error}");
            var result = JsonNode.Parse(run.Output.Trim().Split('\n')[^1])!.AsObject();
            output.WriteLine(result.ToJsonString());

            // The .NET device syncs again and gets the browser's last op.
            Assert.False((await node.SyncAsync(client)).Offline);
            // 3 of the .NET device (inception + 2), 4 of the browser (inception + 3), 1 more of each in the second round.
            Assert.Equal(9, relay.Size);
            Assert.Equal(5, (int)result["pushed"]!);
            Assert.Equal(7, (int)result["rounds"]![0]!["size"]!);
            // The .NET round pulled positions 3-7: the browser's 4 ops and its own new op back.
            Assert.Equal("pulled=5 acknowledged=1 offline=False", (string)result["rounds"]![1]!["dotnet"]!);

            // One verified checkpoint: the relay's signed root of all 9 ops, as the browser verified it and as the node witnessed it.
            var witnessed = node.WitnessedCheckpoint!;
            Assert.Equal(9, witnessed.Size);
            Assert.True((bool)result["checkpoint"]!["signatureVerifies"]!);
            Assert.Equal(witnessed.Size, (long)result["checkpoint"]!["size"]!);
            Assert.Equal(Convert.ToHexStringLower(witnessed.Root.ToArray()), (string)result["checkpoint"]!["root"]!);
            Assert.Equal(Convert.ToHexStringLower(witnessed.Root.ToArray()), (string)result["view"]!["root"]!);

            // One order: position, author, seq and chain hash of every op, as the relay serves them to the .NET side.
            var pulled = await ((IRelayProtocol)relay).PullAsync(0, 100);
            var expected = pulled.Ops.Select(o =>
            {
                var signed = SignedOpCodec.Decode(o.Bytes);
                return $"{o.Position} {signed.Op.Author} {signed.Op.Seq} {Convert.ToHexStringLower(SHA256.HashData(o.Bytes.Span))}";
            });
            var seen = result["view"]!["ops"]!.AsArray().Select(o => $"{(long)o!["position"]!} {(string)o["author"]!} {(long)o["seq"]!} {(string)o["chainHash"]!}");
            Assert.Equal(expected, seen);
            Assert.Contains(node.Author.Value, result["chains"]!.AsObject().Select(c => c.Key));

            // One state view: the balances the browser folded from the verified ops are the .NET kernel's counter rows.
            foreach (var account in new[] { "cash", "card" })
            {
                var row = node.Read(k => k.State.Get(Tables.Balances, account));
                Assert.Equal(Convert.ToString(row, CultureInfo.InvariantCulture), (string)result["balances"]![account]!);
            }

            Assert.Equal("1112", (string)result["balances"]!["cash"]!);
            Assert.Equal("53", (string)result["balances"]!["card"]!);
            Assert.Equal(0, server.AuthFailures);
            output.WriteLine($"BROWSER userAgent={(string?)result["userAgent"]} webCryptoKey={(bool)result["webCryptoKey"]!} size={witnessed.Size}");
            await app.StopAsync();
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static LedgerRelayOptions Configure(Sync.Relay relay, SigningKey adminKey)
    {
        var options = new LedgerRelayOptions();
        options.AddLedger(relay, isPublic: false, adminKey.Public);
        return options;
    }
}
