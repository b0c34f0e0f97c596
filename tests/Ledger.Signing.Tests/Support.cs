using System.Text;
using Ledger.Kernel;
using Ledger.Signing;

namespace Ledger.Signing.Tests;

/// <summary>An author whose keys come from fixed seeds: key i = SHA-256(label ‖ i).</summary>
internal sealed class TestAuthor
{
    public const string Ledger = "test-ledger";

    public TestAuthor(string label, string ledger = Ledger)
    {
        Label = label;
        Log = AuthorLog.Incept(ledger, label, Key(0), Key(1).Public.Digest, out var inception, 0, new SteppingClock(), _ids.Next);
        Chain.Add(inception);
    }

    public string Label { get; }

    /// <summary>Op ids from the edge time and a counter, so golden bytes are reproducible.</summary>
    private readonly DeterministicIds _ids = new();

    public AuthorLog Log { get; }

    public List<SignedOp> Chain { get; } = [];

    public AuthorId Author => Log.Author;

    public SigningKey Key(uint index) => SigningKey.FromSeed(Hash32.Sha256(Encoding.UTF8.GetBytes($"{Label}/{index}")).ToArray());

    public SignedOp Append<TArgs>(Manifest manifest, Verb<TArgs> verb, TArgs args, string? claimKey = null)
    {
        var op = Log.Append(manifest, verb, args, claimKey: claimKey);
        Chain.Add(op);
        return op;
    }

    public SignedOp Rotate(uint toIndex)
    {
        var op = Log.Rotate(Key(toIndex), Key(toIndex + 1).Public.Digest, toIndex);
        Chain.Add(op);
        return op;
    }

    public SignedOp Revoke(uint toIndex, bool close = false, ulong? disputedSince = null)
    {
        var op = Log.Revoke(Key(toIndex), close ? null : Key(toIndex + 1).Public.Digest, toIndex, "device-lost", disputedSince);
        Chain.Add(op);
        return op;
    }
}
