using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Ledger.Kernel;
using Ledger.Sync;

namespace Ledger.Sync.AspNetCore;

/// <summary>Submits one ledger's checkpoints to one external witness (C2SP tlog-witness <c>add-checkpoint</c>): the
/// newest checkpoint with a consistency proof from the size the witness last cosigned, the witness's cosignature
/// checked against its key and persisted beside the checkpoint (<see cref="Relay.PostCosignatureAsync"/>), where
/// <c>GET cosignatures</c> serves it. Runs are serialised and coalesced: a push during a submission asks for one more
/// run, never for a queue.</summary>
internal sealed class WitnessSubmitter(RelayLedger ledger, TlogWitness witness, HttpClient http)
{
    private const int MaxProofLines = 63;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private int _dirty;
    private long? _cosigned; // the size the witness last cosigned for this log (unknown after a start: ask with old 0)
    private long? _stored; // the size of the last cosignature of this witness verified and stored

    public TlogWitness Witness => witness;

    public RelayLedger Ledger => ledger;

    public long Cosigned;

    public long Failures;

    public string? LastFailure { get; private set; }

    /// <summary>Asks for a submission of the newest checkpoint, in the background; returns at once.</summary>
    public void Kick()
    {
        Interlocked.Exchange(ref _dirty, 1);
        if (!_gate.Wait(0)) return; // the running loop sees the flag
        _ = Task.Run(async () =>
        {
            try
            {
                while (Interlocked.Exchange(ref _dirty, 0) == 1) await SubmitOnceAsync(CancellationToken.None).ConfigureAwait(false);
            }
            finally
            {
                _gate.Release();
            }

            if (Volatile.Read(ref _dirty) == 1) Kick();
        });
    }

    /// <summary>Submits the newest checkpoint now (after any run in progress).</summary>
    public async Task<bool> SubmitAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await SubmitOnceAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<bool> SubmitOnceAsync(CancellationToken cancellationToken)
    {
        try
        {
            var relay = ledger.Relay;
            var note = await relay.GetCheckpointAsync(null, cancellationToken).ConfigureAwait(false);
            if (note is null) return Fail("the relay signs no checkpoints.");
            if (!RelayCheckpoint.TryParse(SignedNote.Parse(note), out var checkpoint, out var problem)) return Fail("the relay's checkpoint: " + problem);
            // Twice at most: a 409 tells the size the witness holds, and the second request proves from there.
            for (var attempt = 0; attempt < 2; attempt++)
            {
                if (_stored == checkpoint!.Size) return true;
                // A witness that holds this very size cosigns it again (old = size, same root): nothing to prove.
                var old = _cosigned ?? 0;
                if (old > checkpoint.Size) return Fail(string.Create(CultureInfo.InvariantCulture, $"the witness cosigned size {old}, beyond this relay's log ({checkpoint.Size}): the relay lost ops, or another log shares its origin."));
                var proof = old == 0 ? [] : await relay.GetConsistencyProofAsync(old, checkpoint.Size, cancellationToken).ConfigureAwait(false);
                if (proof.Count > MaxProofLines) return Fail("the consistency proof is longer than tlog-witness allows.");
                var body = new StringBuilder();
                body.Append(CultureInfo.InvariantCulture, $"old {old}\n");
                foreach (var hash in proof) body.Append(Convert.ToBase64String(hash.ToArray())).Append('\n');
                body.Append('\n');
                var sent = Encoding.UTF8.GetBytes(body.ToString()).Concat(note).ToArray();
                using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(Prefix(), "add-checkpoint")) { Content = new ByteArrayContent(sent) };
                using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
                var answer = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
                if (response.StatusCode == HttpStatusCode.Conflict)
                {
                    var text = Encoding.ASCII.GetString(answer).TrimEnd('\n');
                    if (response.Content.Headers.ContentType?.MediaType != "text/x.tlog.size"
                        || !long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var held))
                    {
                        return Fail("409 without a text/x.tlog.size body.");
                    }

                    _cosigned = held;
                    continue;
                }

                if (response.StatusCode != HttpStatusCode.OK)
                {
                    return Fail(string.Create(CultureInfo.InvariantCulture, $"HTTP {(int)response.StatusCode}: {Encoding.UTF8.GetString(answer.AsSpan(0, Math.Min(answer.Length, 512)))}"));
                }

                // The answer is signature lines: appended to the checkpoint they make a note a verifier reads whole.
                SignedNote cosigned;
                try
                {
                    cosigned = SignedNote.Parse([.. note, .. answer]);
                }
                catch (LedgerFormatException e)
                {
                    return Fail("the answer is not note signature lines: " + e.Message);
                }

                var valid = Cosignatures.Verify(cosigned, [witness.Key], out var failed);
                if (valid.Count == 0) return Fail(failed.Count > 0 ? "the witness's cosignature does not verify." : "the answer holds no cosignature from the witness's key.");
                await relay.PostCosignatureAsync(cosigned.ToBytes(), cancellationToken).ConfigureAwait(false);
                _cosigned = checkpoint.Size;
                _stored = checkpoint.Size;
                Interlocked.Increment(ref Cosigned);
                LastFailure = null;
                return true;
            }

            return Fail("the witness answered 409 twice.");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException or LedgerFormatException or ArgumentOutOfRangeException or RelayUnavailableException
                                      && !cancellationToken.IsCancellationRequested)
        {
            return Fail($"{e.GetType().Name}: {e.Message}");
        }
    }

    private Uri Prefix()
    {
        var prefix = witness.SubmissionPrefix.ToString();
        return new Uri(prefix.EndsWith('/') ? prefix : prefix + "/");
    }

    private bool Fail(string why)
    {
        LastFailure = why;
        Interlocked.Increment(ref Failures);
        return false;
    }
}
