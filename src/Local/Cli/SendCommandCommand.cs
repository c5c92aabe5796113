using System.CommandLine;
using System.Text.Json;
using Queueing.Local.Commands;

namespace Queueing.Local.Cli;

/// <summary><c>send-command</c>: a signed command to a command API (the one <c>up</c> runs, or a deployed one), by hand.</summary>
internal static class SendCommandCommand
{
    public const string Name = "send-command";

    public static Command Create(CliContext cli)
    {
        var url = new Option<Uri?>("--url")
        {
            Description = "The command API's POST /commands URL (up prints it at start-up).",
            Required = true,
            CustomParser = result => Urls.Parse(result, "--url"),
        };
        var device = new Option<string>("--device") { Description = "The device id (thing name).", Required = true };
        var payload = new Option<string>("--payload")
        {
            Description = "The command payload, JSON; the device receives it as is.",
            DefaultValueFactory = _ => """{"lightStatus":"on"}""",
        };
        var ttl = new Option<int?>("--ttl") { Description = "ttlSeconds: after this the command is never published (default: the API's)." };
        var qos = new Option<int?>("--qos") { Description = "MQTT QoS of the publish to the device, 0 or 1 (default 1)." };
        var key = new Option<string?>("--idempotency-key") { Description = "Idempotency-Key: the same key and body within 5 minutes is the same command." };
        var secret = SharedOptions.SigningSecretOption("The shared secret (default: the local stack's).");
        var command = new Command(Name, "Send a command to a device through the command API, signed as docs/commands.md says (HMAC-SHA256 over " +
            "timestamp, method, path, Idempotency-Key and body). Prints the API's answer on stdout (a 202 carries the commandId). " +
            "Exit codes: 0 accepted (202), 1 refused (the status and problem are printed), 2 usage, 3 the API did not answer.")
        {
            url, device, payload, ttl, qos, key, secret,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var request = new CommandRequest
            {
                Url = parse.GetValue(url)!,
                DeviceId = parse.GetRequiredValue(device),
                Payload = parse.GetRequiredValue(payload),
                TtlSeconds = parse.GetValue(ttl),
                Qos = parse.GetValue(qos),
                IdempotencyKey = parse.GetValue(key),
                SigningSecret = parse.GetRequiredValue(secret),
            };
            try
            {
                using var _ = JsonDocument.Parse(request.Payload);
            }
            catch (JsonException ex)
            {
                await cli.Error.WriteLineAsync($"--payload must be JSON: {ex.Message}".AsMemory(), cancellationToken);
                return ExitCodes.Usage;
            }

            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            CommandAnswer answer;
            try
            {
                answer = await new CommandClient(http, cli.Time).SendAsync(request, cancellationToken);
            }
            catch (HttpRequestException ex)
            {
                await cli.Error.WriteLineAsync($"The command API at {request.Url} did not answer: {ex.Message}".AsMemory(), cancellationToken);
                return ExitCodes.Environment;
            }

            await cli.Error.WriteLineAsync($"HTTP {answer.Status}".AsMemory(), cancellationToken);
            await cli.Out.WriteLineAsync(answer.Body.AsMemory(), cancellationToken);
            return answer.Accepted ? ExitCodes.Success : ExitCodes.FunctionFailed;
        });
        return command;
    }
}
