// A relay host wired for OpenTelemetry (docs/observability.md, "OpenTelemetry in a few lines"): traces of Ledger's
// activity sources and metrics of its meters go to an OTLP collector (OTEL_EXPORTER_OTLP_ENDPOINT, default
// http://localhost:4317); /healthz answers the relay's health; /monitor is the monitor page of the fleet.
//   dotnet run --project samples/ObservedRelay -- --urls http://127.0.0.1:5080
using System.Security.Cryptography;
using Ledger.Erasure;
using Ledger.Signing;
using Ledger.Sync;
using Ledger.Sync.AspNetCore;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

var builder = WebApplication.CreateBuilder(args);
var storePath = builder.Configuration["store"] ?? "relay.db";
// The checkpoint key is the relay's identity to every device: kept beside the store, made on first start.
var keyPath = storePath + ".checkpoint-key";
if (!File.Exists(keyPath)) File.WriteAllBytes(keyPath, RandomNumberGenerator.GetBytes(32));
var store = new SqliteRelayStore(storePath);
var relay = new Relay(new RelayOptions { Ledger = "sitebooks", CheckpointKey = SigningKey.FromSeed(File.ReadAllBytes(keyPath)) }, store);
builder.Services.AddLedgerRelay(o => o.AddLedger(relay));
builder.Services.AddHealthChecks().AddLedgerRelay();

// OpenTelemetry: Ledger's sources and meters, exported over OTLP.
builder.Services.AddOpenTelemetry()
    .ConfigureResource(r => r.AddService("ledger-relay"))
    .WithTracing(t => t.AddSource(SyncActivities.SourceName, RelayActivities.SourceName, ErasureActivities.SourceName).AddOtlpExporter())
    .WithMetrics(m => m.AddMeter("Ledger.Sync.Node", "Ledger.Sync.Relay", "Ledger.Kernel").AddOtlpExporter());

var app = builder.Build();
app.MapLedgerRelay();
app.MapHealthChecks("/healthz");
app.MapLedgerMonitor();
Console.WriteLine($"relay ledger={relay.Ledger} vkey={relay.CheckpointVerifierKey!.ToVkey()}");
await app.RunAsync();
store.Dispose();
