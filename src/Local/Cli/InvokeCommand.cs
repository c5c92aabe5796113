using System.CommandLine;
using Queueing.Local.Invoke;

namespace Queueing.Local.Cli;

/// <summary><c>invoke</c>: its options and how they become an <see cref="InvokeRequest"/>.</summary>
internal static class InvokeCommand
{
    public static Command Create(CliContext cli, SharedOptions shared)
    {
        var logicalId = new Argument<string>("LogicalId") { Description = "The function's logical id in the template, e.g. IngestFunction." };
        var eventFile = new Option<string>("--event", "-e")
        {
            Description = "The event: a JSON file, or - to read it from stdin (see generate-event).",
            Required = true,
        };
        var envVars = new Option<string?>("--env-vars", "-n")
        {
            Description = "JSON overriding the function's environment, as for sam local invoke: " +
                "{\"IngestFunction\": {\"VAR\": \"value\"}, \"Parameters\": {\"VAR\": \"value\"}}. Only variables the template declares are set.",
        };
        var waylayUrl = new Option<Uri?>("--waylay-url")
        {
            Description = "Sets WAYLAY_DATA_URL for functions that declare it (default: what the template and --env-vars say).",
            CustomParser = result => Urls.Parse(result, "--waylay-url"),
        };

        var iotEndpoint = new Option<Uri?>("--iot-endpoint")
        {
            Description = "Sets IOT_DATA_ENDPOINT for functions that declare it (the template's IotDataEndpoint has no default; locally it is an unresolvable placeholder unless given).",
            CustomParser = result => Urls.Parse(result, "--iot-endpoint"),
        };

        var command = new Command("invoke", "Invoke one function once with an event, like `sam local invoke`, without Docker: " +
            "builds it, starts the local AWS (moto) with the template's queues and secrets, runs its executable under the emulated " +
            "Lambda Runtime API. The response (or error document) goes to stdout, the function's logs to stderr. " +
            "Exit codes: 0 returned, 1 function error/timeout/init failure, 2 usage or template error, 3 build or local AWS failure, 130 interrupted (Ctrl+C).")
        {
            logicalId, eventFile, envVars, waylayUrl, iotEndpoint,
        };
        shared.AddTo(command);
        command.SetAction((parse, cancellationToken) => new LocalInvoke(cli).RunAsync(
            shared.Fill(parse, new InvokeRequest
            {
                LogicalId = parse.GetRequiredValue(logicalId),
                Event = parse.GetRequiredValue(eventFile),
                EnvVarsFile = parse.GetValue(envVars),
                WaylayUrl = parse.GetValue(waylayUrl),
                IotEndpoint = parse.GetValue(iotEndpoint),
            }),
            cancellationToken));
        return command;
    }
}
