using Queueing.Local.Waylay.Rules;

namespace Queueing.Local.Waylay.Webscripts;

/// <summary>
/// The <c>webscriptActuator</c>: POSTs the firing's body to the webscript the actuator names, with an
/// <c>Idempotency-Key</c> header derived from the firing (send-command.js passes it on to the command API).
/// </summary>
public sealed class WebscriptActuator(WebscriptHost host) : IActuator
{
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    public async Task<ActuatorAnswer> InvokeAsync(Actuation actuation, CancellationToken cancellationToken)
    {
        try
        {
            var answer = await host.InvokeAsync(
                actuation.Actuator.Webscript,
                actuation.Body,
                new Dictionary<string, string> { [IdempotencyKeyHeader] = actuation.IdempotencyKey },
                cancellationToken);
            return new ActuatorAnswer(answer.Status, answer.Body);
        }
        catch (HttpRequestException ex)
        {
            var why = host.HasExited ? $"the webscript host has exited:\n{host.RecentOutput}" : ex.Message;
            return ActuatorAnswer.Failed($"calling webscript {actuation.Actuator.Webscript} failed: {why}");
        }
    }
}
