using System.Text.Json.Nodes;
using Ledger.Kernel;

namespace Ledger.Sync.Tests.Vectors;

/// <summary>The language-neutral vectors of <c>vectors/</c> (docs/wire-format.md, "Test vectors"): the checked-in
/// files are exactly what the generator writes, and the library gives every case of the checked-in files its
/// recorded verdict and bytes. Regenerate with <see cref="VectorFile.RegenerateCommand"/>.</summary>
public class LanguageNeutralVectorTests
{
    /// <summary>Every file, in the order the docs list them. The checkpoint file is last: its encoding may change.</summary>
    internal static readonly VectorFile[] Files =
    [
        OpVectors.OpFile(),
        OpVectors.SignedOpFile(),
        OpVectors.Ed25519File(),
        ChainVectors.KeyEventFile(),
        ChainVectors.ChainFileVectors(),
        SyncVectors.MerkleFile(),
        SyncVectors.CheckpointNoteFile(),
        SyncVectors.CosignatureFile(),
        SyncVectors.EvidenceFile(),
        SyncVectors.NodeExportFile(),
        HttpSignatureVectors.File(),
        CheckpointVectors.CheckpointFile(),
    ];

    private static string Directory => Path.Combine(RepositoryFiles.Root, "vectors");

    public static TheoryData<string> FileNames()
    {
        var data = new TheoryData<string>();
        foreach (var f in Files) data.Add(f.FileName);
        return data;
    }

    private static VectorFile File(string name) => Files.Single(f => f.FileName == name);

    [Theory]
    [MemberData(nameof(FileNames))]
    [Trait("Risk", "C2")]
    public void The_checked_in_vector_file_is_exactly_what_the_generator_writes(string name)
    {
        var generated = File(name).Generate();
        var path = Path.Combine(Directory, name);
        if (Golden.Regenerating)
        {
            System.IO.Directory.CreateDirectory(Directory);
            System.IO.File.WriteAllText(path, generated);
            return;
        }

        Assert.True(System.IO.File.Exists(path), $"{path} is missing; run {VectorFile.RegenerateCommand} and review the diff.");
        Assert.Equal(System.IO.File.ReadAllText(path).ReplaceLineEndings("\n"), generated);
    }

    [Theory]
    [MemberData(nameof(FileNames))]
    [Trait("Category", "BadInput")]
    [Trait("Risk", "C2")]
    [Trait("Risk", "D1")]
    public void Every_case_of_the_checked_in_vector_file_gets_its_recorded_verdict_and_bytes_from_the_library(string name)
    {
        // While regenerating, the files are being rewritten: judge what the generator writes.
        var file = JsonNode.Parse(Golden.Regenerating ? File(name).Generate() : System.IO.File.ReadAllText(Path.Combine(Directory, name)))!.AsObject();
        var judge = File(name).Judge;
        var tests = file["tests"]!.AsArray();
        Assert.Equal(tests.Count, (int)file["numberOfTests"]!);
        Assert.Contains(tests, t => (string)t!["result"]! == "valid");
        Assert.Contains(tests, t => (string)t!["result"]! == "invalid");
        var id = 0;
        foreach (var test in tests)
        {
            Assert.Equal(++id, (int)test!["tcId"]!);
            Assert.False(string.IsNullOrWhiteSpace((string?)test["reason"]), $"{name} case {id} gives no reason");
            var verdict = judge(test["input"]!.AsObject());
            var label = $"{name} case {id} ({test["name"]})";
            Assert.True((string)test["result"]! == (verdict.Valid ? "valid" : "invalid"), $"{label}: the library says {(verdict.Valid ? "valid" : "invalid")}");
            Assert.True(JsonNode.DeepEquals(test["expected"], verdict.Expected), $"{label}: expected {test["expected"]!.ToJsonString()}, the library gives {verdict.Expected.ToJsonString()}");
        }
    }

    [Theory]
    [MemberData(nameof(InCulture.Hostile), MemberType = typeof(InCulture))]
    [Trait("Risk", "C1")]
    public void Every_vector_file_is_generated_byte_for_byte_the_same_under_a_hostile_culture(string culture)
    {
        if (Golden.Regenerating) return;
        InCulture.Run(culture, () =>
        {
            foreach (var f in Files)
            {
                Assert.True(System.IO.File.ReadAllText(Path.Combine(Directory, f.FileName)).ReplaceLineEndings("\n") == f.Generate(), $"{f.FileName} differs under {culture}");
            }
        });
    }

    [Fact]
    [Trait("Risk", "C2")]
    public void The_vectors_folder_holds_exactly_the_generated_files()
    {
        var present = System.IO.Directory.EnumerateFiles(Directory).Select(Path.GetFileName).Where(n => n != "README.md").Order(StringComparer.Ordinal);
        Assert.Equal(Files.Select(f => f.FileName).Order(StringComparer.Ordinal), present);
    }

    [Fact]
    [Trait("Risk", "D1")]
    public void The_checkpoint_vectors_state_hash_is_reproduced_from_its_rows_by_the_documented_formula()
    {
        var file = JsonNode.Parse(Golden.Regenerating ? File("checkpoint.json").Generate() : System.IO.File.ReadAllText(Path.Combine(Directory, "checkpoint.json")))!.AsObject();
        var valid = file["tests"]!.AsArray().Where(t => (string)t!["result"]! == "valid").ToArray();
        Assert.NotEmpty(valid);
        foreach (var test in valid)
        {
            var checkpoint = CheckpointCodec.Decode(Convert.FromHexString((string)test!["input"]!["bytes"]!));
            Assert.Equal(checkpoint.StateHash, CheckpointVectors.StateHash(checkpoint.Segments));
            Assert.Equal((string)test["expected"]!["stateHash"]!, VectorFile.Hex(CheckpointVectors.StateHash(checkpoint.Segments)));
        }
    }
}
