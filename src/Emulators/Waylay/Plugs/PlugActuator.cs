using System.Text.Json;
using System.Text.Json.Nodes;
using Queueing.Emulators.Waylay.Rules;

namespace Queueing.Emulators.Waylay.Plugs;

/// <summary>
/// Runs an actuation with the plug the template's actuator names, under Node.js. The answer's status is the HTTP
/// status the plug reports in <c>rawData.status</c> when it succeeded (a plug that calls an HTTP API reports that
/// API's answer); a plug that sent an error has none, and its error is the plug's message.
/// </summary>
internal sealed class PlugActuator(PlugHost host) : IActuator
{
    public async Task<ActuatorAnswer> InvokeAsync(Actuation actuation, CancellationToken cancellationToken)
    {
        try
        {
            var result = await host.ExecuteAsync(
                actuation.Actuator.Plugin, actuation.Actuator.Version, actuation.Properties, actuation.Resource, cancellationToken);
            if (!result.Result)
            {
                return ActuatorAnswer.Failed(result.Error ?? "the plug failed without a message");
            }

            int? status = result.RawData?["status"] is JsonValue s && s.GetValueKind() == JsonValueKind.Number && s.TryGetValue<int>(out var code)
                ? code
                : null;
            return ActuatorAnswer.Success(status, result.RawData?.ToJsonString() ?? "{}");
        }
        catch (HttpRequestException ex)
        {
            var why = host.HasExited ? $"the plug host has exited:\n{host.RecentOutput}" : ex.Message;
            return ActuatorAnswer.Failed($"executing plug {actuation.Actuator.Plugin} {actuation.Actuator.Version} failed: {why}");
        }
    }
}
