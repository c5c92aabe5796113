using System.Globalization;
using System.Text.Json.Nodes;

namespace Queueing.Emulators.Waylay.Rules;

/// <summary>
/// One actuator firing: which task (template + resource) fired which actuator, because of which sensor state and
/// event, with the properties the plug receives as <c>options.requiredProperties</c> (placeholders filled in).
/// </summary>
internal sealed record Actuation(
    string Template,
    string Resource,
    TemplateActuator Actuator,
    string SensorLabel,
    string State,
    long EventTimestamp,
    JsonObject Properties);

/// <summary>
/// What the actuator's execution came back with: success (the plug called <c>send(null, result)</c>) with the HTTP
/// status it reported and its raw data, or failure with the plug's error.
/// </summary>
internal sealed record ActuatorAnswer(bool Succeeded, int? Status, string Body, string? Error = null)
{
    public static ActuatorAnswer Failed(string error) => new(false, null, "", error);

    public static ActuatorAnswer Success(int? status, string body) => new(true, status, body);

    /// <summary>The counter key: the reported status code, "ok" for a success without one, "failed" for a failure.</summary>
    public string Outcome => !Succeeded ? "failed" : Status?.ToString(CultureInfo.InvariantCulture) ?? "ok";
}

/// <summary>Runs an actuator's action. The sandbox's one implementation executes the template's plug under Node.js.</summary>
internal interface IActuator
{
    Task<ActuatorAnswer> InvokeAsync(Actuation actuation, CancellationToken cancellationToken);
}
