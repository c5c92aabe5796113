namespace Queueing.Emulators.Waylay.Rules;

/// <summary>Templates the sandbox cannot run; the message lists every problem, each naming file and construct.</summary>
public sealed class WaylayTemplateException(IReadOnlyList<string> problems)
    : Exception("The Waylay sandbox cannot run these rule templates:" + Environment.NewLine + "  - " + string.Join(Environment.NewLine + "  - ", problems))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}
