namespace Queueing.Emulators.Template;

/// <summary>
/// The template uses something the local stack cannot resolve or emulate. The message names where (resource and
/// property path), so the user can fix the template or override a parameter instead of getting a silent skip.
/// </summary>
public sealed class TemplateException : Exception
{
    public TemplateException(string message) : base(message) { }

    public TemplateException(TemplatePath path, string problem)
        : base($"{path}: {problem}") => Path = path;

    public TemplatePath? Path { get; }
}
