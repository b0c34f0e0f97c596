namespace Ledger.Sync.Http;

/// <summary>Configuration of an <see cref="HttpRelayClient"/>.</summary>
public sealed class HttpRelayClientOptions
{
    /// <summary>The ledger, as in <c>/v1/ledgers/{ledger}/</c>. Required.</summary>
    public string Ledger { get; set; } = "";

    /// <summary>The most ops one <see cref="HttpRelayClient.PullAsync"/> reads (entry bundles of 256). Default 4,096.</summary>
    public int MaxPullOps { get; set; } = 4096;
}
