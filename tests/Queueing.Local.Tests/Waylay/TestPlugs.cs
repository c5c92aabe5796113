using System.Text.Json.Nodes;
using Queueing.Emulators.Waylay.Contracts;
using Queueing.Emulators.Waylay.Plugs;
using Queueing.Testing;

namespace Queueing.Local.Tests.Waylay;

/// <summary>Small plugs written by the tests, and copies of the repository's waylay/ folder to alter.</summary>
internal static class TestPlugs
{
    public static WaylayContract Registry { get; } = WaylayContract.Registry(RepositoryRoot.File("waylay", "schemas"));

    /// <summary>Writes a plug folder: a manifest the registry schema accepts and <paramref name="code"/> as index.js.</summary>
    public static void Write(TempDirectory plugins, string name, string code, string version = "1.0.0", string type = "actuator")
    {
        var folder = plugins.File(name);
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "plug.json"), new JsonObject
        {
            ["name"] = name,
            ["version"] = version,
            ["type"] = type,
            ["metadata"] = new JsonObject { ["description"] = "a test plug" },
            ["interface"] = new JsonObject(),
        }.ToJsonString());
        File.WriteAllText(Path.Combine(folder, "index.js"), code);
    }

    public static PlugCatalog Catalog(TempDirectory plugins) => PlugCatalog.Load(plugins.Path, Registry);

    /// <summary>A copy of the repository's waylay/ folder (plugins, schemas, templates) for a test to change.</summary>
    public static TempDirectory CopyOfWaylay()
    {
        var copy = new TempDirectory();
        var source = RepositoryRoot.File("waylay");
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}node_modules{Path.DirectorySeparatorChar}", StringComparison.Ordinal)))
        {
            var target = Path.Combine(copy.Path, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        return copy;
    }
}
