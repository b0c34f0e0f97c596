using System.Collections.Concurrent;

namespace Ledger.Fleet;

/// <summary>Counts the observers' and watchers' requests to the relay by endpoint (the last path segment before the
/// query: checkpoint, events, tile, proof…) and the answer bytes. The capacity model prices pushes and ops; what the
/// readers ask for is the relay's third kind of work, and it is not fixed by the load: a reader that keeps up pulls
/// often and little, one that falls behind pulls rarely and much.</summary>
internal sealed class ReadCounter(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    private readonly ConcurrentDictionary<string, long> _requests = new(StringComparer.Ordinal);
    private long _bytes;

    public IReadOnlyDictionary<string, long> Requests => new SortedDictionary<string, long>(_requests, StringComparer.Ordinal);

    public long AnswerBytes => Interlocked.Read(ref _bytes);

    public void Reset()
    {
        _requests.Clear();
        Interlocked.Exchange(ref _bytes, 0);
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var path = request.RequestUri?.IsAbsoluteUri == true ? request.RequestUri.AbsolutePath : request.RequestUri?.OriginalString ?? "";
        var kind = Kind(path);
        _requests.AddOrUpdate(kind, 1, (_, n) => n + 1);
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.Content.Headers.ContentLength is { } length) Interlocked.Add(ref _bytes, length);
        return response;
    }

    // "/ledgers/{ledger}/tile/0/x001" → "tile"; "/ledgers/{ledger}/proof/inclusion" → "proof/inclusion".
    private static string Kind(string path)
    {
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var at = Array.FindIndex(parts, p => p is "tile" or "proof" or "authors");
        if (at >= 0) return parts[at] == "proof" && at + 1 < parts.Length ? "proof/" + parts[at + 1] : parts[at];
        return parts.Length == 0 ? "/" : parts[^1];
    }
}
