using System.Globalization;
using Ledger.Fleet;
using Ledger.Kernel;
using Ledger.Sync;
using Ledger.Signing;
using Ledger.Sync.Http;

namespace Ledger.Relay.Tests;

/// <summary>The fleet tool's relay child (<c>--serve-relay</c>) reports the relay's own counts — its commits (the metric
/// <c>ledger.relay.commits</c>), long-poll answers and size events — when asked over its standard input, and the tool
/// keeps a killed process's counts (docs/scaling.md: the capacity model's commit term).</summary>
public sealed class RelayTotalsTests
{
    [Fact]
    public async Task A_relay_process_counts_one_commit_a_push_that_stored_ops_its_announcements_and_keeps_them_over_a_kill()
    {
        var work = Directory.CreateTempSubdirectory("ledger-totals-");
        try
        {
            using var relay = new RelayProcess(0, Path.Combine(work.FullName, "relay.db"), null);
            relay.Start();
            Assert.Equal(RelayTotals.Zero, relay.Totals);

            using var http = new HttpClient { BaseAddress = new Uri(relay.Url + "/"), Timeout = TimeSpan.FromSeconds(30) };
            var client = new HttpRelayClient(http, new HttpRelayClientOptions { Ledger = FleetOptions.Ledger });
            var log = AuthorLog.Incept(FleetOptions.Ledger, "totals-till", FleetRun.Key("totals-till", 0), FleetRun.Key("totals-till", 1).Public.Digest, out var inception);
            var ops = new List<ReadOnlyMemory<byte>> { inception.Bytes };
            for (var i = 1; i < 6; i++) ops.Add(log.Append(FleetManifest.Manifest, FleetManifest.SaleVerb, new SaleArgs("acct", i)).Bytes);

            // Three pushes one after another, each stored alone: three commits. A resend stores nothing: none.
            await client.PushAsync([ops[0]]);
            await client.PushAsync([ops[1], ops[2]]);
            await client.PushAsync([ops[3]]);
            var resend = await client.PushAsync([ops[3]]);
            Assert.Equal(IngestStatus.Duplicate, resend.Results[0].Status);
            Assert.Equal(new RelayTotals(3, 0, 0), relay.Totals);

            // A long poll behind the log is answered at once with its checkpoint; a long poll at the log's size is not
            // answered by a change within the test and is not asked. An event stream from 0 gets one size event.
            Assert.Equal(4, await client.WaitForChangeAsync(0));
            using (var request = new HttpRequestMessage(HttpMethod.Get, string.Create(CultureInfo.InvariantCulture, $"v1/ledgers/{FleetOptions.Ledger}/events?after=0")))
            using (var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead))
            {
                response.EnsureSuccessStatusCode();
                using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
                while (await reader.ReadLineAsync() is { } line && !line.StartsWith("data: ", StringComparison.Ordinal))
                {
                }
            }

            Assert.Equal(new RelayTotals(3, 1, 1), relay.Totals);

            // SIGKILLed and restarted: the new process counts from zero, the instance keeps what the killed one counted.
            relay.KillAndRestart();
            await client.PushAsync([ops[4], ops[5]]);
            Assert.Equal(new RelayTotals(4, 1, 1), relay.Totals);
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    [Fact]
    public void A_totals_line_reads_back_and_other_lines_are_not_totals()
    {
        var totals = new RelayTotals(12, 345, 6789);
        Assert.Equal("totals commits=12 long-poll-answers=345 size-events=6789", totals.ToLine());
        Assert.True(RelayTotals.TryParse(totals.ToLine(), out var read));
        Assert.Equal(totals, read);
        Assert.False(RelayTotals.TryParse("relay listening on http://127.0.0.1:5080 ledger=fleet", out _));
        Assert.False(RelayTotals.TryParse("totals commits=12 long-poll-answers=345", out _));
        Assert.False(RelayTotals.TryParse("totals commits=-1 long-poll-answers=0 size-events=0", out _));
        Assert.False(RelayTotals.TryParse("totals commits=1 long-poll-answers=0 size-events=0 colour=blue", out _));
    }
}
