using System.Text.Json;
using System.Text.Json.Nodes;
using Queueing.Emulators.Waylay.Contracts;

namespace Queueing.Emulators.Waylay.Plugs;

/// <summary>A plug we ship: its manifest (<c>plug.json</c>) and the folder holding its code.</summary>
public sealed record PlugDefinition(
    string Name,
    string Version,
    string Type,
    string Directory,
    IReadOnlyList<string> Inputs,
    IReadOnlyList<string> MandatoryInputs);

/// <summary>
/// The plugs of <c>waylay/plugins/</c>: one folder per plug with a <c>plug.json</c> manifest in the form of the
/// function registry (<c>IPlugManifest</c> of the registry OpenAPI: name, version, type, metadata, interface) and a
/// Node.js module (<c>package.json</c> <c>main</c>, else <c>index.js</c>) exporting <c>function (options, send)</c>.
/// A manifest the registry schema refuses is refused here too. The manifests carry no <c>runtime</c>: that is
/// chosen on the tenant at deploy time (<c>waylay/deploy</c>), so it is checked here with a stand-in value.
/// </summary>
public sealed class PlugCatalog
{
    /// <summary>What the manifest check puts in <c>runtime</c>, which <c>waylay/deploy</c> fills in on the tenant.</summary>
    public const string RuntimeChosenAtDeploy = "chosen-by-waylay-deploy";

    private readonly Dictionary<(string Name, string Version), PlugDefinition> _plugs;

    private PlugCatalog(string directory, IEnumerable<PlugDefinition> plugs)
    {
        Directory = directory;
        _plugs = plugs.ToDictionary(p => (p.Name, p.Version));
    }

    public string Directory { get; }

    public IReadOnlyCollection<PlugDefinition> Plugs => _plugs.Values;

    public PlugDefinition? Find(string name, string version) => _plugs.GetValueOrDefault((name, version));

    /// <summary>The versions shipped of a plug name (for messages).</summary>
    public IReadOnlyList<string> VersionsOf(string name) =>
        _plugs.Keys.Where(k => k.Name == name).Select(k => k.Version).Order(StringComparer.Ordinal).ToList();

    /// <exception cref="PlugCatalogException">A manifest is missing, not valid JSON, refused by the registry schema, or two plugs share a name and version.</exception>
    public static PlugCatalog Load(string directory, WaylayContract registry)
    {
        var problems = new List<string>();
        var plugs = new List<PlugDefinition>();
        if (!System.IO.Directory.Exists(directory))
        {
            throw new PlugCatalogException([$"{directory}: no such directory (the plugs we ship live in waylay/plugins/)."]);
        }

        foreach (var folder in System.IO.Directory.EnumerateDirectories(directory).Order(StringComparer.Ordinal))
        {
            if (Read(folder, registry, problems) is { } plug)
            {
                plugs.Add(plug);
            }
        }

        foreach (var duplicate in plugs.GroupBy(p => (p.Name, p.Version)).Where(g => g.Count() > 1))
        {
            problems.Add($"plug {duplicate.Key.Name} {duplicate.Key.Version} is defined by {string.Join(" and ", duplicate.Select(p => p.Directory))}.");
        }

        return problems.Count > 0 ? throw new PlugCatalogException(problems) : new PlugCatalog(directory, plugs);
    }

    /// <summary>The manifest as <c>waylay/deploy</c> uploads it: <c>plug.json</c> with the tenant's runtime.</summary>
    public static JsonObject ManifestWithRuntime(string plugDirectory, string runtime)
    {
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(plugDirectory, "plug.json")))!.AsObject();
        manifest["runtime"] = runtime;
        return manifest;
    }

    private static PlugDefinition? Read(string folder, WaylayContract registry, List<string> problems)
    {
        var file = Path.Combine(folder, "plug.json");
        var where = Path.GetRelativePath(Path.GetDirectoryName(folder)!, file);
        if (!File.Exists(file))
        {
            problems.Add($"{where}: missing (each folder of waylay/plugins/ is a plug with a plug.json manifest).");
            return null;
        }

        JsonObject manifest;
        try
        {
            manifest = ManifestWithRuntime(folder, RuntimeChosenAtDeploy);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            problems.Add($"{where}: not a JSON object: {ex.Message}");
            return null;
        }

        var refused = registry.Validate("IPlugManifest", manifest);
        if (refused.Count > 0)
        {
            problems.AddRange(refused.Select(p => $"{where}: refused by the registry schema IPlugManifest: {p}"));
            return null;
        }

        var main = Path.Combine(folder, MainOf(folder));
        if (!File.Exists(main))
        {
            problems.Add($"{where}: the plug's code {Path.GetFileName(main)} is missing.");
            return null;
        }

        var inputs = manifest["interface"]?["input"] as JsonArray ?? [];
        return new PlugDefinition(
            (string)manifest["name"]!,
            (string)manifest["version"]!,
            (string)manifest["type"]!,
            folder,
            inputs.Select(i => (string)i!["name"]!).ToList(),
            inputs.Where(i => i!["mandatory"]?.GetValue<bool>() == true).Select(i => (string)i!["name"]!).ToList());
    }

    /// <summary>The module the plug exports its function from: <c>package.json</c> <c>main</c>, else <c>index.js</c>.</summary>
    public static string MainOf(string folder)
    {
        var package = Path.Combine(folder, "package.json");
        return File.Exists(package) && JsonNode.Parse(File.ReadAllText(package))?["main"] is JsonValue main
            && main.GetValueKind() == JsonValueKind.String
            ? main.GetValue<string>()
            : "index.js";
    }
}

/// <summary>Plugs the sandbox cannot load; the message lists every problem.</summary>
public sealed class PlugCatalogException(IReadOnlyList<string> problems)
    : Exception("The Waylay sandbox cannot load the plugs of waylay/plugins/:" + Environment.NewLine + "  - " + string.Join(Environment.NewLine + "  - ", problems))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}
