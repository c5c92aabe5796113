namespace Queueing.Emulators.IoT.Rules;

public sealed record TopicRuleEngineOptions
{
    /// <summary>How many rule outputs have their actions run at once.</summary>
    public int MaxConcurrentActions { get; init; } = 4;

    /// <summary>An action call taking longer than this is an action failure (and goes to the error action).</summary>
    public TimeSpan ActionTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
