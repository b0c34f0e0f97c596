using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Ledger.Fleet;

/// <summary>A relay instance in its own process (this program with <c>--serve-relay</c>), on a fixed loopback port
/// so a restart keeps its address; killed with SIGKILL (no flush, no cleanup) and restarted on its store.</summary>
internal sealed class RelayProcess : IDisposable
{
    private readonly string[] _serveArgs;
    private Process? _process;

    public RelayProcess(int instance, string store, string? postgres, TimeSpan notice = default)
    {
        Instance = instance;
        Port = FreePort();
        Url = $"http://127.0.0.1:{Port}";
        _serveArgs = postgres is null
            ? ["--serve-relay", "--store", store, "--urls", Url]
            : ["--serve-relay", "--pg", postgres, "--checkpoint-key", store + ".checkpoint-key", "--urls", Url];
        _serveArgs = [.. _serveArgs, "--notice-interval-ms", ((int)notice.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture)];
    }

    public int Instance { get; }

    public int Port { get; }

    public string Url { get; }

    public string Vkey { get; private set; } = "";

    public int Kills { get; private set; }

    public long PeakWorkingSet { get; private set; }

    public List<long> WorkingSets { get; } = [];

    public int PeakOpenFiles { get; private set; }

    // CPU time of the instance's earlier (killed) processes; the current one's is read live.
    private TimeSpan _cpuOfEarlier;

    /// <summary>CPU time (user + system) the instance has used, over all its processes (the capacity model is fitted on
    /// it: on a shared machine CPU time per request moves far less than wall time per request).</summary>
    public TimeSpan CpuTime
    {
        get
        {
            try
            {
                if (_process is null) return _cpuOfEarlier;
                _process.Refresh();
                return _cpuOfEarlier + _process.TotalProcessorTime;
            }
            catch (InvalidOperationException)
            {
                return _cpuOfEarlier; // exited between the check and the read
            }
        }
    }

    /// <summary>Starts the instance; one that cannot reach its database yet (PostgreSQL restarting) is started again
    /// until it can, for up to a minute.</summary>
    public void Start()
    {
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (true)
        {
            try
            {
                StartOnce();
                return;
            }
            catch (InvalidOperationException) when (DateTime.UtcNow < deadline)
            {
                _process?.Dispose();
                _process = null;
                Restarts++;
                Thread.Sleep(500);
            }
        }
    }

    /// <summary>Starts that found the database unreachable and were repeated.</summary>
    public int Restarts { get; private set; }

    private void StartOnce()
    {
        var self = typeof(RelayProcess).Assembly.Location;
        var start = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(self);
        foreach (var arg in _serveArgs) start.ArgumentList.Add(arg);
        _process = Process.Start(start) ?? throw new InvalidOperationException("the relay process did not start.");
        var line = _process.StandardOutput.ReadLine();
        if (line is null || !line.StartsWith("relay listening on ", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"relay {Instance} did not start: {line} {_process.StandardError.ReadToEnd()}");
        }

        Vkey = line[(line.IndexOf("vkey=", StringComparison.Ordinal) + 5)..].Trim();
        // Keep draining its output so it never blocks on a full pipe; the answers to totals requests are picked out.
        var process = _process;
        _ = Task.Run(async () =>
        {
            while (await process.StandardOutput.ReadLineAsync().ConfigureAwait(false) is { } output)
            {
                if (RelayTotals.TryParse(output, out var totals)) Volatile.Read(ref _asked)?.TrySetResult(totals!);
            }
        });
        _ = Task.Run(() => process.StandardError.ReadToEndAsync());
    }

    // The totals request in flight (one at a time, under _asking).
    private TaskCompletionSource<RelayTotals>? _asked;
    private readonly Lock _asking = new();
    // Counts of the instance's earlier (killed) processes, read just before each kill; null once one could not be read.
    private RelayTotals? _totalsOfEarlier = RelayTotals.Zero;

    /// <summary>The relay's own counts (commits, long-poll answers, size events) over all the instance's processes, asked
    /// of the running process now; null when a process did not answer (then the run has no such figures). What a killed
    /// process counted between the last reading and its kill is not included (as with <see cref="CpuTime"/>).</summary>
    public RelayTotals? Totals
    {
        get
        {
            lock (_asking)
            {
                if (_totalsOfEarlier is not { } earlier) return null;
                if (_process is null) return earlier;
                return AskTotals() is { } now ? earlier.Plus(now) : null;
            }
        }
    }

    private RelayTotals? AskTotals()
    {
        var asked = new TaskCompletionSource<RelayTotals>(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _asked, asked);
        try
        {
            _process!.StandardInput.WriteLine(RelayTotals.Request);
            _process.StandardInput.Flush();
            return asked.Task.Wait(TimeSpan.FromSeconds(10)) ? asked.Task.Result : null;
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or ObjectDisposedException)
        {
            return null; // it exited: its counts went with it
        }
        finally
        {
            Volatile.Write(ref _asked, null);
        }
    }

    /// <summary>SIGKILL, then start again on the same store and port.</summary>
    public void KillAndRestart()
    {
        // What it used and counted up to now (a few ms of the kill itself are not counted).
        _totalsOfEarlier = Totals;
        _cpuOfEarlier = CpuTime;
        _process?.Kill(entireProcessTree: true);
        _process?.WaitForExit();
        _process?.Dispose();
        Kills++;
        Start();
    }

    /// <summary>Records the working set and open file descriptors (sockets included) of the process.</summary>
    public void Sample()
    {
        if (_process is null || _process.HasExited) return;
        try
        {
            _process.Refresh();
            var ws = _process.WorkingSet64;
            WorkingSets.Add(ws);
            PeakWorkingSet = Math.Max(PeakWorkingSet, ws);
            var fd = $"/proc/{_process.Id}/fd";
            if (Directory.Exists(fd)) PeakOpenFiles = Math.Max(PeakOpenFiles, Directory.GetFiles(fd).Length);
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            // It exited between the check and the read.
        }
    }

    public void Dispose()
    {
        try
        {
            if (_process is { HasExited: false }) _process.Kill(entireProcessTree: true);
            _process?.WaitForExit(10_000);
        }
        catch (InvalidOperationException)
        {
        }

        _process?.Dispose();
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
