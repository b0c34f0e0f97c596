using System.Text.Json.Serialization;

namespace Ledger.Fleet;

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(FleetReport))]
internal sealed partial class FleetJson : JsonSerializerContext;
