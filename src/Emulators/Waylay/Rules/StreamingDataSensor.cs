using System.Globalization;
using System.Text.Json;

namespace Queueing.Emulators.Waylay.Rules;

/// <summary>One execution's result: the state and the raw data the plugin publishes (<c>parameter</c>, <c>threshold</c>).</summary>
public sealed record SensorObservation(string State, double Value, double Threshold);

/// <summary>
/// Waylay's <c>streamingDataSensor</c> as the task's data trigger runs it: on each event of its resource it reads
/// the property named by <c>parameter</c> and compares it with <c>threshold</c>: greater is <c>Above</c>, smaller
/// <c>Below</c>, equal <c>Equal</c>. An event without that property, or with a value that is not a number (a numeric
/// string counts as a number, as the plugin reads values as doubles), is a failed execution: no new state, and no
/// trigger is evaluated. <see cref="EvictionTime"/> is the node's eviction time: after it the state is unknown again.
/// </summary>
public sealed record StreamingDataSensor(string Label, string Parameter, double Threshold, TimeSpan? EvictionTime)
{
    public const string PluginName = "streamingDataSensor";

    /// <summary>
    /// The versions Waylay's documentation uses (1.1.0 in the Google Cloud IoT integration guide, 1.1.1 in the Azure
    /// IoT guide); no other version is documented, so the sandbox emulates these only.
    /// </summary>
    public static IReadOnlyList<string> DocumentedVersions { get; } = ["1.1.0", "1.1.1"];

    public SensorObservation? Observe(JsonElement message)
    {
        if (!message.TryGetProperty(Parameter, out var property))
        {
            return null;
        }

        double value;
        switch (property.ValueKind)
        {
            case JsonValueKind.Number when property.TryGetDouble(out value) && double.IsFinite(value):
                break;
            case JsonValueKind.String when double.TryParse(property.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out value)
                && double.IsFinite(value):
                break;
            default:
                return null;
        }

        var state = value > Threshold ? SensorStates.Above : value < Threshold ? SensorStates.Below : SensorStates.Equal;
        return new SensorObservation(state, value, Threshold);
    }
}
