using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using Xunit.Abstractions;

namespace Ledger.Packaging.Tests;

/// <summary>The packages as an app team gets them: packed by the release script into a folder feed, restored by a
/// fresh app outside this repository from that feed (and the machine's NuGet cache). The app compiles and runs the
/// README's tour, extracted from README.md (so the README cannot drift from what compiles), installs and runs the
/// tool, and a verb that reads <c>DateTime.Now</c> fails its build with LDG0001.</summary>
/// <remarks>One pack for all the tests of this class (a few minutes on two cores); each consumer restore is bounded
/// by <see cref="Run"/>'s timeout. The version is unique per run, so the NuGet cache never serves an older pack; the
/// run removes its own versions from the cache afterwards.</remarks>
public sealed class ConsumerTests(PackedFeed feed, ITestOutputHelper log) : IClassFixture<PackedFeed>
{
    [Fact]
    [Trait("Category", "Packaging")]
    public void The_readme_tour_compiles_and_runs_in_a_fresh_app_from_the_packed_feed()
    {
        var tour = ReadmeTour(feed.Repository);
        var app = feed.NewApp("TourApp", "Exe", """
            var (live, restored) = Tour.Run();
            Console.WriteLine(live == restored ? "TOUR-RESTORED-SAME-STATE" : "TOUR-MISMATCH");
            return live == restored ? 0 : 1;
            """, ("Tour.cs", tour));
        var run = PackedFeed.Run("dotnet", ["run", "--project", app], app, TimeSpan.FromMinutes(5), log);
        Assert.True(run.ExitCode == 0, run.Text);
        var lines = run.Output.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["5997", "True", "TOUR-RESTORED-SAME-STATE"], lines[^3..]);
    }

    [Fact]
    [Trait("Category", "Packaging")]
    public void A_verb_reading_DateTime_Now_in_an_app_built_from_the_packages_fails_with_LDG0001()
    {
        var app = feed.NewApp("ClockApp", "Library", null, ("ClockVerb.cs", """
            using Ledger.Kernel;

            public sealed class Stamp() : Verb<long>("stamp", 1, Scope.Shared)
            {
                private static readonly CounterTable Seen = new("seen");

                protected override void Execute(VerbContext ctx, long args) => ctx.Add(Seen, "at", DateTime.Now.Ticks + args);
            }
            """));
        var build = PackedFeed.Run("dotnet", ["build", app], app, TimeSpan.FromMinutes(5), log);
        Assert.NotEqual(0, build.ExitCode);
        Assert.Contains("error LDG0001", build.Output);
        Assert.Contains("ClockVerb.cs", build.Output);
    }

    [Fact]
    [Trait("Category", "Packaging")]
    public void The_packed_Ledger_Testing_runs_its_cross_process_check_in_a_fresh_app_and_catches_a_string_hash()
    {
        var app = feed.NewApp("CrossApp", "Exe", """
            using FsCheck.Fluent;
            using Ledger.Testing;

            var spec = new LogSpec(App.Manifest, VerbCase.Of(App.Bucket, Gen.Elements("alpha", "beta", "gamma", "delta", "epsilon"))) { MinOps = 10, Authors = 2 };
            ReplayAssert.Check(App.NewKernel, spec, cases: 3, seed: 11);
            try
            {
                ReplayAssert.CheckAcrossProcesses(App.NewKernel, spec, cases: 3, seed: 11);
                Console.WriteLine("CROSS-NOT-CAUGHT");
                return 1;
            }
            catch (ReplayMismatchException e) when (e.Message.Contains("bucket.add@1"))
            {
                Console.WriteLine("CROSS-CAUGHT");
                return 0;
            }
            """, ["Ledger.Testing"], ("App.cs", """
            using Ledger.Kernel;

            public static class App
            {
                public static readonly CounterTable Buckets = new("buckets");
                public static readonly HashBucket Bucket = new();
                public static readonly Manifest Manifest = new ManifestBuilder("crossapp", 1).Tables(Buckets).Add(Bucket).Build();

                public static LedgerKernel NewKernel() => new(Manifest);
            }

            [DeterminismWaiver("deliberately per-process: the cross-process check must catch it")]
            public sealed class HashBucket() : Verb<string>("bucket.add", 1, Scope.Shared)
            {
                protected override void Execute(VerbContext ctx, string args) => ctx.Add(App.Buckets, "b" + (args.GetHashCode() & 7), 1);
            }
            """));
        var run = PackedFeed.Run("dotnet", ["run", "--project", app], app, TimeSpan.FromMinutes(5), log);
        Assert.True(run.ExitCode == 0, run.Text);
        Assert.Contains("CROSS-CAUGHT", run.Output);
        using var zip = ZipFile.OpenRead(feed.Package("Ledger.Testing", "nupkg"));
        Assert.Contains("lib/net10.0/Ledger.Testing.FoldHost.dll", zip.Entries.Select(e => e.FullName));
    }

    [Fact]
    [Trait("Category", "Packaging")]
    public void The_sample_of_docs_testing_md_passes_as_a_test_project_built_from_the_packed_feed()
    {
        var props = File.ReadAllText(Path.Combine(feed.Repository, "Directory.Packages.props"));
        string Pinned(string id) => id + "@" + System.Text.RegularExpressions.Regex.Match(props, $"Include=\"{System.Text.RegularExpressions.Regex.Escape(id)}\" Version=\"([^\"]+)\"").Groups[1].Value;
        var sample = Ledger.Packaging.Tests.DocSample.FirstCsharpBlock(Path.Combine(feed.Repository, "docs", "testing.md"));
        var app = feed.NewApp("ShopApp.Tests", "Exe", null,
            ["Ledger.Testing", Pinned("xunit"), Pinned("xunit.runner.visualstudio"), Pinned("Microsoft.NET.Test.Sdk")],
            ("ShopDeterminismTests.cs", sample));
        var run = PackedFeed.Run("dotnet", ["test", app, "-e", "LEDGER_CASES=20"], app, TimeSpan.FromMinutes(8), log);
        Assert.True(run.ExitCode == 0, run.Text);
        Assert.Contains("Passed!", run.Output);
        Assert.Contains("Total:     2", run.Output);
    }

    [Fact]
    [Trait("Category", "Packaging")]
    public void The_tool_package_installs_runs_and_carries_only_the_native_libraries_it_can_run_on()
    {
        var tools = Path.Combine(feed.Work, "tools");
        var install = PackedFeed.Run("dotnet", ["tool", "install", "Ledger.Tool", "--tool-path", tools, "--version", feed.Version, "--add-source", feed.Feed], feed.Work, TimeSpan.FromMinutes(5), log);
        Assert.True(install.ExitCode == 0, install.Text);
        var version = PackedFeed.Run(Path.Combine(tools, "ledger"), ["--version"], feed.Work, TimeSpan.FromMinutes(1), log);
        Assert.True(version.ExitCode == 0, version.Text);
        Assert.StartsWith(feed.Version, version.Output.Trim(), StringComparison.Ordinal);
        var usage = PackedFeed.Run(Path.Combine(tools, "ledger"), ["verify"], feed.Work, TimeSpan.FromMinutes(1), log);
        Assert.Equal(2, usage.ExitCode);

        using var zip = ZipFile.OpenRead(feed.Package("Ledger.Tool", "nupkg"));
        var runtimes = zip.Entries.Select(e => e.FullName.Split('/')).Where(p => p.Length > 4 && p[3] == "runtimes").Select(p => p[4]).Distinct().Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(["linux-arm", "linux-arm64", "linux-musl-arm", "linux-musl-arm64", "linux-musl-x64", "linux-x64", "osx-arm64", "osx-x64", "win-arm64", "win-x64", "win-x86"], runtimes);
    }

    [Fact]
    [Trait("Category", "Packaging")]
    public void Every_package_has_its_readme_license_commit_symbols_and_xml_docs()
    {
        var commit = PackedFeed.Run("git", ["rev-parse", "HEAD"], feed.Repository, TimeSpan.FromMinutes(1), log).Output.Trim();
        foreach (var id in PackedFeed.Packages)
        {
            using var zip = ZipFile.OpenRead(feed.Package(id, "nupkg"));
            var names = zip.Entries.Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);
            Assert.Contains("README.md", names);
            var readme = new StreamReader(zip.GetEntry("README.md")!.Open()).ReadToEnd();
            Assert.StartsWith("# " + id, readme, StringComparison.Ordinal);
            var nuspec = new StreamReader(zip.GetEntry(id + ".nuspec")!.Open()).ReadToEnd();
            Assert.Contains("<readme>README.md</readme>", nuspec);
            Assert.Contains("<license type=\"expression\">MIT</license>", nuspec);
            Assert.Contains($"commit=\"{commit}\"", nuspec);
            Assert.True(File.Exists(feed.Package(id, "snupkg")), $"{id}: no symbol package");
            if (id != "Ledger.Tool") Assert.Contains($"lib/net10.0/{id}.xml", names);
        }
    }

    /// <summary>The first csharp block of README.md, exactly as printed.</summary>
    private static string ReadmeTour(string repository)
    {
        var readme = File.ReadAllText(Path.Combine(repository, "README.md")).ReplaceLineEndings("\n");
        const string open = "```csharp\n";
        var start = readme.IndexOf(open, StringComparison.Ordinal) + open.Length;
        Assert.True(start >= open.Length, "README.md has no csharp block");
        return readme[start..readme.IndexOf("```", start, StringComparison.Ordinal)];
    }
}

/// <summary>The folder feed every test of <see cref="ConsumerTests"/> restores from: packed once, by eng/release.sh.</summary>
public sealed class PackedFeed : IDisposable
{
    public static readonly string[] Packages = ["Ledger.Kernel", "Ledger.Signing", "Ledger.Migration", "Ledger.Erasure", "Ledger.Erasure.Sqlite", "Ledger.Testing", "Ledger.Sync", "Ledger.Sync.Sqlite", "Ledger.Sync.PostgreSql", "Ledger.Sync.Conformance", "Ledger.Sync.Http", "Ledger.Relay.AspNetCore", "Ledger.Tool"];

    public static string Root => RepositoryFiles.Root;

    public PackedFeed()
    {
        Work = Path.Combine(Path.GetTempPath(), "ledger-packaging-" + Guid.NewGuid().ToString("N")[..12]);
        Feed = Path.Combine(Work, "feed");
        Version = "0.0.0-pkgtest." + Path.GetFileName(Work)["ledger-packaging-".Length..];
        Directory.CreateDirectory(Work);
        // Packed from a clone of the commit under test: the release script builds a commit, and a clone keeps its build
        // out of this repository's obj/ and bin/ folders, which other test assemblies are using.
        Repository = Path.Combine(Work, "repo");
        var clone = Run("git", ["clone", "--quiet", "--no-hardlinks", Root, Repository], Work, TimeSpan.FromMinutes(5), null);
        if (clone.ExitCode != 0) throw new InvalidOperationException("git clone failed:\n" + clone.Text);
        var release = Run("bash", [Path.Combine(Repository, "eng", "release.sh"), "--feed", Feed, "--version", Version, "--rehearsal"], Repository, TimeSpan.FromMinutes(20), null);
        if (release.ExitCode != 0)
        {
            Dispose();
            throw new InvalidOperationException("eng/release.sh failed:\n" + release.Text);
        }
    }

    public string Work { get; }

    /// <summary>The clone the packages were packed from (the commit under test).</summary>
    public string Repository { get; }

    public string Feed { get; }

    public string Version { get; }

    /// <summary>A package file of this version in the feed, wherever the push put it (flat or id/version folders).</summary>
    public string Package(string id, string extension) =>
        Directory.EnumerateFiles(Feed, "*." + extension, SearchOption.AllDirectories)
            .SingleOrDefault(f => string.Equals(Path.GetFileName(f), $"{id}.{Version}.{extension}", StringComparison.OrdinalIgnoreCase))
        ?? throw new FileNotFoundException($"no {id} {Version} .{extension} in {Feed}: {string.Join(", ", Directory.EnumerateFiles(Feed, "*", SearchOption.AllDirectories))}");

    /// <summary>A new app outside the repository referencing every library package of this version.</summary>
    public string NewApp(string name, string outputType, string? program, params (string Name, string Text)[] files) =>
        NewApp(name, outputType, program, [], files);

    /// <summary>A new app outside the repository referencing every library package of this version and <paramref name="extraPackages"/>.</summary>
    public string NewApp(string name, string outputType, string? program, string[] extraPackages, params (string Name, string Text)[] files)
    {
        var dir = Path.Combine(Work, name);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="ledger-feed" value="{Feed}" />
              </packageSources>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(dir, "Directory.Build.props"), "<Project />");
        File.WriteAllText(Path.Combine(dir, "Directory.Packages.props"), "<Project />");
        File.WriteAllText(Path.Combine(dir, name + ".csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>{outputType}</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Ledger.Kernel" Version="{Version}" />
                <PackageReference Include="Ledger.Signing" Version="{Version}" />
                <PackageReference Include="Ledger.Sync" Version="{Version}" />
            {string.Concat(extraPackages.Select(p => p.Split('@') is [var id, var version]
                ? $"    <PackageReference Include=\"{id}\" Version=\"{version}\" />\n"
                : $"    <PackageReference Include=\"{p}\" Version=\"{Version}\" />\n"))}  </ItemGroup>
            </Project>
            """);
        if (program is not null) File.WriteAllText(Path.Combine(dir, "Program.cs"), program);
        foreach (var (file, text) in files) File.WriteAllText(Path.Combine(dir, file), text);
        return dir;
    }

    public void Dispose()
    {
        // This run's versions out of the NuGet cache (nothing else is touched), then its folder.
        var cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } set ? set : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        foreach (var id in Packages)
        {
            var cached = Path.Combine(cache, id.ToLowerInvariant(), Version);
            if (Directory.Exists(cached)) Directory.Delete(cached, recursive: true);
            var folder = Path.GetDirectoryName(cached)!;
            if (Directory.Exists(folder) && !Directory.EnumerateFileSystemEntries(folder).Any()) Directory.Delete(folder);
        }

        if (Directory.Exists(Work)) Directory.Delete(Work, recursive: true);
    }

    public sealed record Result(int ExitCode, string Output, string Error)
    {
        public string Text => $"exit {ExitCode}\nstdout:\n{Output}\nstderr:\n{Error}";
    }

    /// <summary>Runs a process to completion or kills it after <paramref name="timeout"/>.</summary>
    public static Result Run(string file, string[] arguments, string directory, TimeSpan timeout, ITestOutputHelper? log)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start)!;
        var output = new StringBuilder();
        var error = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (error) error.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', arguments)} ran longer than {timeout}:\n{output}\n{error}");
        }

        process.WaitForExit();
        log?.WriteLine($"$ {file} {string.Join(' ', arguments)} -> {process.ExitCode}");
        return new Result(process.ExitCode, output.ToString(), error.ToString());
    }
}
