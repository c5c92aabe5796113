using System.Collections.Concurrent;
using Queueing.Emulators.Hosting;

namespace Queueing.Emulators.Waylay.Rules;

/// <summary>What the rule engine last did for one resource (for the live view).</summary>
public sealed record ResourceRuleState(string Resource, string? LastState, string? LastActuator, string? LastAnswer, long? LastEventTimestamp);

/// <summary>The rule engine's counters at one moment.</summary>
public sealed record RuleEngineSnapshot : CounterSet<RuleEngineSnapshot>
{
    public long EventsEvaluated;
    public long TasksCreated;
    public long SensorExecutions;
    public long SensorFailures;
    public long RulesFired;
    /// <summary>Actuator (plug) runs that firings started, whatever the plug: a command plug's and an alarm plug's alike.</summary>
    public long PlugRuns;

    public IReadOnlyDictionary<string, long> AnswersByStatus { get; init; } = new Dictionary<string, long>(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, ResourceRuleState> Resources { get; init; } =
        new Dictionary<string, ResourceRuleState>(StringComparer.Ordinal);

    /// <summary>Successful executions that reported a 2xx status (what the plug called accepted the command).</summary>
    public long CommandsAccepted => AnswersByStatus.Where(a => a.Key.Length == 3 && a.Key[0] == '2').Sum(a => a.Value);
}

/// <summary>
/// Counts what the rule engine did. "Events evaluated" counts forwarded events (once, whatever the number of
/// templates); sensor executions and failures count per template's task. "Rules fired" counts actuator firings;
/// "plug runs" counts the plug executions made for them (every plug's: the sandbox knows no commands); answers are counted by outcome: the HTTP status the plug reported on success (in
/// <c>rawData.status</c>), "ok" for a success without one, "failed" when the plug sent an error or timed out.
/// </summary>
internal sealed class RuleEngineCounters
{
    // The counts, in the shape callers read; Snapshot copies them and adds the maps.
    private readonly RuleEngineSnapshot _counts = new();
    private readonly ConcurrentDictionary<string, long> _answers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ResourceRuleState> _resources = new(StringComparer.Ordinal);

    internal void TaskCreated() => Interlocked.Increment(ref _counts.TasksCreated);

    /// <summary>One forwarded event evaluated (by every template: counted once).</summary>
    internal void EventEvaluated() => Interlocked.Increment(ref _counts.EventsEvaluated);

    /// <summary>One template's task evaluated an event: its sensors' executions and failures, the state it brought.</summary>
    internal void Evaluated(string resource, TaskEvaluation evaluation, string? state, long timestamp)
    {
        Interlocked.Add(ref _counts.SensorExecutions, evaluation.SensorsExecuted);
        Interlocked.Add(ref _counts.SensorFailures, evaluation.SensorsFailed);
        if (state is not null)
        {
            _resources.AddOrUpdate(
                resource,
                _ => new ResourceRuleState(resource, state, null, null, timestamp),
                (_, old) => old with { LastState = state, LastEventTimestamp = timestamp });
        }
    }

    internal void Fired(Actuation actuation)
    {
        Interlocked.Increment(ref _counts.RulesFired);
        Interlocked.Increment(ref _counts.PlugRuns);
        _resources.AddOrUpdate(
            actuation.Resource,
            _ => new ResourceRuleState(actuation.Resource, actuation.State, actuation.Actuator.Label, null, actuation.EventTimestamp),
            (_, old) => old with { LastActuator = actuation.Actuator.Label });
    }

    internal void Answered(Actuation actuation, ActuatorAnswer answer)
    {
        _answers.AddOrUpdate(answer.Outcome, 1, (_, n) => n + 1);
        _resources.AddOrUpdate(
            actuation.Resource,
            _ => new ResourceRuleState(actuation.Resource, actuation.State, actuation.Actuator.Label, answer.Outcome, actuation.EventTimestamp),
            (_, old) => old with { LastAnswer = answer.Outcome });
    }

    public RuleEngineSnapshot Snapshot() => _counts.Snapshot() with
    {
        AnswersByStatus = new Dictionary<string, long>(_answers, StringComparer.Ordinal),
        Resources = new Dictionary<string, ResourceRuleState>(_resources, StringComparer.Ordinal),
    };
}
