using Queueing.Local.Template;

namespace Queueing.Local.Functions;

/// <summary>
/// Which project builds a function's executable. The one place that maps the template's <c>Handler</c> values to
/// projects; a function with another handler is found through its <c>CodeUri</c> folder holding one project.
/// </summary>
public static class FunctionProjects
{
    /// <summary>Handler -> project, relative to the template's folder (the repository root).</summary>
    public static IReadOnlyDictionary<string, string> ByHandler { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["ingest"] = "src/Ingest/Queueing.Ingest.csproj",
        ["command-api"] = "src/Actuate/Queueing.Actuate.csproj",
        ["command-publisher"] = "src/Actuate/Queueing.Actuate.csproj",
    };

    public static string ProjectFor(FunctionDefinition function, string templateDirectory)
    {
        if (ByHandler.TryGetValue(function.Handler, out var relative))
        {
            var project = Path.GetFullPath(Path.Combine(templateDirectory, relative));
            return File.Exists(project)
                ? project
                : throw new FunctionBuildException($"{function.LogicalId} (Handler '{function.Handler}') is built from {relative}, which does not exist under {templateDirectory}.");
        }

        if (function.CodeUri is { } folder && Directory.Exists(folder))
        {
            var projects = Directory.GetFiles(folder, "*.csproj");
            if (projects.Length == 1)
            {
                return projects[0];
            }
        }

        throw new FunctionBuildException(
            $"No project builds {function.LogicalId} (Handler '{function.Handler}'): known handlers are {string.Join(", ", ByHandler.Keys)}, " +
            "and its CodeUri is not a folder with exactly one .csproj.");
    }
}

/// <summary>A function's executable cannot be built or found.</summary>
public sealed class FunctionBuildException : Exception
{
    public FunctionBuildException(string message) : base(message) { }
}
