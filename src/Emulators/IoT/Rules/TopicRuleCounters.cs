using Queueing.Emulators.Hosting;

namespace Queueing.Emulators.IoT.Rules;

/// <summary>
/// Counts since start, per rule or in total. Every matched message ends as actions that all succeeded, or in
/// <see cref="ErrorsRouted"/> (the error action has it) or <see cref="ErrorsUnrouted"/> (lost: no error action, or
/// the error action failed too). <see cref="SqlErrors"/> are messages the statement could not evaluate (AWS logs
/// these and runs no action). <see cref="DroppedAtShutdown"/> arrived after the engine stopped.
/// </summary>
public sealed record TopicRuleCounters : CounterSet<TopicRuleCounters>
{
    public long MessagesMatched;
    public long ActionsSucceeded;
    public long ActionsFailed;
    public long ErrorsRouted;
    public long ErrorsUnrouted;
    public long SqlErrors;
    public long DroppedAtShutdown;
}
