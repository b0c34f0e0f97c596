namespace Ledger.Fleet;

/// <summary>Faults on the way to and from the relay, for a share of tills: a request dropped before it is sent, an
/// answer dropped after the relay stored the push, a request sent twice, a request delayed, a body cut short.</summary>
internal sealed class FaultHandler(HttpMessageHandler inner, double rate, int seed) : DelegatingHandler(inner)
{
    private readonly Random _random = new(seed);
    private readonly Lock _gate = new();
    public long DroppedRequests;
    public long DroppedAnswers;
    public long Duplicated;
    public long Delayed;
    public long Truncated;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        int fault;
        int delay;
        lock (_gate)
        {
            fault = _random.NextDouble() < rate ? _random.Next(5) : -1;
            delay = _random.Next(100, 1000);
        }

        switch (fault)
        {
            case 0:
                Interlocked.Increment(ref DroppedRequests);
                throw new HttpRequestException("fault: request dropped before sending.");
            case 1:
            {
                var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
                response.Dispose();
                Interlocked.Increment(ref DroppedAnswers);
                throw new HttpRequestException("fault: answer dropped after the relay answered.");
            }

            case 2 when request.Content is not null:
            {
                var bytes = await request.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
                var headers = request.Content.Headers.ContentType;
                using (var copy = new HttpRequestMessage(request.Method, request.RequestUri) { Content = new ByteArrayContent(bytes) })
                {
                    copy.Content.Headers.ContentType = headers;
                    foreach (var h in request.Headers) copy.Headers.TryAddWithoutValidation(h.Key, h.Value);
                    (await base.SendAsync(copy, cancellationToken).ConfigureAwait(false)).Dispose();
                }

                request.Content = new ByteArrayContent(bytes);
                request.Content.Headers.ContentType = headers;
                Interlocked.Increment(ref Duplicated);
                break;
            }

            case 3:
                Interlocked.Increment(ref Delayed);
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                break;
            case 4 when request.Content is not null:
            {
                var bytes = await request.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
                var headers = request.Content.Headers.ContentType;
                request.Content = new ByteArrayContent(bytes, 0, bytes.Length / 2);
                request.Content.Headers.ContentType = headers;
                Interlocked.Increment(ref Truncated);
                break;
            }
        }

        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }
}
