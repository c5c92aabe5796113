namespace Queueing.Emulators.Waylay.Rules;

/// <summary>
/// A Waylay rule template the sandbox can run, as loaded from <c>waylay/templates/*.json</c>. The sandbox runs it
/// as a reactive task per resource (created when the first event for that resource is forwarded), its streaming
/// data sensors bound to the task's resource (<c>"resource": "$"</c>). <see cref="ResetObservations"/> is the task's
/// <c>resetObservations</c> (from <c>taskDefaults</c>; the rules OpenAPI's default is true): whether the sensors'
/// observations are cleared before each invocation, in which case a state change trigger sees no previous state.
/// </summary>
public sealed record TaskTemplate(
    string Name,
    string Source,
    IReadOnlyList<StreamingDataSensor> Sensors,
    IReadOnlyList<TemplateActuator> Actuators,
    IReadOnlyList<TemplateTrigger> Triggers,
    bool ResetObservations = true)
{
    private readonly Dictionary<string, int> _graphOf = Graphs(Sensors, Actuators, Triggers);

    /// <summary>
    /// Whether two nodes are in the same graph (connected through triggers). Waylay evaluates, after a sensor
    /// executed, the actuators of that sensor's graph only: independent graphs in one task do not fire each other.
    /// </summary>
    public bool SameGraph(string label, string otherLabel) => _graphOf[label] == _graphOf[otherLabel];

    private static Dictionary<string, int> Graphs(
        IReadOnlyList<StreamingDataSensor> sensors, IReadOnlyList<TemplateActuator> actuators, IReadOnlyList<TemplateTrigger> triggers)
    {
        var parent = sensors.Select(s => s.Label).Concat(actuators.Select(a => a.Label)).ToDictionary(l => l, l => l, StringComparer.Ordinal);
        string Root(string label) => parent[label] == label ? label : parent[label] = Root(parent[label]);
        foreach (var trigger in triggers)
        {
            parent[Root(trigger.SourceLabel)] = Root(trigger.DestinationLabel);
        }

        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        var roots = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var label in parent.Keys.ToArray())
        {
            var root = Root(label);
            if (!roots.TryGetValue(root, out var id))
            {
                roots[root] = id = roots.Count;
            }

            ids[label] = id;
        }

        return ids;
    }
}
