using System.Net;
using System.Net.Sockets;

namespace Ledger.Tests;

/// <summary>A loopback TCP forwarder in front of the PostgreSQL server: closing it cuts every session and refuses new
/// ones, as a server restart does, without restarting a server other tests and programs share. Compiled into every test
/// project (tests/Shared) and into the fleet tool (its <c>--pg-gate</c>); Ledger.Relay.Tests, which sees the tool's
/// internals, uses the tool's copy rather than compile a second one.</summary>
internal sealed class TcpGate : IDisposable
{
    private readonly string _host;
    private readonly int _port;
    private readonly List<TcpClient> _open = [];
    private readonly Lock _gate = new();
    private TcpListener? _listener;

    public TcpGate(string host, int port)
    {
        _host = host;
        _port = port;
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        Open();
    }

    public int Port { get; }

    public void Open()
    {
        var listener = new TcpListener(IPAddress.Loopback, Port);
        listener.Start();
        _listener = listener;
        _ = Task.Run(async () =>
        {
            while (true)
            {
                TcpClient inbound;
                try
                {
                    inbound = await listener.AcceptTcpClientAsync();
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException)
                {
                    return;
                }

                var outbound = new TcpClient();
                try
                {
                    await outbound.ConnectAsync(_host, _port);
                }
                catch (SocketException)
                {
                    inbound.Dispose();
                    outbound.Dispose();
                    continue;
                }

                lock (_gate) _open.AddRange([inbound, outbound]);
                _ = Pump(inbound, outbound);
                _ = Pump(outbound, inbound);
            }
        });
    }

    /// <summary>Stops accepting and cuts every open session.</summary>
    public void Close()
    {
        _listener?.Stop();
        lock (_gate)
        {
            foreach (var c in _open) c.Dispose();
            _open.Clear();
        }
    }

    public void Dispose() => Close();

    private static async Task Pump(TcpClient from, TcpClient to)
    {
        try
        {
            await from.GetStream().CopyToAsync(to.GetStream());
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException or InvalidOperationException)
        {
        }

        from.Dispose();
        to.Dispose();
    }
}
