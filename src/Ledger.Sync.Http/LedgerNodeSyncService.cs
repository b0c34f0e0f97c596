using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ledger.Sync.Http;

/// <summary>Keeps a <see cref="DeviceNode"/> in sync with a relay: a round at start, then one whenever the interval
/// passes, the relay's long poll says it has more, or the app calls <see cref="Nudge"/> (after a local write). A failed
/// round — offline, a refusal, a store error, a round past its timeout — is retried after a jittered, growing backoff,
/// and so is a round that left own ops unacknowledged (a failed push is retried without waiting for the next write).
/// Every wait is bounded: the loop never wedges.</summary>
public sealed class LedgerNodeSyncService : BackgroundService
{
    private readonly DeviceNode _node;
    private readonly IRelayProtocol _relay;
    private readonly LedgerNodeSyncOptions _options;
    private readonly TimeProvider _time;
    private readonly Random _jitter;
    private readonly NodeEventLog? _log;
    private TaskCompletionSource _nudge = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _rounds;
    private long _failures;

    /// <summary>Syncs <paramref name="node"/> with <paramref name="relay"/> (an <see cref="HttpRelayClient"/> also gives the long poll).</summary>
    /// <remarks>With <paramref name="logger"/>, findings, refusals, failed rounds and equivocation are logged (docs/observability.md).</remarks>
    public LedgerNodeSyncService(DeviceNode node, IRelayProtocol relay, LedgerNodeSyncOptions options, TimeProvider? time = null, ILogger<LedgerNodeSyncService>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(relay);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Interval <= TimeSpan.Zero || options.InitialBackoff <= TimeSpan.Zero || options.MaxBackoff < options.InitialBackoff || options.RoundTimeout <= TimeSpan.Zero)
        {
            throw Errors.Argument("LedgerNodeSyncOptions: Interval, InitialBackoff and RoundTimeout are positive and MaxBackoff ≥ InitialBackoff.", nameof(options));
        }

        _node = node;
        _relay = relay;
        _options = options;
        _time = time ?? TimeProvider.System;
        // Jitter only spreads retries of many devices apart; it decides nothing the ledger keeps.
        _jitter = new Random();
        _log = logger is null ? null : new NodeEventLog(logger);
    }

    /// <summary>Rounds completed (online or not).</summary>
    public long Rounds => Interlocked.Read(ref _rounds);

    /// <summary>Failed rounds in a row now (0 after a good round).</summary>
    public long ConsecutiveFailures => Interlocked.Read(ref _failures);

    /// <summary>The last round's result.</summary>
    public SyncResult? LastResult { get; private set; }

    /// <summary>The last round's failure, null after a good round.</summary>
    public Exception? LastError { get; private set; }

    /// <summary>Raised after every round (tests and health checks watch it).</summary>
    public event EventHandler? RoundCompleted;

    /// <summary>Starts a round now (say, after a local write) instead of at the next interval.</summary>
    public void Nudge() => Interlocked.Exchange(ref _nudge, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var nudged = Volatile.Read(ref _nudge).Task;
            var failed = false;
            try
            {
                using var round = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                round.CancelAfter(_options.RoundTimeout);
                var result = await _node.SyncAsync(_relay, round.Token).ConfigureAwait(false);
                LastResult = result;
                LastError = null;
                failed = result.Offline;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // A refusal, a store error, a round past its timeout: reported, then retried after backoff.
                LastError = e;
                failed = true;
            }

            _log?.AfterRound(_node, failed ? null : LastResult, LastError);
            if (!failed && _options.BeaconKey is { } key && _relay is HttpRelayClient beacons) await SendBeaconAsync(beacons, key, stoppingToken).ConfigureAwait(false);
            Interlocked.Increment(ref _rounds);
            long failures = 0;
            if (failed) failures = Interlocked.Increment(ref _failures);
            else Interlocked.Exchange(ref _failures, 0);
            try
            {
                RoundCompleted?.Invoke(this, EventArgs.Empty);
            }
            catch (Exception e)
            {
                // An observer's fault must not stop the loop.
                LastError ??= e;
            }

            // Own ops left unacknowledged (a push refused for a gap or a full store, say) are retried like a failure.
            var unacknowledged = !failed && _node.Durability().Local > 0;
            try
            {
                if (failed || unacknowledged)
                {
                    await WaitAsync(Backoff(Math.Max(1, failures)), nudged, null, stoppingToken).ConfigureAwait(false);
                }
                else
                {
                    await WaitAsync(_options.Interval, nudged, LastResult?.RelaySize, stoppingToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    /// <summary>The beacons sent and acknowledged.</summary>
    public long BeaconsSent => Interlocked.Read(ref _beacons);

    private long _beacons;

    // A beacon is best effort: a refusal or an unreachable relay is logged by the next round's findings, never fails the loop.
    private async Task SendBeaconAsync(HttpRelayClient relay, Func<Ledger.Signing.SigningKey> key, CancellationToken stoppingToken)
    {
        try
        {
            await relay.SendBeaconAsync(BeaconWire.Sign(NodeBeacon.Of(_node, _time), key()), stoppingToken).ConfigureAwait(false);
            Interlocked.Increment(ref _beacons);
        }
        catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            LastError ??= e;
        }
    }

    private TimeSpan Backoff(long failures)
    {
        var exponent = (int)Math.Min(failures - 1, 20);
        var ceiling = Math.Min(_options.MaxBackoff.TotalMilliseconds, _options.InitialBackoff.TotalMilliseconds * Math.Pow(2, exponent));
        double factor;
        lock (_jitter) factor = 0.5 + (_jitter.NextDouble() * 0.5);
        return TimeSpan.FromMilliseconds(ceiling * factor);
    }

    // Waits for the delay, a nudge, or (with the long poll) the relay's log passing `size`, whichever comes first.
    private async Task WaitAsync(TimeSpan delay, Task nudged, long? size, CancellationToken stoppingToken)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var tasks = new List<Task> { Task.Delay(delay, _time, wait.Token), nudged };
        if (size is { } after && _options.LongPoll && _relay is HttpRelayClient http) tasks.Add(LongPollAsync(http, after, wait.Token));
        try
        {
            await Task.WhenAny(tasks).ConfigureAwait(false);
        }
        finally
        {
            await wait.CancelAsync().ConfigureAwait(false);
        }

        stoppingToken.ThrowIfCancellationRequested();
    }

    private async Task LongPollAsync(HttpRelayClient http, long size, CancellationToken cancellationToken)
    {
        // Each wait is bounded by the relay; repeated until the log changes or the interval ends the whole wait.
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (await http.WaitForChangeAsync(size, cancellationToken).ConfigureAwait(false) is not null) return;
            }
            catch (OperationCanceledException)
            {
                throw;
            }
            catch (Exception)
            {
                // Unreachable now: leave it to the interval (the next round reports offline and backs off).
                await Task.Delay(Timeout.InfiniteTimeSpan, _time, cancellationToken).ConfigureAwait(false);
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
    }
}
