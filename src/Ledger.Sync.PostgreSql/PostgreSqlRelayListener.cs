using System.Globalization;
using System.Net.Sockets;
using Ledger.Kernel;
using Npgsql;

namespace Ledger.Sync;

/// <summary>Wakes a relay instance when another instance over the same database stores ops. Every ingest transaction of
/// a <see cref="PostgreSqlRelayStore"/> sends a PostgreSQL <c>NOTIFY</c> naming the ledger and its new size; PostgreSQL
/// delivers it when that transaction commits, so no instance is told of a size before the rows are visible. This
/// listener holds one session that <c>LISTEN</c>s, and moves the <see cref="IRelayStore.Count"/> of its stores on, which
/// is what long polls (<c>checkpoint?after=N</c>) and event streams of the instance wait on.</summary>
/// <remarks>When the session is lost (a database restart, a cut connection) the listener polls every store each
/// <see cref="FallbackPoll"/> until it can listen again, then reads every store's size once (what was stored while it
/// was not listening). Without a listener an instance sees other instances' ops only when it reads the database for a
/// request of its own. Safe for concurrent use; dispose it before the stores.</remarks>
public sealed class PostgreSqlRelayListener : IAsyncDisposable, IDisposable
{
    /// <summary>The channel the stores notify on.</summary>
    internal const string Channel = "ledger_relay_log";

    private readonly NpgsqlDataSource _source;
    private readonly Dictionary<string, PostgreSqlRelayStore> _stores;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _listening;
    private long _notifications;
    private long _polls;
    private long _sessionsLost;
    private int _disposed;

    /// <summary>Starts listening, in the database <paramref name="connectionString"/> names, for what other instances
    /// store in <paramref name="stores"/> (the stores of that database this instance serves).</summary>
    /// <param name="connectionString">The database of the stores.</param>
    /// <param name="stores">The stores to keep up to date; one per ledger.</param>
    /// <param name="fallbackPoll">How often stores are polled while the listening session is lost, and how long a
    /// silent session waits before it checks it is still alive. Default 1 s.</param>
    /// <exception cref="ArgumentException">No store, two stores of one ledger, or a poll interval that is not
    /// positive.</exception>
    public PostgreSqlRelayListener(string connectionString, IEnumerable<PostgreSqlRelayStore> stores, TimeSpan? fallbackPoll = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        ArgumentNullException.ThrowIfNull(stores);
        _stores = new Dictionary<string, PostgreSqlRelayStore>(StringComparer.Ordinal);
        foreach (var store in stores)
        {
            ArgumentNullException.ThrowIfNull(store, nameof(stores));
            if (!_stores.TryAdd(store.Ledger, store)) throw Error.Argument($"two stores of ledger '{store.Ledger}'; give one per ledger.", nameof(stores));
        }

        if (_stores.Count == 0) throw Error.Argument("give at least one store.", nameof(stores));
        FallbackPoll = fallbackPoll ?? TimeSpan.FromSeconds(1);
        if (FallbackPoll <= TimeSpan.Zero) throw Error.Argument("the fallback poll interval is positive.", nameof(fallbackPoll));
        // Its own unpooled session: a listening connection must not go back to a pool others draw from.
        _source = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ToString());
        _loop = Task.Run(() => RunAsync(_stop.Token));
    }

    /// <summary>How often stores are polled while the listening session is lost.</summary>
    public TimeSpan FallbackPoll { get; }

    /// <summary>True while the session listens (false before the first <c>LISTEN</c> and while it is lost).</summary>
    public bool IsListening => Volatile.Read(ref _listening) == 1;

    /// <summary>Notifications received (this instance's own ingests included).</summary>
    public long Notifications => Interlocked.Read(ref _notifications);

    /// <summary>Rounds of polling every store (once after each <c>LISTEN</c>, and every <see cref="FallbackPoll"/>
    /// while the session is lost).</summary>
    public long Polls => Interlocked.Read(ref _polls);

    /// <summary>Times the listening session was lost or could not be opened.</summary>
    public long SessionsLost => Interlocked.Read(ref _sessionsLost);

    /// <summary>The notification an ingest transaction sends, delivered when it commits: the ledger's size after the
    /// batch, then the ledger's name.</summary>
    internal static NpgsqlBatchCommand NotifyCommand(string ledger, long size)
    {
        var command = new NpgsqlBatchCommand("SELECT pg_notify($1, $2);");
        command.Parameters.Add(new NpgsqlParameter { Value = Channel });
        command.Parameters.Add(new NpgsqlParameter { Value = string.Create(CultureInfo.InvariantCulture, $"{size} {ledger}") });
        return command;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        await _source.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    /// <inheritdoc />
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var connection = await _source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                await using (connection.ConfigureAwait(false))
                {
                    connection.Notification += OnNotification;
                    await using (var listen = new NpgsqlCommand($"LISTEN {Channel};", connection))
                    {
                        await listen.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                    }

                    Volatile.Write(ref _listening, 1);
                    // What was stored while nobody listened (before the first LISTEN, or while the session was lost).
                    await PollAsync(cancellationToken).ConfigureAwait(false);
                    while (!cancellationToken.IsCancellationRequested)
                    {
                        if (!await connection.WaitAsync(FallbackPoll, cancellationToken).ConfigureAwait(false))
                        {
                            // Silence: one round trip proves the session is alive (a half-open connection would otherwise
                            // leave the instance deaf without an error).
                            await using var ping = new NpgsqlCommand("SELECT 1;", connection);
                            await ping.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                        }
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (IsSessionLoss(e))
            {
                Interlocked.Increment(ref _sessionsLost);
            }

            Volatile.Write(ref _listening, 0);
            // The session is gone: poll until it can listen again.
            try
            {
                await Task.Delay(FallbackPoll, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            await PollAsync(cancellationToken).ConfigureAwait(false);
        }

        Volatile.Write(ref _listening, 0);
    }

    private async Task PollAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _polls);
        foreach (var store in _stores.Values)
        {
            try
            {
                await store.RefreshAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (LedgerException)
            {
                // Unavailable (or damaged): the requests of the instance report it; the listener tries again.
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                // The store was disposed before the listener: nothing left to keep up to date.
                return;
            }
        }
    }

    private void OnNotification(object sender, NpgsqlNotificationEventArgs e)
    {
        Interlocked.Increment(ref _notifications);
        var payload = e.Payload;
        var space = payload.IndexOf(' ', StringComparison.Ordinal);
        // The stores' transactions send these; anything else on the channel (a hand-sent NOTIFY) that does not parse is ignored.
        if (space <= 0 || !long.TryParse(payload.AsSpan(0, space), NumberStyles.None, CultureInfo.InvariantCulture, out var size)) return;
        if (_stores.TryGetValue(payload[(space + 1)..], out var store)) store.Observe(size);
    }

    private static bool IsSessionLoss(Exception e) =>
        e is NpgsqlException or SocketException or IOException or TimeoutException or LedgerException
        || (e is InvalidOperationException && e.Source == "Npgsql");
}
