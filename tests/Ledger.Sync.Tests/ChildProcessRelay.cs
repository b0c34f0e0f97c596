using System.Diagnostics;
using Ledger.Kernel;
using Ledger.Sync;

namespace Ledger.Sync.Tests;

/// <summary>A relay running in a child process on a SQLite file, reachable through a line protocol, that a
/// test can kill with SIGKILL at any moment. It speaks the relay protocol (RelayWire frames, one base64 line each).</summary>
internal sealed class ChildProcessRelay : ForwardingRelayProtocol, IDisposable
{
    private readonly string _db;
    private readonly Lock _gate = new();
    private Process? _process;

    private readonly RelayWireClient _client;

    public ChildProcessRelay(string db)
    {
        _db = db;
        _client = new RelayWireClient(Exchange);
    }

    public int Starts { get; private set; }

    /// <summary>Starts the crash host (tests/Ledger.Sync.CrashHost) on <paramref name="db"/>; it opens the store before it
    /// says READY.</summary>
    internal static Process StartHost(string db)
    {
        var configuration = Path.GetFileName(Path.GetDirectoryName(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar))!);
        var repo = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", ".."));
        var host = Path.Combine(repo, "tests", "Ledger.Sync.CrashHost", "bin", configuration, "net10.0", "Ledger.Sync.CrashHost.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(host);
        start.ArgumentList.Add(db);
        start.ArgumentList.Add(World.Ledger);
        return Process.Start(start)!;
    }

    public void Start()
    {
        var process = StartHost(_db);
        var ready = process.StandardOutput.ReadLine();
        if (ready != "READY") throw new InvalidOperationException($"the crash host did not start: {ready} {process.StandardError.ReadToEnd()}");
        process.StandardInput.WriteLine("WARM");
        process.StandardInput.Flush();
        var warm = process.StandardOutput.ReadLine();
        if (warm != "WARM ok #END") throw new InvalidOperationException($"the crash host did not warm up: {warm}");
        lock (_gate) _process = process;
        Starts++;
    }

    /// <summary>SIGKILL: no flush, no cleanup, exactly like a power cut for the process.</summary>
    public void Kill()
    {
        Process? process;
        lock (_gate)
        {
            process = _process;
            _process = null;
        }

        if (process is null) return;
        try
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
        catch (InvalidOperationException)
        {
        }

        process.Dispose();
    }

    // Every call goes through the relay protocol's own codec: the child answers RelayWire frames, one base64 line each.
    protected override IRelayProtocol Inner => _client;

    public void Dispose() => Kill();

    private Task<ReadOnlyMemory<byte>> Exchange(ReadOnlyMemory<byte> request, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var answer = Request(Convert.ToBase64String(request.Span));
        try
        {
            return Task.FromResult<ReadOnlyMemory<byte>>(Convert.FromBase64String(answer));
        }
        catch (FormatException e)
        {
            throw new RelayUnavailableException("the relay process answered a line that is not base64.", e);
        }
    }

    private string Request(string request)
    {
        Process? process;
        lock (_gate) process = _process;
        if (process is null) throw new RelayUnavailableException("the relay process is down.");
        try
        {
            process.StandardInput.WriteLine(request);
            process.StandardInput.Flush();
            var answer = process.StandardOutput.ReadLine();
            if (answer is null) throw new RelayUnavailableException("the relay process died before answering.");
            // A process killed mid-write leaves a torn line: like a connection cut mid-response, it is no answer.
            if (!answer.EndsWith(" #END", StringComparison.Ordinal)) throw new RelayUnavailableException("the relay process died while answering.");
            return answer[..^" #END".Length];
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or ObjectDisposedException)
        {
            throw new RelayUnavailableException("the relay process died mid-request.", e);
        }
    }
}
