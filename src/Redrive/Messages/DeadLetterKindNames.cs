using Queueing.Contracts.DeadLetters;

namespace Queueing.Redrive.Messages;

/// <summary>The kinds the CLI shows and filters on: Shared's four plus two that carry no Queueing.Kind.</summary>
internal static class DeadLetterKindNames
{
    /// <summary>No Queueing.Kind: SQS's own redrive policy moved it (the consumer crashed, timed out, or never parked it).</summary>
    public const string Unknown = "unknown";
    /// <summary>An AWS IoT rule's error-action report (TelemetryRuleErrors): the rule could not run its action.</summary>
    public const string RuleError = "rule-error";

    public static IReadOnlyList<string> All { get; } =
        [.. Enum.GetValues<DeadLetterKind>().Select(k => k.ToWire()), Unknown, RuleError];
}
