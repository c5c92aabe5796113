using System.Globalization;
using Queueing.Local.Aws;
using Queueing.Local.Devices;

namespace Queueing.Local.Up;

/// <summary>
/// What a device or caller outside the tool needs to join the running loop, printed by <c>up</c> at start-up:
/// the broker, the client id rule, the topics, mosquitto command lines and a signed command (docs/local.md).
/// </summary>
internal static class OutsideClients
{
    public const string ExampleThing = "lamp-88";

    public static IReadOnlyList<string> Lines(EmulatedStack stack, LocalSecrets secrets)
    {
        var host = stack.Broker.Host;
        var port = stack.Broker.Port.ToString(CultureInfo.InvariantCulture);
        var telemetry = stack.TelemetryTopicTemplate.Replace("{deviceId}", ExampleThing, StringComparison.Ordinal);
        var commands = stack.CommandTopicTemplate.Replace("{deviceId}", ExampleThing, StringComparison.Ordinal);
        var above = (int)new LightSignal().Threshold + 70;
        var mqtt = $"-V mqttv5 -h {host} -p {port} -i {ExampleThing} -q 1";
        var (telemetryArg, commandsArg) = (ShellWord(telemetry), ShellWord(commands));
        var secret = secrets.CommandSigningSecret == new LocalSecrets().CommandSigningSecret ? string.Empty : $" --signing-secret '{secrets.CommandSigningSecret}'";
        return
        [
            "Your own device or caller (docs/local.md, \"Bring your own device\"):",
            $"  MQTT       {stack.Broker.Address} (MQTT 3.1.1 or 5, no TLS); the client id is the thing name, e.g. {ExampleThing}",
            $"  telemetry  {stack.TelemetryTopicTemplate}, e.g. {telemetry} with {{\"lightValue\":{above}}} (the light rule fires when a value crosses {new LightSignal().Threshold:0})",
            $"  commands   {stack.CommandTopicTemplate}, e.g. {commands} (QoS 1; MQTT 5 user property commandId)",
            $"  the loop, one client:  mosquitto_rr {mqtt} -t {telemetryArg} -e {commandsArg} -m '{{\"lightValue\":{above}}}' -W 30",
            $"  watch its commands:    mosquitto_sub {mqtt} -t {commandsArg} -F '%t %p'",
            $"  publish telemetry:     mosquitto_pub {mqtt} -t {telemetryArg} -m '{{\"lightValue\":{above}}}'",
            "  (one connection per client id: a second client with the same id takes the first one's place)",
            $"  send a signed command: dotnet run --project src/Local -- send-command --url {stack.CommandApiUrl} --device {ExampleThing} --payload '{{\"lightStatus\":\"on\"}}'{secret}",
        ];
    }

    /// <summary>A topic as one shell word: a Basic Ingest topic starts with <c>$aws</c>, which a shell would expand.</summary>
    private static string ShellWord(string topic) => topic.Contains('$', StringComparison.Ordinal) ? $"'{topic}'" : topic;
}
