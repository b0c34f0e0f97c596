using System.Text.Json;
using System.Xml.Linq;

namespace Ledger.Analyzers.Tests;

/// <summary>The lint as users meet it: through the Ledger.Kernel package, and through project references
/// inside this repository.</summary>
public class EndToEndTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);

    private const string VerbSource = """
        using Ledger.Kernel;
        using MessagePack;

        namespace Consumer;

        [MessagePackObject]
        public sealed record StampArgs([property: Key(0)] string Key);

        public sealed class Stamp() : Verb<StampArgs>("stamp", 1, Scope.Branch)
        {
            public static readonly BranchTable<long> Stamps = new("stamps");

            protected override void Execute(VerbContext ctx, StampArgs args) => ctx.Put(Stamps, args.Key, TIME);
        }
        """;

    [Fact]
    [Trait("Risk", "D1")]
    public async Task A_consumer_of_the_packed_kernel_fails_to_build_a_verb_that_reads_DateTime_Now_and_builds_once_it_reads_the_ops_time()
    {
        var work = Directory.CreateTempSubdirectory("ledger-e2e-");
        try
        {
            var feed = Directory.CreateDirectory(Path.Combine(work.FullName, "feed")).FullName;
            var kernel = Path.Combine(RepositoryFiles.Root, "src", "Ledger.Kernel", "Ledger.Kernel.csproj");

            // The test project's build has just built the kernel and the analyzers in this configuration.
            var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
            var pack = await DotNet.RunAsync(work.FullName, Patience, "pack", kernel, "-c", configuration, "--no-build", "-o", feed);
            Assert.True(pack.ExitCode == 0, pack.Output);
            var package = Assert.Single(Directory.GetFiles(feed, "Ledger.Kernel.*.nupkg"));
            using (var archive = System.IO.Compression.ZipFile.OpenRead(package))
            {
                Assert.Contains(archive.Entries, e => e.FullName == "analyzers/dotnet/cs/Ledger.Analyzers.dll");
                Assert.Contains(archive.Entries, e => e.FullName == "analyzers/dotnet/cs/Ledger.Analyzers.CodeFixes.dll");
            }

            var project = await WriteConsumerAsync(work.FullName, feed, Path.GetFileNameWithoutExtension(package)["Ledger.Kernel.".Length..]);
            var verb = Path.Combine(project, "Stamp.cs");

            await File.WriteAllTextAsync(verb, VerbSource.Replace("TIME", "DateTime.Now.Ticks", StringComparison.Ordinal));
            var bad = await DotNet.RunAsync(project, Patience, "build", "-p:UseSharedCompilation=false");
            Assert.True(bad.ExitCode != 0, bad.Output);
            Assert.Contains("error LDG0001", bad.Output, StringComparison.Ordinal);
            Assert.Contains("Verb Stamp → Stamp.Execute → DateTime.Now", bad.Output, StringComparison.Ordinal);

            await File.WriteAllTextAsync(verb, VerbSource.Replace("TIME", "ctx.At", StringComparison.Ordinal));
            var good = await DotNet.RunAsync(project, Patience, "build", "-p:UseSharedCompilation=false");
            Assert.True(good.ExitCode == 0, good.Output);
            Assert.DoesNotContain("LDG0", good.Output, StringComparison.Ordinal);
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    [Fact]
    [Trait("Risk", "D1")]
    public async Task Every_project_in_the_repository_that_references_the_kernel_runs_the_analyzer()
    {
        var projects = new[] { "src", "tests", "samples", "benchmarks" }
            .Select(folder => Path.Combine(RepositoryFiles.Root, folder))
            .Where(Directory.Exists)
            .SelectMany(folder => Directory.EnumerateFiles(folder, "*.csproj", SearchOption.AllDirectories))
            .Where(ReferencesKernel)
            .Where(path => !path.EndsWith("Ledger.Analyzers.Tests.csproj", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.Contains(projects, p => p.EndsWith("SiteBooks.csproj", StringComparison.Ordinal));
        Assert.Contains(projects, p => p.EndsWith("Ledger.TestDomain.csproj", StringComparison.Ordinal));

        var missing = new List<string>();
        await Parallel.ForEachAsync(projects, new ParallelOptions { MaxDegreeOfParallelism = 2 }, async (project, _) =>
        {
            var evaluation = await DotNet.RunAsync(RepositoryFiles.Root, Patience, "msbuild", project, "-getItem:ProjectReference");
            if (evaluation.ExitCode != 0 || !HasAnalyzerReference(evaluation.Output))
            {
                lock (missing) missing.Add($"{project}: {evaluation.Output}");
            }
        });
        Assert.Empty(missing);
    }

    private static bool ReferencesKernel(string project) =>
        XDocument.Load(project).Descendants("ProjectReference")
            .Any(r => ((string?)r.Attribute("Include"))?.EndsWith("Ledger.Kernel.csproj", StringComparison.Ordinal) == true);

    private static bool HasAnalyzerReference(string evaluationJson)
    {
        using var json = JsonDocument.Parse(evaluationJson);
        return json.RootElement.GetProperty("Items").GetProperty("ProjectReference").EnumerateArray().Any(item =>
            item.GetProperty("Identity").GetString()!.EndsWith("Ledger.Analyzers.csproj", StringComparison.Ordinal)
            && item.GetProperty("OutputItemType").GetString() == "Analyzer"
            && item.GetProperty("ReferenceOutputAssembly").GetString() == "false");
    }

    /// <summary>A consumer outside the repository that restores only from the local feed, with its own
    /// packages folder (so no stale Ledger.Kernel from another run is used) falling back to this machine's
    /// cache for the kernel's dependencies: nothing is downloaded.</summary>
    private static async Task<string> WriteConsumerAsync(string root, string feed, string version)
    {
        var cache = await DotNet.RunAsync(root, Patience, "nuget", "locals", "global-packages", "--list");
        var globalPackages = cache.Output.Trim().Split(": ", 2)[1].Trim();
        var project = Directory.CreateDirectory(Path.Combine(root, "consumer")).FullName;

        // Empty files stop MSBuild from importing anything from folders above the temporary directory.
        await File.WriteAllTextAsync(Path.Combine(root, "Directory.Build.props"), "<Project />");
        await File.WriteAllTextAsync(Path.Combine(root, "Directory.Build.targets"), "<Project />");
        await File.WriteAllTextAsync(Path.Combine(root, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <config>
                <add key="globalPackagesFolder" value="{Path.Combine(root, "packages")}" />
              </config>
              <packageSources>
                <clear />
                <add key="feed" value="{feed}" />
              </packageSources>
              <fallbackPackageFolders>
                <clear />
                <add key="machine" value="{globalPackages}" />
              </fallbackPackageFolders>
            </configuration>
            """);
        await File.WriteAllTextAsync(Path.Combine(project, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Ledger.Kernel" Version="{version}" />
              </ItemGroup>
            </Project>
            """);
        return project;
    }
}
