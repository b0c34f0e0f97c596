using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ledger.Kernel;
using MessagePack;

namespace Ledger.Sync.Tests.Vectors;

/// <summary>One case of a vector file: its inputs, whether it is meant to be valid, and the rule that decides.</summary>
internal sealed record VectorCase(string Name, string Comment, JsonObject Input, bool Valid, string Reason);

/// <summary>A library verdict on a case's inputs: valid or not, and what a verifier must find (bytes, fields,
/// a break, an error) — the <c>result</c> and <c>expected</c> of a case.</summary>
internal sealed record Verdict(bool Valid, JsonObject Expected);

/// <summary>One file of <c>vectors/</c>: a structure of docs/wire-format.md, its cases, and the judge that runs the
/// library on a case's inputs. The generator writes each case's <c>result</c> and <c>expected</c> from the judge and
/// refuses to write a case whose verdict is not the one it was built for; the tests run the judge again on the
/// checked-in file's inputs and compare exactly.</summary>
internal sealed class VectorFile
{
    public required string FileName { get; init; }

    public required string Structure { get; init; }

    public required string Documentation { get; init; }

    public required string Description { get; init; }

    public JsonObject? Notes { get; init; }

    public required Func<IReadOnlyList<VectorCase>> Cases { get; init; }

    public required Func<JsonObject, Verdict> Judge { get; init; }

    public const string RegenerateCommand = "LEDGER_REGENERATE_GOLDEN=1 dotnet test tests/Ledger.Sync.Tests --filter FullyQualifiedName~LanguageNeutralVectorTests";

    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        IndentSize = 2,
        NewLine = "\n",
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The whole file, as text.</summary>
    public string Generate()
    {
        var tests = new JsonArray();
        var id = 0;
        foreach (var c in Cases())
        {
            var verdict = Judge(c.Input);
            if (verdict.Valid != c.Valid)
            {
                throw new InvalidOperationException($"{FileName}: case '{c.Name}' was built to be {(c.Valid ? "valid" : "invalid")}, the library judges it {(verdict.Valid ? "valid" : "invalid")}: {verdict.Expected.ToJsonString()}");
            }

            tests.Add(new JsonObject
            {
                ["tcId"] = ++id,
                ["name"] = c.Name,
                ["comment"] = c.Comment,
                ["input"] = c.Input.DeepClone(),
                ["result"] = verdict.Valid ? "valid" : "invalid",
                ["expected"] = verdict.Expected,
                ["reason"] = c.Reason,
            });
        }

        var file = new JsonObject
        {
            ["structure"] = Structure,
            ["description"] = Description,
            ["documentation"] = Documentation,
            ["generator"] = "tests/Ledger.Sync.Tests/Vectors/ (regenerate: " + RegenerateCommand + ")",
            ["encoding"] = "byte strings are lower-case hex; text is JSON strings; integers are JSON numbers (all fit in 53 bits) unless given as decimal strings",
        };
        if (Notes is not null) file["notes"] = Notes.DeepClone();
        file["numberOfTests"] = id;
        file["tests"] = tests;
        return file.ToJsonString(Json) + "\n";
    }

    // Helpers shared by the structures.

    public static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);

    public static string Hex(Hash32 hash) => Convert.ToHexStringLower(hash.ToArray());

    public static byte[] Bytes(JsonNode? node) => Convert.FromHexString((string)node!);

    public static JsonObject Error(LedgerFormatException e) => new()
    {
        ["error"] = new JsonObject
        {
            ["structure"] = e.Structure,
            ["field"] = e.Field,
            ["problem"] = e.Problem.ToString(),
            ["offset"] = e.Offset,
        },
    };

    public static JsonArray HexArray(IEnumerable<byte[]> items) => new([.. items.Select(i => (JsonNode)Hex(i))]);

    public static JsonArray HexArray(IEnumerable<Hash32> items) => new([.. items.Select(i => (JsonNode)Hex(i))]);

    public static string Decimal(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Raw MessagePack, for bytes no encoder of the library would write.</summary>
    public static byte[] Mp(Writing write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var w = new MessagePackWriter(buffer);
        write(ref w);
        w.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    public delegate void Writing(ref MessagePackWriter writer);

    public static byte[] Cat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();
}
