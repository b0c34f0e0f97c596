using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Ledger.Sync;

/// <summary>SQLite's <c>PRAGMA quick_check</c> of a whole file, run on a read-only connection of its own, on a thread of
/// its own, after the store opened (risk B2: the check reads the whole file, O(log), and a node opening from its
/// checkpoint reads only the tail). It checks the snapshot of the file as the store opened it; what the store writes
/// after goes through SQLite on a file the check vouches for. Disposing the store interrupts it.</summary>
internal sealed class SqliteBackgroundCheck
{
    private const int Interrupted = 9;
    private readonly string _store;
    private readonly string _path;
    private readonly Func<CancellationToken, Task>? _before;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private SqliteConnection? _connection;
    private bool _stopped;

    private SqliteBackgroundCheck(string store, string path, Func<CancellationToken, Task>? before)
    {
        _store = store;
        _path = path;
        _before = before;
        Completion = Task.Factory.StartNew(Run, _stop.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>Starts the check of <paramref name="path"/> (<paramref name="before"/>: a test's seam, awaited once its
    /// connection is open, before the check runs).</summary>
    public static SqliteBackgroundCheck Start(string store, string path, Func<CancellationToken, Task>? before = null) => new(store, path, before);

    /// <summary>Null when the file is well formed; otherwise the damage found. Never faults; cancelled only by <see cref="Stop"/>.</summary>
    public Task<string?> Completion { get; }

    public StoreCheckStatus Status => Completion.Status switch
    {
        TaskStatus.RanToCompletion => Completion.Result is null ? StoreCheckStatus.Passed : StoreCheckStatus.Failed,
        TaskStatus.Faulted => StoreCheckStatus.Failed,
        _ => StoreCheckStatus.Pending, // running, or interrupted because the store closed: never passed
    };

    /// <summary>Waits for the check (blocking: the store's methods are synchronous under its gate).</summary>
    /// <exception cref="StoreDamagedException">It found damage.</exception>
    /// <exception cref="ObjectDisposedException">The store was disposed before the check ended.</exception>
    public void Wait()
    {
        try
        {
            Completion.Wait(CancellationToken.None);
        }
        catch (AggregateException)
        {
            // Said by ThrowIfDamaged.
        }

        ThrowIfDamaged();
    }

    /// <summary>Awaits the check.</summary>
    /// <exception cref="StoreDamagedException">It found damage.</exception>
    /// <exception cref="ObjectDisposedException">The store was disposed before the check ended.</exception>
    public async Task WaitAsync(CancellationToken cancellationToken)
    {
        if (!Completion.IsCompleted) await ((Task)Completion).WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfDamaged();
    }

    private void ThrowIfDamaged()
    {
        if (Completion.IsCanceled) throw new ObjectDisposedException(_store, $"{_store} was closed before its integrity check ended.");
        if (Completion.Exception is { } failed) throw Error.StoreDamaged(_store, "its integrity check after open", $"it could not run ({failed.InnerException?.Message})", failed.InnerException);
        if (Completion.Result is { } damage) throw Error.StoreDamaged(_store, "its integrity check after open", damage);
    }

    /// <summary>Interrupts the check (the store is closing) and waits for its thread to let go of the file.</summary>
    public void Stop()
    {
        lock (_gate)
        {
            if (_stopped) return;
            _stopped = true;
            _stop.Cancel();
            if (_connection is { } running) raw.sqlite3_interrupt(running.Handle);
        }

        try
        {
            Completion.Wait(CancellationToken.None);
        }
        catch (AggregateException)
        {
            // Cancelled: the store is closing and nobody needs the verdict.
        }

        _stop.Dispose();
    }

    private string? Run()
    {
        var token = _stop.Token;
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = _path, Pooling = false, Mode = SqliteOpenMode.ReadOnly }.ToString());
        try
        {
            lock (_gate)
            {
                if (_stopped) token.ThrowIfCancellationRequested();
                // Opened under the gate: Stop finds no connection or an open one (the handle of one not yet open is null,
                // and interrupting it threw from the store's Dispose).
                connection.Open();
                _connection = connection;
            }

            // sqlite3_interrupt does nothing when no statement is running: a Stop that lands before the check began (or
            // between its steps) would let it read the whole file while Dispose waits. SQLite asks this every 1,000
            // virtual machine steps instead, and stops the statement (SQLITE_INTERRUPT) once the store is closing.
            raw.sqlite3_progress_handler(connection.Handle, 1000, static state => ((CancellationTokenSource)state).IsCancellationRequested ? 1 : 0, _stop);
            _before?.Invoke(token).WaitAsync(token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing).GetAwaiter().GetResult();
            token.ThrowIfCancellationRequested();
            using var check = connection.CreateCommand();
            check.CommandText = "PRAGMA quick_check(3);";
            using var r = check.ExecuteReader();
            var findings = new List<string>();
            while (r.Read()) findings.Add(r.IsDBNull(0) ? "(null)" : r.GetValue(0)?.ToString() ?? "(null)");
            return findings is ["ok"] ? null : "SQLite's quick_check reports: " + string.Join("; ", findings);
        }
        catch (SqliteException e) when (e.SqliteErrorCode == Interrupted && token.IsCancellationRequested)
        {
            throw new OperationCanceledException(token);
        }
        catch (SqliteException e)
        {
            // The file cannot be read through: malformed, not a database, or an I/O error. Never a pass.
            return $"SQLite could not check the file ({e.Message})";
        }
        finally
        {
            lock (_gate)
            {
                _connection = null;
                connection.Dispose();
            }
        }
    }
}
