using System.Resources;
using System.Text.Json;
using System.Text.Json.Serialization;
using Ledger.Signing.Recovery;

namespace Ledger.Signing.Tests.Recovery;

/// <summary>One set of <c>slip39-interop-vectors.json</c> (see README.md in this folder).</summary>
public sealed record InteropVector(
    [property: JsonPropertyName("description")] string Description,
    [property: JsonPropertyName("mnemonics")] string[] Mnemonics,
    [property: JsonPropertyName("passphrase")] string Passphrase,
    [property: JsonPropertyName("secret")] string? Secret,
    [property: JsonPropertyName("error")] ShareProblem? Error,
    [property: JsonPropertyName("errorShare")] int? ErrorShare)
{
    public override string ToString() => Description;
}

internal static class InteropVectors
{
    private static readonly Lazy<IReadOnlyList<InteropVector>> All = new(Load);

    public static IReadOnlyList<InteropVector> Vectors => All.Value;

    /// <summary>Descriptions of the valid sets (theory rows are strings so that each is its own test case).</summary>
    public static TheoryData<string> Valid => [.. Vectors.Where(v => v.Secret is not null).Select(v => v.Description)];

    /// <summary>Descriptions of the invalid sets.</summary>
    public static TheoryData<string> Invalid => [.. Vectors.Where(v => v.Secret is null).Select(v => v.Description)];

    public static InteropVector Named(string description) => Vectors.Single(v => v.Description == description);

    private static IReadOnlyList<InteropVector> Load()
    {
        var text = new ResourceManager("Ledger.Signing.Tests.Recovery.TestVectors", typeof(InteropVectors).Assembly).GetString("Slip39Interop")
            ?? throw new InvalidOperationException("slip39-interop-vectors.json is not embedded.");
        var options = new JsonSerializerOptions { Converters = { new JsonStringEnumConverter() } };
        var file = JsonSerializer.Deserialize<VectorFile>(text, options) ?? throw new InvalidOperationException("empty vector file");
        return file.Vectors;
    }

    private sealed record VectorFile([property: JsonPropertyName("vectors")] InteropVector[] Vectors);
}
