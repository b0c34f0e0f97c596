using System.Text.Json;

namespace Ledger.Sync.AspNetCore;

/// <summary>The JSON forms of fleet alerts and beacons (the monitor page's script and <c>GET alerts</c> read them).</summary>
internal static class FleetJson
{
    public static byte[] Alerts(IReadOnlyList<FleetAlert> alerts)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            foreach (var a in alerts)
            {
                json.WriteStartObject();
                json.WriteString("code", a.Code);
                json.WriteStartArray("nodes");
                foreach (var n in a.Nodes) json.WriteStringValue(n);
                json.WriteEndArray();
                if (a.Prefix is { } p) json.WriteNumber("prefix", p);
                else json.WriteNull("prefix");
                json.WriteString("message", a.Message);
                json.WriteString("line", a.ToString());
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        return buffer.ToArray();
    }
}
