namespace Ledger.Tests;

/// <summary>
/// Finds checked-in files (golden vectors, docs, README) from the test assembly's location.
/// </summary>
/// <remarks>
/// Not <c>[CallerFilePath]</c>: every build sets <c>ContinuousIntegrationBuild</c> (Directory.Build.props), which maps source paths
/// to <c>/_/</c> for deterministic binaries, so compile-time paths point nowhere at run time.
/// </remarks>
internal static class RepositoryFiles
{
    /// <summary>The folder above the test assembly that holds Ledger.sln.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>This test project's folder, <c>tests/&lt;assembly name&gt;</c>.</summary>
    public static string TestProject { get; } =
        Path.Combine(Root, "tests", typeof(RepositoryFiles).Assembly.GetName().Name!);

    /// <summary>This test project's <c>Golden</c> folder.</summary>
    public static string GoldenDirectory => Path.Combine(TestProject, "Golden");

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Ledger.sln"))) return directory.FullName;
        }

        throw new InvalidOperationException($"no Ledger.sln in any folder above {AppContext.BaseDirectory}");
    }
}
