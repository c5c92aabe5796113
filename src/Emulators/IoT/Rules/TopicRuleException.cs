namespace Queueing.Emulators.IoT.Rules;

/// <summary>The rules cannot be loaded; <see cref="Problems"/> lists every problem found, each naming its rule.</summary>
internal sealed class TopicRuleException(IReadOnlyList<string> problems)
    : Exception("The topic rules cannot be emulated locally:" + Environment.NewLine + string.Join(Environment.NewLine, problems.Select(p => "  - " + p)))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}
