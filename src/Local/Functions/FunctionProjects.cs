using Queueing.Emulators.Template;

namespace Queueing.Local.Functions;

/// <summary>
/// Which project builds a function's executable: the one <see cref="QueueingApplication.ProjectsByHandler"/> maps
/// the template's <c>Handler</c> to, else the one project in its <c>CodeUri</c> folder.
/// </summary>
internal static class FunctionProjects
{
    public static string ProjectFor(FunctionDefinition function, string templateDirectory)
    {
        if (QueueingApplication.ProjectsByHandler.TryGetValue(function.Handler, out var relative))
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
            $"No project builds {function.LogicalId} (Handler '{function.Handler}'): known handlers are {string.Join(", ", QueueingApplication.ProjectsByHandler.Keys)}, " +
            "and its CodeUri is not a folder with exactly one .csproj.");
    }
}

/// <summary>A function's executable cannot be built or found.</summary>
internal sealed class FunctionBuildException : Exception
{
    public FunctionBuildException(string message) : base(message) { }
}
