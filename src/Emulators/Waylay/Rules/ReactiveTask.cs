using Queueing.Emulators.Waylay.Broker;

namespace Queueing.Emulators.Waylay.Rules;

/// <summary>
/// A reactive task: <see cref="Template"/> run for one <see cref="Resource"/>. Holds the sensors' last states and
/// decides, for each event of its resource, which actuators fire. Not thread-safe: the engine feeds one task from
/// one loop, in the order the broker forwarded the events.
/// </summary>
/// <remarks>
/// Evaluation follows Waylay's: each sensor executes on the event (data trigger); after each successful execution
/// the triggers of that sensor's graph are evaluated, and an actuator fires once if any of its triggers holds. A
/// failed execution (the event lacks the parameter) changes no state and fires nothing.
/// </remarks>
internal sealed class ReactiveTask(TaskTemplate template, string resource)
{
    private readonly Dictionary<string, (SensorObservation Observation, DateTimeOffset At)> _observed = new(StringComparer.Ordinal);

    public TaskTemplate Template { get; } = template;

    public string Resource { get; } = resource;

    /// <summary>The state of a sensor now, null when not known (never observed, or evicted).</summary>
    public string? StateOf(string sensorLabel, DateTimeOffset now)
    {
        if (!_observed.TryGetValue(sensorLabel, out var last))
        {
            return null;
        }

        var sensor = Template.Sensors.First(s => s.Label == sensorLabel);
        return sensor.EvictionTime is { } eviction && now - last.At >= eviction ? null : last.Observation.State;
    }

    /// <returns>The actuations to run, in firing order, and how many sensors executed and failed.</returns>
    public TaskEvaluation Evaluate(BrokerEvent message, DateTimeOffset now)
    {
        if (Template.ResetObservations)
        {
            // resetObservations: every invocation starts without the previous observations.
            _observed.Clear();
        }

        var actuations = new List<Actuation>();
        var executed = 0;
        var failed = 0;
        foreach (var sensor in Template.Sensors)
        {
            var observation = sensor.Observe(message.Json);
            if (observation is null)
            {
                failed++;
                continue;
            }

            executed++;
            var previous = StateOf(sensor.Label, now);
            _observed[sensor.Label] = (observation, now);

            var firing = new HashSet<string>(StringComparer.Ordinal);
            foreach (var trigger in Template.Triggers)
            {
                if (!Template.SameGraph(trigger.SourceLabel, sensor.Label) || firing.Contains(trigger.DestinationLabel))
                {
                    continue;
                }

                var self = trigger.SourceLabel == sensor.Label;
                var before = self ? previous : StateOf(trigger.SourceLabel, now);
                var after = self ? observation.State : before;
                if (trigger.Fires(before, after, executedNow: self))
                {
                    firing.Add(trigger.DestinationLabel);
                }
            }

            var observations = _observed.ToDictionary(o => o.Key, o => o.Value.Observation, StringComparer.Ordinal);
            foreach (var actuator in Template.Actuators.Where(a => firing.Contains(a.Label)))
            {
                actuations.Add(new Actuation(
                    Template.Name,
                    Resource,
                    actuator,
                    sensor.Label,
                    observation.State,
                    message.Timestamp,
                    actuator.RenderProperties(Resource, observations)));
            }
        }

        return new TaskEvaluation(actuations, executed, failed);
    }
}

/// <summary>The outcome of one event for one task.</summary>
internal sealed record TaskEvaluation(IReadOnlyList<Actuation> Actuations, int SensorsExecuted, int SensorsFailed);
