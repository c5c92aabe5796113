using System.Text.Json;
using System.Text.Json.Nodes;

namespace Queueing.Emulators.Waylay.Rules;

public static partial class TemplateLoader
{
    private static TemplateTrigger? ParseTrigger(
        JsonObject node, int index, List<StreamingDataSensor> sensors, List<TemplateActuator> actuators, Action<string> problem)
    {
        var source = Text(node, "sourceLabel");
        var destination = Text(node, "destinationLabel");
        var where = $"trigger #{index} ({source ?? "?"} -> {destination ?? "?"})";
        void Problem(string message) => problem($"{where}: {message}");

        Unknown(node, TriggerKeys, where, problem);
        if (node["invocationPolicy"] is not null)
        {
            // Listed apart from the unknown keys to say why.
            Problem("invocationPolicy is not supported by the sandbox (it would change how often the actuator fires).");
        }

        if (source is null || sensors.All(s => s.Label != source))
        {
            Problem($"sourceLabel '{source}' is not a sensor of the template{(actuators.Any(a => a.Label == source) ? " (actuators cannot trigger)" : "")}.");
            return null;
        }

        if (destination is null || actuators.All(a => a.Label != destination))
        {
            Problem($"destinationLabel '{destination}' is not an actuator of the template{(sensors.Any(s => s.Label == destination) ? " (sensor-to-sensor triggers, i.e. conditional execution, are not supported)" : "")}.");
            return null;
        }

        var states = node["statesTrigger"];
        var change = node["stateChangeTrigger"];
        if (states is not null && change is not null)
        {
            Problem("has both statesTrigger and stateChangeTrigger: write them as two triggers.");
            return null;
        }

        if (states is not null)
        {
            var list = (states as JsonArray)?.Select(s => s?.GetValueKind() == JsonValueKind.String ? s.GetValue<string>() : null).ToList();
            if (list is null || list.Count == 0 || list.Any(s => s is null))
            {
                Problem($"statesTrigger {states.ToJsonString()} must be a non-empty array of states.");
                return null;
            }

            foreach (var state in list.Where(s => !SensorStates.All.Contains(s!, StringComparer.Ordinal)))
            {
                Problem($"statesTrigger state '{state}' is not a state of {StreamingDataSensor.PluginName} ({string.Join(", ", SensorStates.All)}).");
            }

            return new StatesTrigger(source, destination, list!);
        }

        if (change is not null)
        {
            var from = change is JsonObject o ? Text(o, "stateFrom") : null;
            var to = change is JsonObject p ? Text(p, "stateTo") : null;
            if (change is JsonObject c)
            {
                Unknown(c, ["stateFrom", "stateTo"], $"{where} stateChangeTrigger", problem);
            }

            foreach (var (name, state) in new[] { ("stateFrom", from), ("stateTo", to) })
            {
                if (state is null || (state != SensorStates.Any && !SensorStates.All.Contains(state, StringComparer.Ordinal)))
                {
                    Problem($"stateChangeTrigger.{name} '{state}' must be one of {string.Join(", ", SensorStates.All)} or *.");
                }
            }

            return from is not null && to is not null ? new StateChangeTrigger(source, destination, from, to) : null;
        }

        return new ExecutionTrigger(source, destination);
    }
}
