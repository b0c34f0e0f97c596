using System.Diagnostics;
using System.Text;

namespace Ledger.Tool.Tests;

/// <summary><c>ledger relay serve</c> in a process of its own, as an operator runs it.</summary>
public class RelayServeTests
{
    [Fact]
    [Trait("Risk", "G1")]
    public async Task Relay_serve_listens_where_it_says_serves_a_signed_checkpoint_over_http_and_keeps_its_store()
    {
        var dir = ToolFiles.NewFolder();
        var store = Path.Combine(dir, "relay.db");
        var tool = Path.Combine(AppContext.BaseDirectory, "Ledger.Tool.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "exec", tool, "relay", "serve", "--store", store, "--ledger", "serve-test", "--urls", "http://127.0.0.1:0", "--public" }) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        try
        {
            var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
            Assert.True(line is not null && line.StartsWith("relay listening on http://127.0.0.1:", StringComparison.Ordinal),
                $"first line: {line}; stderr: {(process.HasExited ? await process.StandardError.ReadToEndAsync() : "")}");
            Assert.Contains(" ledger=serve-test ", line, StringComparison.Ordinal);
            Assert.Contains(" vkey=", line, StringComparison.Ordinal);
            var url = line["relay listening on ".Length..].Split(' ')[0];

            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            var answer = await http.GetAsync(new Uri(url.TrimEnd('/') + "/v1/ledgers/serve-test/checkpoint"));
            Assert.True(answer.IsSuccessStatusCode, $"{(int)answer.StatusCode}: {await answer.Content.ReadAsStringAsync()}");
            var note = Encoding.UTF8.GetString(await answer.Content.ReadAsByteArrayAsync());
            Assert.StartsWith("ledger-relay/serve-test\n0\n", note, StringComparison.Ordinal);
            Assert.True(File.Exists(store));
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    [Fact]
    [Trait("Risk", "G1")]
    public async Task A_second_relay_serve_on_a_store_another_one_serves_exits_3_naming_the_file_and_the_first_keeps_serving()
    {
        var dir = ToolFiles.NewFolder();
        var store = Path.Combine(dir, "relay.db");
        string[] arguments = ["--store", store, "--ledger", "serve-test", "--urls", "http://127.0.0.1:0", "--public"];
        using var first = new ServeProcess(arguments);

        // Before, the second opened the file too and failed its first write on SQLite's unique constraint; now it does
        // not start: exit 3 (unavailable), as a supervisor retries.
        var tool = Path.Combine(AppContext.BaseDirectory, "Ledger.Tool.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "exec", tool, "relay", "serve" }.Concat(arguments)) start.ArgumentList.Add(a);
        using var second = Process.Start(start)!;
        var stderr = second.StandardError.ReadToEndAsync();
        var stdout = second.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        try
        {
            await second.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            second.Kill(entireProcessTree: true);
            Assert.Fail($"the second relay serve did not exit: {await stdout}");
        }

        Assert.Equal(3, second.ExitCode);
        var error = await stderr;
        Assert.Contains(store, error, StringComparison.Ordinal);
        Assert.Contains("another store holds the file", error, StringComparison.Ordinal);

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var answer = await http.GetAsync(new Uri(first.Url + "/v1/ledgers/serve-test/checkpoint"));
        Assert.True(answer.IsSuccessStatusCode, $"{(int)answer.StatusCode}: {await answer.Content.ReadAsStringAsync()}");
        Assert.False(first.HasExited);
    }
}
