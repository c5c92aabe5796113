namespace Queueing.Local.Cli;

/// <summary>Finds serverless.template: the given path, else the current folder or the nearest parent holding one.</summary>
internal static class TemplateLocator
{
    public const string FileName = "serverless.template";

    public static string Find(string? given, string currentDirectory)
    {
        if (given is not null)
        {
            var path = Path.GetFullPath(given, currentDirectory);
            return File.Exists(path) ? path : throw new UsageException($"Template '{given}' does not exist.");
        }

        for (var dir = new DirectoryInfo(currentDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, FileName);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new UsageException($"No {FileName} in {currentDirectory} or its parents; pass --template PATH.");
    }
}
