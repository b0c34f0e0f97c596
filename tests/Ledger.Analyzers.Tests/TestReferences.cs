using System.Collections.Immutable;
using System.Runtime.InteropServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;

namespace Ledger.Analyzers.Tests;

/// <summary>What the test compilations reference: the running runtime's own assemblies plus the real
/// Ledger.Kernel (and Ledger.Erasure, whose sealed fields and key stores the privacy rules find by symbol). Nothing is downloaded at test time (the testing library's ReferenceAssemblies presets
/// fetch packages on first use), so the tests run offline and the same everywhere.</summary>
internal static class TestReferences
{
    /// <summary>No reference package: the framework comes from <see cref="All"/>.</summary>
    public static readonly ReferenceAssemblies None = new("net10.0");

    public static readonly ImmutableArray<MetadataReference> All = Load();

    private static ImmutableArray<MetadataReference> Load()
    {
        var runtimeDirectory = Path.GetFullPath(RuntimeEnvironment.GetRuntimeDirectory());
        var trusted = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        var framework = trusted.Where(path => Path.GetFullPath(path).StartsWith(runtimeDirectory, StringComparison.Ordinal));
        var ledger = new[]
        {
            typeof(Ledger.Kernel.Verb).Assembly.Location,
            typeof(Ledger.Erasure.Sealed<>).Assembly.Location,
            typeof(Ledger.Signing.SigningKey).Assembly.Location,
            typeof(MessagePack.MessagePackSerializer).Assembly.Location,
            typeof(MessagePack.KeyAttribute).Assembly.Location,
        };
        return [.. framework.Concat(ledger).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))];
    }
}
