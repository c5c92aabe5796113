using System.Collections.Immutable;

namespace Queueing.Emulators.Template;

/// <summary>
/// Where a value sits in the template: a section entry (resource, condition, parameter) and the property path
/// below it, e.g. <c>Resource 'MyFunction', property 'Properties.Environment.Variables.LOG_LEVEL'</c>.
/// </summary>
public sealed class TemplatePath
{
    private readonly ImmutableList<string> _segments;

    private TemplatePath(string kind, string name, ImmutableList<string> segments)
    {
        Kind = kind;
        Name = name;
        _segments = segments;
    }

    public string Kind { get; }
    public string Name { get; }
    public string Property => string.Join('.', _segments);

    public static TemplatePath Resource(string logicalId) => new("Resource", logicalId, []);
    public static TemplatePath Condition(string name) => new("Condition", name, []);
    public static TemplatePath Parameter(string name) => new("Parameter", name, []);
    public static TemplatePath Globals(string section) => new("Globals", section, []);

    public TemplatePath Child(string segment) => new(Kind, Name, _segments.Add(segment));

    public TemplatePath Index(int index) =>
        _segments.IsEmpty
            ? new(Kind, Name, [$"[{index}]"])
            : new(Kind, Name, _segments.SetItem(_segments.Count - 1, $"{_segments[^1]}[{index}]"));

    public TemplateException Fail(string problem) => new(this, problem);

    public override string ToString() =>
        _segments.IsEmpty ? $"{Kind} '{Name}'" : $"{Kind} '{Name}', property '{Property}'";
}
