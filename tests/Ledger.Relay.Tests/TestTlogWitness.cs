using System.Globalization;
using System.Text;
using Ledger.Kernel;
using Ledger.Signing;
using Ledger.Sync;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Ledger.Relay.Tests;

/// <summary>A witness written from C2SP tlog-witness (add-checkpoint) alone, on Kestrel: it knows one log (origin and
/// key), keeps the latest checkpoint it cosigned, checks old size (409 with text/x.tlog.size), the log's signature
/// (404 unknown origin, 403 no trusted signature), the consistency proof and the empty tree (422), persists before it
/// answers, and answers one cosignature line.</summary>
internal sealed class TestTlogWitness : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly NoteKey _log;
    private readonly SigningKey _key;
    private readonly Lock _gate = new();
    private long _size;
    private Hash32 _root = Hash32.Sha256([]);

    private TestTlogWitness(WebApplication app, NoteKey log, SigningKey key, string name)
    {
        _app = app;
        _log = log;
        _key = key;
        Name = name;
        Key = NoteKey.Create(name, key.Public, NoteKey.Cosignature);
    }

    public string Name { get; }

    public NoteKey Key { get; }

    public Uri Prefix => new(_app.Urls.First() + "/witness/");

    public long Size
    {
        get
        {
            lock (_gate) return _size;
        }
    }

    /// <summary>Answers every request with this status instead (a misbehaving witness), when set.</summary>
    public int? ForceStatus { get; set; }

    /// <summary>Sign with another key than <see cref="Key"/> (a cosignature the relay must not keep), when set.</summary>
    public bool SignWithWrongKey { get; set; }

    public static async Task<TestTlogWitness> StartAsync(NoteKey log, string name = "witness.test/w1")
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var witness = new TestTlogWitness(app, log, World.Key("test-witness", 0), name);
        app.MapPost("/witness/add-checkpoint", witness.AddCheckpointAsync);
        await app.StartAsync();
        return witness;
    }

    private async Task AddCheckpointAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer);
        var (status, contentType, body) = Answer(buffer.ToArray());
        context.Response.StatusCode = ForceStatus ?? status;
        context.Response.ContentType = contentType;
        await context.Response.WriteAsync(body);
    }

    private (int Status, string ContentType, string Body) Answer(byte[] request)
    {
        var text = Encoding.UTF8.GetString(request);
        var lines = new List<string>();
        var at = 0;
        // The old size line and proof lines, up to the empty line; the checkpoint follows.
        while (true)
        {
            var end = text.IndexOf('\n', at);
            if (end < 0) return (400, "text/plain", "no empty line\n");
            var line = text[at..end];
            at = end + 1;
            if (line.Length == 0) break;
            lines.Add(line);
        }

        if (lines.Count == 0 || !lines[0].StartsWith("old ", StringComparison.Ordinal)
            || !long.TryParse(lines[0]["old ".Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var old)
            || (lines[0].Length > 5 && lines[0]["old ".Length] == '0'))
        {
            return (400, "text/plain", "bad old size line\n");
        }

        if (lines.Count - 1 > 63) return (400, "text/plain", "too many proof lines\n");
        var proof = new List<Hash32>();
        foreach (var line in lines.Skip(1))
        {
            byte[] hash;
            try
            {
                hash = Convert.FromBase64String(line);
            }
            catch (FormatException)
            {
                return (400, "text/plain", "a proof line is not base64\n");
            }

            if (hash.Length != 32) return (400, "text/plain", "a proof line is not a hash\n");
            proof.Add(new Hash32(hash));
        }

        SignedNote note;
        RelayCheckpoint? checkpoint;
        try
        {
            note = SignedNote.Parse(Encoding.UTF8.GetBytes(text[at..]));
            if (!RelayCheckpoint.TryParse(note, out checkpoint, out _)) return (400, "text/plain", "not a checkpoint\n");
        }
        catch (LedgerFormatException)
        {
            return (400, "text/plain", "not a note\n");
        }

        if (checkpoint!.Origin != _log.Name) return (404, "text/plain", "unknown log\n");
        if (!note.Verify([_log]).Ok) return (403, "text/plain", "no valid signature of the log\n");
        if (old > checkpoint.Size) return (400, "text/plain", "old size beyond the checkpoint\n");
        lock (_gate)
        {
            if (old != _size) return (409, "text/x.tlog.size", _size.ToString(CultureInfo.InvariantCulture) + "\n");
            if (checkpoint.Size == 0 && checkpoint.Root != Hash32.Sha256([])) return (422, "text/plain", "an empty tree has the empty hash\n");
            if (old == 0 && proof.Count > 0) return (422, "text/plain", "no proof from the empty tree\n");
            if (old == checkpoint.Size && checkpoint.Root != _root) return (422, "text/plain", "same size, another root\n");
            if (old != 0 && old != checkpoint.Size && !MerkleProofs.VerifyConsistency(old, checkpoint.Size, proof, _root, checkpoint.Root))
            {
                return (422, "text/plain", "the consistency proof does not verify\n");
            }

            // Persist (here: in memory, under the same lock as the check) before answering.
            _size = checkpoint.Size;
            _root = checkpoint.Root;
        }

        var signer = SignWithWrongKey ? World.Key("not-the-witness", 0) : _key;
        var cosigned = Cosignatures.Cosign(note, Name, signer, DateTimeOffset.UtcNow);
        var all = cosigned.ToString();
        var last = all[(all.TrimEnd('\n').LastIndexOf('\n') + 1)..];
        return (200, "text/plain; charset=utf-8", last);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
