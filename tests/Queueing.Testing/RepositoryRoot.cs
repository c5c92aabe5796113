namespace Queueing.Testing;

/// <summary>Finds the repository root (the folder holding Queueing.sln) from the test's output directory.</summary>
public static class RepositoryRoot
{
    public static string Path { get; } = Find();

    public static string File(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (System.IO.File.Exists(System.IO.Path.Combine(dir.FullName, "Queueing.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No Queueing.sln above {AppContext.BaseDirectory}.");
    }
}
