using System.Text;
using Queueing.Contracts.Devices;
using Queueing.Shared.Settings;

namespace Queueing.Actuate.Commands;

/// <summary>
/// <c>COMMAND_TOPIC_TEMPLATE</c>, e.g. <c>devices/{deviceId}/commands</c>: the only way a command's topic is
/// made, so a caller can never choose a topic. Validated once at init against the AWS IoT topic limits.
/// </summary>
internal sealed class CommandTopicTemplate
{
    public const string Placeholder = "{deviceId}";
    public const string SettingName = "COMMAND_TOPIC_TEMPLATE";

    // AWS IoT Core message broker limits: a topic name is at most 256 UTF-8 bytes with at most 7 forward slashes.
    public const int MaxTopicBytes = 256;
    public const int MaxSlashes = 7;

    private readonly string _template;

    private CommandTopicTemplate(string template) => _template = template;

    public override string ToString() => _template;

    public string TopicFor(string deviceId) => _template.Replace(Placeholder, deviceId, StringComparison.Ordinal);

    /// <summary>Every reason <paramref name="template"/> cannot be used; empty when it can.</summary>
    public static IReadOnlyList<string> Problems(string template)
    {
        var problems = new List<string>();
        var at = template.IndexOf(Placeholder, StringComparison.Ordinal);
        if (at < 0 || template.IndexOf(Placeholder, at + Placeholder.Length, StringComparison.Ordinal) >= 0)
        {
            problems.Add($"must contain {Placeholder} exactly once");
        }

        var rest = template.Replace(Placeholder, "x", StringComparison.Ordinal);
        if (rest.AsSpan().IndexOfAny('+', '#') >= 0)
        {
            problems.Add("must not contain the MQTT wildcards + or #");
        }

        if (rest.AsSpan().IndexOfAny('{', '}') >= 0)
        {
            problems.Add($"must not contain braces other than {Placeholder}");
        }

        if (rest.StartsWith('$'))
        {
            problems.Add("must not start with $ (reserved topics such as $aws/...)");
        }

        if (rest.StartsWith('/') || rest.EndsWith('/') || rest.Contains("//", StringComparison.Ordinal))
        {
            problems.Add("must not have empty topic levels (a leading, trailing or doubled /)");
        }

        if (rest.Any(char.IsControl))
        {
            problems.Add("must not contain control characters");
        }

        var longest = template.Replace(Placeholder, new string('x', ThingName.MaxLength), StringComparison.Ordinal);
        if (Encoding.UTF8.GetByteCount(longest) > MaxTopicBytes)
        {
            problems.Add($"must stay within {MaxTopicBytes} UTF-8 bytes with a {ThingName.MaxLength}-character device id");
        }

        if (rest.Count(c => c == '/') > MaxSlashes)
        {
            problems.Add($"must have at most {MaxSlashes} slashes (AWS IoT limit)");
        }

        return problems;
    }

    public static bool TryCreate(string template, out CommandTopicTemplate? result, out IReadOnlyList<string> problems)
    {
        problems = Problems(template);
        result = problems.Count == 0 ? new CommandTopicTemplate(template) : null;
        return result is not null;
    }

    /// <summary>
    /// Reads and checks <c>COMMAND_TOPIC_TEMPLATE</c> (the API derives topics with it, the publisher re-derives them);
    /// a problem is added to <paramref name="settings"/> and the result is then null, so call
    /// <see cref="SettingsReader.ThrowIfInvalid"/> before using it.
    /// </summary>
    public static CommandTopicTemplate? Read(SettingsReader settings)
    {
        var template = settings.Required(SettingName);
        if (template.Length == 0)
        {
            return null;
        }

        if (!TryCreate(template, out var result, out var problems))
        {
            settings.AddProblem($"{SettingName} '{template}' {string.Join(", ", problems)}.");
        }

        return result;
    }
}
