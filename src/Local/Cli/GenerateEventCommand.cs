using System.CommandLine;
using Queueing.Local.Events;

namespace Queueing.Local.Cli;

/// <summary><c>generate-event sqs|http</c>: sample events for <c>invoke</c>, like <c>sam local generate-event</c>.</summary>
internal static class GenerateEventCommand
{
    public static Command Create(CliContext cli)
    {
        var command = new Command("generate-event", "Print a sample event (JSON) for invoke, like `sam local generate-event`, with this project's message shapes.");
        command.Subcommands.Add(Sqs(cli));
        command.Subcommands.Add(Http(cli));
        return command;
    }

    private static Command Sqs(CliContext cli)
    {
        var body = new Option<string?>("--body")
        {
            Description = "The device's JSON payload (telemetry; the IoT rule's deviceId and receivedAt are added), or with --fifo the command payload. Default: a sample.",
        };
        var raw = new Option<bool>("--raw") { Description = "Use --body as the SQS message body as is (e.g. to make malformed records)." };
        var device = new Option<string>("--device") { Description = "The device id (from the topic devices/{id}/telemetry).", DefaultValueFactory = _ => "lamp-1" };
        var count = new Option<int>("--count") { Description = "How many records.", DefaultValueFactory = _ => 1 };
        count.Validators.Add(result =>
        {
            // A value that is no int is System.CommandLine's usage error ("Cannot parse argument ..."); reading it would throw.
            if (result.Tokens is [var token] && !int.TryParse(token.Value, out _))
            {
                return;
            }

            if (result.GetValueOrDefault<int>() is < 1 or > 10_000)
            {
                result.AddError("--count must be from 1 to 10000.");
            }
        });
        var queueName = new Option<string?>("--queue-name") { Description = $"The source queue's name in eventSourceARN. Default: {QueueingApplication.IngestQueueName} ({QueueingApplication.CommandQueueName} with --fifo)." };
        var fifo = new Option<bool>("--fifo") { Description = "A FIFO queue event carrying command messages (CommandQueue.fifo): group id = device, Queueing.* attributes." };
        var legacyTopic = new Option<string?>("--legacy-topic")
        {
            Description = "Telemetry as LegacyTelemetryRule writes it for a message on this legacy topic: clientId = --device, the payload " +
                "(--body, any bytes; default an envelope {\"deviceID\",\"data\"}) in base64.",
        };
        var ack = new Option<bool>("--ack")
        {
            Description = "A device's command acknowledgement as CommandAckRule writes it (commandEvent \"ack\", the payload in base64): " +
                "--body is the device's ack payload (default {\"commandId\",\"status\":\"done\",\"acceptedAt\"}).",
        };
        var commandStatus = new Option<string?>("--command-status")
        {
            Description = "A status message the command publisher sends: published, ackDue, expired, rejected or undelivered; " +
                "--body is its detail (default: a sample reason for expired, rejected, undelivered).",
        };
        var commandId = new Option<string?>("--command-id") { Description = "The command id of --ack's default payload or of --command-status. Default: a new one per record." };
        var command = new Command("sqs", "An SQS event as Lambda's event source delivers it: telemetry messages as the IoT rule writes them, " +
            "command acknowledgements (--ack) or status messages (--command-status) as they reach IngestQueue, or command messages with --fifo.")
        {
            body, raw, device, count, queueName, fifo, legacyTopic, ack, commandStatus, commandId,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var options = new SqsEventOptions
            {
                Body = parse.GetValue(body),
                Raw = parse.GetValue(raw),
                Device = parse.GetRequiredValue(device),
                Count = parse.GetValue(count),
                QueueName = parse.GetValue(queueName),
                Fifo = parse.GetValue(fifo),
                LegacyTopic = parse.GetValue(legacyTopic),
                Ack = parse.GetValue(ack),
                CommandStatus = parse.GetValue(commandStatus),
                CommandId = parse.GetValue(commandId),
            };
            try
            {
                await cli.Out.WriteLineAsync(EventJson.Serialize(new SqsEventGenerator(cli.Time).Generate(options)).AsMemory(), cancellationToken);
                return ExitCodes.Success;
            }
            catch (FormatException ex)
            {
                await cli.Error.WriteLineAsync(ex.Message.AsMemory(), cancellationToken);
                return ExitCodes.Usage;
            }
        });
        return command;
    }

    private static Command Http(CliContext cli)
    {
        var path = new Option<string>("--path") { Description = "The request path (a query string is allowed).", DefaultValueFactory = _ => QueueingApplication.CommandsPath };
        var method = new Option<string>("--method") { Description = "The HTTP method.", DefaultValueFactory = _ => "POST" };
        var body = new Option<string?>("--body") { Description = "The request body. Default for POST/PUT/PATCH: a sample command request." };
        var headers = new Option<string[]>("--header")
        {
            Description = "A request header, name=value; repeat for several.",
            AllowMultipleArgumentsPerToken = false,
        };
        var sign = new Option<bool>("--sign")
        {
            Description = "Add X-Queueing-Timestamp (now) and X-Queueing-Signature for the body, as the command API checks them (docs/commands.md).",
        };
        var signingSecret = SharedOptions.SigningSecretOption("The shared secret --sign uses (the local stack's default is what invoke stores in SSM).");
        var command = new Command("http", "An HTTP API (payload format 2.0) request event, as API Gateway sends it to Lambda. " +
            "With --sign it is a command request the command API accepts within 5 minutes.")
        {
            path, method, body, headers, sign, signingSecret,
        };
        // A UsageException (a bad --header, say) is LocalCli's to report: its message, exit code 2.
        command.SetAction(async (parse, cancellationToken) =>
        {
            var options = new HttpEventOptions
            {
                Path = parse.GetRequiredValue(path),
                Method = parse.GetRequiredValue(method),
                Body = parse.GetValue(body),
                Headers = [.. (parse.GetValue(headers) ?? []).Select(ParseHeader)],
                SigningSecret = parse.GetValue(sign) ? parse.GetRequiredValue(signingSecret) : null,
            };
            await cli.Out.WriteLineAsync(EventJson.Serialize(new HttpEventGenerator(cli.Time).Generate(options)).AsMemory(), cancellationToken);
            return ExitCodes.Success;
        });
        return command;
    }

    private static KeyValuePair<string, string> ParseHeader(string header)
    {
        var equals = header.IndexOf('=', StringComparison.Ordinal);
        return equals > 0
            ? new(header[..equals].Trim(), header[(equals + 1)..])
            : throw new UsageException($"--header takes name=value, got '{header}'.");
    }
}
