using System.Diagnostics;
using System.Globalization;
using System.Text;
using Ledger.Kernel;
using Ledger.Sync;

namespace Ledger.Sync.Tests;

/// <summary>A relay running in a child process on a SQLite file, reachable through a line protocol, that a
/// test can kill with SIGKILL at any moment.</summary>
internal sealed class ChildProcessRelay : IRelayTransport, IDisposable
{
    private readonly string _db;
    private readonly Lock _gate = new();
    private Process? _process;

    public ChildProcessRelay(string db) => _db = db;

    public int Starts { get; private set; }

    public void Start()
    {
        var configuration = Path.GetFileName(Path.GetDirectoryName(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar))!);
        var repo = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", ".."));
        var host = Path.Combine(repo, "tests", "Ledger.Sync.CrashHost", "bin", configuration, "net10.0", "Ledger.Sync.CrashHost.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(host);
        start.ArgumentList.Add(_db);
        start.ArgumentList.Add(World.Ledger);
        var process = Process.Start(start)!;
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

    public Task<IngestResponse> PushAsync(IReadOnlyList<ReadOnlyMemory<byte>> batch, CancellationToken cancellationToken = default)
    {
        var line = Request("PUSH " + string.Join(",", batch.Select(b => Convert.ToBase64String(b.Span))), "ACK");
        var results = line.Split(';').Select(r =>
        {
            var f = r.Split(':');
            return new IngestResult(int.Parse(f[0], CultureInfo.InvariantCulture), null, (IngestStatus)int.Parse(f[1], CultureInfo.InvariantCulture),
                f[2] == "-" ? null : long.Parse(f[2], CultureInfo.InvariantCulture),
                f[3] == "-" ? null : (IngestRefusal)int.Parse(f[3], CultureInfo.InvariantCulture),
                SendFromSeq: f[4] == "-" ? null : ulong.Parse(f[4], CultureInfo.InvariantCulture));
        }).ToArray();
        return Task.FromResult(new IngestResponse(results, -1));
    }

    public Task<PullResponse> PullAsync(long fromPosition, int max, CancellationToken cancellationToken = default)
    {
        var (size, ops) = ParseOps(Request(string.Create(CultureInfo.InvariantCulture, $"PULL {fromPosition} {max}"), "OPS"));
        return Task.FromResult(new PullResponse(ops, size));
    }

    public Task<IReadOnlyList<(long Position, ReadOnlyMemory<byte> Bytes)>> FetchAuthorAsync(AuthorId author, ulong fromSeq, CancellationToken cancellationToken = default)
    {
        var (_, ops) = ParseOps(Request(string.Create(CultureInfo.InvariantCulture, $"AUTHOR {author} {fromSeq}"), "OPS"));
        return Task.FromResult<IReadOnlyList<(long, ReadOnlyMemory<byte>)>>(ops);
    }

    public Task<byte[]?> GetCheckpointAsync(long? size, CancellationToken cancellationToken = default)
    {
        var body = Request("CHECKPOINT " + (size?.ToString(CultureInfo.InvariantCulture) ?? "-"), "NOTE");
        return Task.FromResult(body == "-" ? null : Convert.FromBase64String(body));
    }

    public Task<IReadOnlyList<Hash32>> GetConsistencyProofAsync(long size1, long size2, CancellationToken cancellationToken = default)
    {
        var body = Request(string.Create(CultureInfo.InvariantCulture, $"CONSISTENCY {size1} {size2}"), "PROOF");
        return Task.FromResult<IReadOnlyList<Hash32>>(body.Length == 0 ? [] : body.Split(',').Select(b => new Hash32(Convert.FromBase64String(b))).ToArray());
    }

    public Task PostCosignedCheckpointAsync(ReadOnlyMemory<byte> note, CancellationToken cancellationToken = default)
    {
        Request("COSIGN " + Convert.ToBase64String(note.Span), "OK");
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<byte[]>> GetCosignedCheckpointsAsync(CancellationToken cancellationToken = default)
    {
        var body = Request("COSIGNED", "NOTES");
        return Task.FromResult<IReadOnlyList<byte[]>>(body.Length == 0 ? [] : body.Split(',').Select(Convert.FromBase64String).ToArray());
    }

    public void Dispose() => Kill();

    private string Request(string request, string expect)
    {
        Process? process;
        lock (_gate) process = _process;
        if (process is null) throw new RelayUnavailableException("the relay process is down.");
        try
        {
            process.StandardInput.WriteLine(request);
            process.StandardInput.Flush();
            var answer = process.StandardOutput.ReadLine();
            if (answer is null || !answer.StartsWith(expect + " ", StringComparison.Ordinal)) throw new RelayUnavailableException("the relay process died before answering.");
            // A process killed mid-write leaves a torn line: like a connection cut mid-response, it is no answer.
            if (!answer.EndsWith(" #END", StringComparison.Ordinal)) throw new RelayUnavailableException("the relay process died while answering.");
            return answer[(expect.Length + 1)..^" #END".Length];
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or ObjectDisposedException)
        {
            throw new RelayUnavailableException("the relay process died mid-request.", e);
        }
    }

    private static (long Size, IReadOnlyList<(long, ReadOnlyMemory<byte>)> Ops) ParseOps(string body)
    {
        var parts = body.Split(' ');
        var ops = parts.Skip(1).Select(p =>
        {
            var colon = p.IndexOf(':', StringComparison.Ordinal);
            return (long.Parse(p[..colon], CultureInfo.InvariantCulture), (ReadOnlyMemory<byte>)Convert.FromBase64String(p[(colon + 1)..]));
        }).ToArray();
        return (long.Parse(parts[0], CultureInfo.InvariantCulture), ops);
    }
}
