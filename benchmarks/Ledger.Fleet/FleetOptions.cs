using System.Globalization;

namespace Ledger.Fleet;

/// <summary>What one fleet run does (docs/performance.md, "Fleet load and chaos").</summary>
public sealed class FleetOptions
{
    public const string Ledger = "fleet";

    /// <summary>Simulated tills, each its own author key. Default 10,000.</summary>
    public int Tills { get; set; } = 10_000;

    /// <summary>Total arrival rate of ops, per second (open model). Default 200.</summary>
    public double Rate { get; set; } = 200;

    /// <summary>The timed window. Default 10 minutes.</summary>
    public TimeSpan Duration { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>SIGKILL and restart a relay instance this often (null: never).</summary>
    public TimeSpan? KillEvery { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The share of tills whose requests go through the fault-injecting handler. Default 0.1.</summary>
    public double FaultShare { get; set; } = 0.1;

    /// <summary>The chance that a faulty till's request meets a fault. Default 0.3.</summary>
    public double FaultRate { get; set; } = 0.3;

    /// <summary>Requests in flight at most; an op due when none is free is a late send (dropped). Default 256.</summary>
    public int Concurrency { get; set; } = 256;

    /// <summary>Full nodes pulling with the live long poll and folding. Default 3.</summary>
    public int Observers { get; set; } = 3;

    /// <summary>Tills that also hold the live long poll (<c>checkpoint?after=</c>) through the window, as a till showing the
    /// ledger's newest figures would; each is woken by every checkpoint the relay grows to. 0 (default): only the
    /// observers and watchers poll. They have their own connection pool, one connection each.</summary>
    public int TillPolls { get; set; }

    /// <summary>The <see cref="TillPolls"/> tills listen on the Server-Sent Events stream (<c>GET events</c>) instead of
    /// the long poll (<c>--till-events</c>).</summary>
    public bool TillEvents { get; set; }

    /// <summary>The relays' <c>LedgerRelayOptions.ChangeNoticeInterval</c> (<c>--notice-interval-ms</c>): the shortest time
    /// between two wake-ups of the long polls. Default zero (each push wakes them).</summary>
    public TimeSpan NoticeInterval { get; set; }

    /// <summary><c>sqlite</c> (one relay process, default) or <c>postgres</c> (two instances on one database).</summary>
    public string Store { get; set; } = "sqlite";

    /// <summary>The PostgreSQL connection string of <c>--store postgres</c>.</summary>
    public string? Postgres { get; set; }

    /// <summary>With <c>postgres</c>: restart PostgreSQL once, this far into the window (null: never), by running
    /// <see cref="PgRestartCommand"/>.</summary>
    public TimeSpan? PgRestartAt { get; set; }

    /// <summary>The shell command that restarts PostgreSQL (run with <c>/bin/sh -c</c>). Default
    /// <c>pg_ctlcluster 15 main restart</c> (Debian, as root).</summary>
    public string PgRestartCommand { get; set; } = "pg_ctlcluster 15 main restart";

    /// <summary>With <c>postgres</c>: the relays reach PostgreSQL through a TCP forwarder in this process, and the
    /// restart at <see cref="PgRestartAt"/> is simulated by closing it for <see cref="PgGateDown"/> (sessions cut,
    /// connections refused) instead of running <see cref="PgRestartCommand"/> — for a server others share (CI).</summary>
    public bool PgGate { get; set; }

    /// <summary>How long the gate stays closed for a simulated restart. Default 3 s.</summary>
    public TimeSpan PgGateDown { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>With <c>postgres</c>: keep the run's database (default: dropped after the audit). The run always works
    /// in a fresh database it creates on the server <see cref="Postgres"/> names (CREATEDB needed).</summary>
    public bool PgKeep { get; set; }

    /// <summary>Where the relay's store and the summary go. Default: a fresh temporary directory.</summary>
    public string? WorkDir { get; set; }

    /// <summary>The JSON summary file. Default: fleet-summary.json in the work directory.</summary>
    public string? SummaryPath { get; set; }

    /// <summary>Seconds between progress lines. Default 2.</summary>
    public double ProgressEvery { get; set; } = 2;

    /// <summary>Seed of fault choices.</summary>
    public int Seed { get; set; } = 17;

    /// <summary>Where progress lines go (null: the console).</summary>
    public TextWriter? Output { get; set; }

    /// <summary>Ops each till has signed before the window: enough for the window's arrivals plus a margin.</summary>
    public int OpsPerTill => (int)Math.Max(2, Math.Ceiling(Rate * Duration.TotalSeconds / Tills * 1.2) + 1);

    public static FleetOptions Parse(string[] args)
    {
        var o = new FleetOptions();
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            double Number() => double.Parse(Next(), NumberStyles.Float, CultureInfo.InvariantCulture);
            switch (args[i])
            {
                case "--tills": o.Tills = (int)Number(); break;
                case "--rate": o.Rate = Number(); break;
                case "--duration": o.Duration = TimeSpan.FromSeconds(Number()); break;
                case "--kill-every": var k = Number(); o.KillEvery = k <= 0 ? null : TimeSpan.FromSeconds(k); break;
                case "--fault-share": o.FaultShare = Number(); break;
                case "--fault-rate": o.FaultRate = Number(); break;
                case "--concurrency": o.Concurrency = (int)Number(); break;
                case "--observers": o.Observers = (int)Number(); break;
                case "--till-polls": o.TillPolls = (int)Number(); break;
                case "--till-events": o.TillEvents = Next() is "true" or "1" or "yes"; break;
                case "--notice-interval-ms": o.NoticeInterval = TimeSpan.FromMilliseconds(Number()); break;
                case "--store": o.Store = Next(); break;
                case "--pg": o.Postgres = Next(); break;
                case "--pg-restart-at": o.PgRestartAt = TimeSpan.FromSeconds(Number()); break;
                case "--pg-restart-command": o.PgRestartCommand = Next(); break;
                case "--pg-keep": o.PgKeep = true; break;
                case "--pg-gate": o.PgGate = true; break;
                case "--pg-gate-down": o.PgGateDown = TimeSpan.FromSeconds(Number()); break;
                case "--work": o.WorkDir = Next(); break;
                case "--summary": o.SummaryPath = Next(); break;
                case "--seed": o.Seed = (int)Number(); break;
                default: throw new ArgumentException($"unknown option {args[i]}.");
            }
        }

        if (o.Tills < 1 || o.Rate <= 0 || o.Duration <= TimeSpan.Zero || o.Concurrency < 1 || o.Observers < 1) throw new ArgumentException("tills, rate, duration, concurrency and observers are positive.");
        if (o.TillPolls < 0 || o.TillPolls > o.Tills) throw new ArgumentException("--till-polls is between 0 and the number of tills.");
        if (o.NoticeInterval < TimeSpan.Zero || o.NoticeInterval > TimeSpan.FromSeconds(10)) throw new ArgumentException("--notice-interval-ms is between 0 and 10000.");
        if (o.Store is not ("sqlite" or "postgres")) throw new ArgumentException("--store is sqlite or postgres.");
        if (o.Store == "postgres" && string.IsNullOrEmpty(o.Postgres)) throw new ArgumentException("--store postgres needs --pg <connection string>.");
        if (o.Store != "postgres" && (o.PgRestartAt is not null || o.Postgres is not null)) throw new ArgumentException("--pg and --pg-restart-at go with --store postgres.");
        return o;
    }
}
