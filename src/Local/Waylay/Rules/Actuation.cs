namespace Queueing.Local.Waylay.Rules;

/// <summary>
/// One actuator firing: which task (template + resource) fired which actuator, because of which sensor state and
/// event, with the body to post to the webscript. <see cref="IdempotencyKey"/> is derived from the firing, so the
/// same event forwarded twice (a retried ingest) produces the same key and the command API accepts it once.
/// </summary>
public sealed record Actuation(
    string Template,
    string Resource,
    TemplateActuator Actuator,
    string SensorLabel,
    string State,
    long EventTimestamp,
    string Body,
    string IdempotencyKey);

/// <summary>What the actuator's call came back with: the HTTP status (null when there was no answer) and body.</summary>
public sealed record ActuatorAnswer(int? Status, string Body, string? Error = null)
{
    public static ActuatorAnswer Failed(string error) => new(null, "", error);

    /// <summary>The counter key: the status code, or "error" when the call got no answer.</summary>
    public string Outcome => Status?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "error";
}

/// <summary>Runs an actuator's action. The sandbox's one implementation calls the webscript under Node.js.</summary>
public interface IActuator
{
    Task<ActuatorAnswer> InvokeAsync(Actuation actuation, CancellationToken cancellationToken);
}
