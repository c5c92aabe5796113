namespace Queueing.Emulators.Waylay.Rules;

/// <summary>
/// A trigger wiring a sensor to an actuator, with Waylay's three kinds: a states trigger fires at every evaluation
/// while the sensor is in one of its states, whatever the previous state; a state change trigger fires when the state
/// went from <c>From</c> to <c>To</c> (<c>*</c> = any other state, and "not known yet" counts as a change); an
/// execution trigger fires on every successful execution of the sensor.
/// </summary>
public abstract record TemplateTrigger(string SourceLabel, string DestinationLabel)
{
    /// <param name="previous">The sensor's state before this evaluation; null when not known (first observation, evicted).</param>
    /// <param name="current">The sensor's state now; null when not known.</param>
    /// <param name="executedNow">True when this sensor is the one that just executed.</param>
    public abstract bool Fires(string? previous, string? current, bool executedNow);
}

internal sealed record StatesTrigger(string SourceLabel, string DestinationLabel, IReadOnlyList<string> States)
    : TemplateTrigger(SourceLabel, DestinationLabel)
{
    public override bool Fires(string? previous, string? current, bool executedNow) =>
        current is not null && States.Contains(current, StringComparer.Ordinal);
}

internal sealed record StateChangeTrigger(string SourceLabel, string DestinationLabel, string From, string To)
    : TemplateTrigger(SourceLabel, DestinationLabel)
{
    public override bool Fires(string? previous, string? current, bool executedNow)
    {
        // A state change happens only when the source itself executes.
        if (!executedNow || current is null || previous == current)
        {
            return false;
        }

        var fromMatches = From == SensorStates.Any || previous == From;
        var toMatches = To == SensorStates.Any || current == To;
        return fromMatches && toMatches;
    }
}

internal sealed record ExecutionTrigger(string SourceLabel, string DestinationLabel) : TemplateTrigger(SourceLabel, DestinationLabel)
{
    public override bool Fires(string? previous, string? current, bool executedNow) => executedNow;
}
