using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using Queueing.Emulators.Waylay.Faults;
using Queueing.Local.Devices;
using Queueing.Local.Up;

namespace Queueing.Local.Cli;

/// <summary><c>up</c> (the default command): the whole closed loop on this machine.</summary>
internal static class UpCommand
{
    public const string Name = "up";

    public static Command Create(CliContext cli, SharedOptions shared)
    {
        var devices = new Option<int>("--devices") { Description = "Simulated devices (device-001, ...), each an MQTT client publishing telemetry and subscribing to its commands.", DefaultValueFactory = _ => 5 };
        var legacyDevices = new Option<int>("--legacy-devices")
        {
            Description = "Simulated devices of the replaced setup (legacy-001, ...): they publish {\"deviceID\",\"data\"} envelopes on the template's " +
                "legacy topic (pass --parameter-overrides LegacyTelemetryTopicFilter=<topic>) and subscribe to their commands like the others.",
        };
        var interval = new Option<TimeSpan>("--interval")
        {
            Description = "Time between two telemetry messages of one device (e.g. 1s, 200ms, 0).",
            DefaultValueFactory = _ => TimeSpan.FromSeconds(1),
            CustomParser = result => Duration(result, "--interval", allowZero: true),
        };
        var messages = new Option<int?>("--messages") { Description = "Bounded run: every device sends this many messages, then the stack drains, prints the summary and exits (non-zero if anything was lost)." };
        var duration = new Option<TimeSpan?>("--duration")
        {
            Description = "Bounded run: devices publish for this long (e.g. 30s, 2m), then the stack drains, prints the summary and exits.",
            CustomParser = result => Duration(result, "--duration", allowZero: false),
        };
        var concurrency = new Option<int>("--concurrency") { Description = "Execution environments (warm processes) per function.", DefaultValueFactory = _ => 1 };
        var failRate = new Option<double>("--waylay-fail-rate") { Description = "Fraction (0-1) of Waylay broker requests answered 500/503." };
        var throttleRate = new Option<double>("--waylay-throttle-rate") { Description = "Fraction (0-1) of Waylay broker requests answered 429 with Retry-After." };
        var latency = new Option<LatencyRange>("--waylay-latency")
        {
            Description = "Latency added to every Waylay broker answer: 200ms, 1s or a range 50ms-300ms.",
            CustomParser = result =>
            {
                if (LatencyRange.TryParse(result.Tokens.Count > 0 ? result.Tokens[0].Value : null, out var range, out var problem))
                {
                    return range;
                }

                result.AddError("--waylay-latency: " + problem);
                return LatencyRange.Zero;
            },
        };
        var ackFailureRate = new Option<double>("--ack-failure-rate")
        {
            Description = "Fraction (0-1) of commands the simulated devices acknowledge with status failed (and a detail) instead of done. " +
                "Each device draws from a generator seeded from its index, so a run's answers repeat.",
        };
        var ackSilenceRate = new Option<double>("--ack-silence-rate") { Description = "Fraction (0-1) of commands the simulated devices do not acknowledge at all." };
        var seed = new Option<int?>("--waylay-seed") { Description = "Seed of the fault injection, so a run's faults repeat." };
        var retryDelay = new Option<TimeSpan?>("--retry-delay")
        {
            Description = "How long a message a function reported as failed stays invisible before it is retried (default 20s, " +
                "longer than the ingest function's circuit break; 'queue' keeps the queue's VisibilityTimeout as Lambda does).",
            DefaultValueFactory = _ => UpOptions.DefaultRetryDelay,
            CustomParser = result => result.Tokens.Count > 0 && result.Tokens[0].Value == "queue" ? null : Duration(result, "--retry-delay", allowZero: true),
        };
        var drainTimeout = new Option<TimeSpan>("--drain-timeout")
        {
            Description = "Bounded run: how long to wait after the devices stop for every message to be delivered or dead-lettered.",
            DefaultValueFactory = _ => TimeSpan.FromSeconds(120),
            CustomParser = result => Duration(result, "--drain-timeout", allowZero: false),
        };
        var plain = new Option<bool>("--plain") { Description = "A status line every few seconds instead of the live view (the default when stdout is not a terminal)." };
        var json = new Option<bool>("--json")
        {
            Description = "At the end, print the run's figures as one JSON object on stdout (books, loop latency percentiles, ingest " +
                "invocations per 1,000 messages, outcome); the summary goes to stderr and the view is --plain.",
        };
        var logFile = new Option<string?>("--log-file") { Description = "Where the functions' and the stack's logs go (default: a file in the temp folder, named at start)." };

        var command = new Command(Name, "The default command: the whole closed loop on this machine, from serverless.template, with the real function executables. " +
            "moto (SQS, SSM), a local IoT Core (MQTT broker, the template's topic rules, the IoT Data endpoint), the HTTP API, the Waylay sandbox " +
            "(broker API and the rules of waylay/templates, whose actuators run the plugs of waylay/plugins under Node.js), SQS pollers as Lambda's event " +
            "source mappings, and simulated devices. Shows a live view; --messages or --duration make a bounded run that ends with a summary " +
            "('sent N, delivered D, dead-lettered L, lost X' per flow). Exit codes: 0 nothing lost, 1 something lost or a function failed its init, " +
            "2 usage or template error, 3 build, local AWS or Node.js failure, 130 interrupted.")
        {
            devices, legacyDevices, interval, messages, duration, concurrency, failRate, throttleRate, latency, seed, ackFailureRate, ackSilenceRate, retryDelay, drainTimeout, plain, json, logFile,
        };
        shared.AddTo(command);
        command.SetAction((parse, cancellationToken) => new UpRun(cli).RunAsync(
            shared.Fill(parse, new UpOptions
            {
                Devices = parse.GetValue(devices),
                LegacyDevices = parse.GetValue(legacyDevices),
                Interval = parse.GetValue(interval),
                MessagesPerDevice = parse.GetValue(messages),
                Duration = parse.GetValue(duration),
                Concurrency = parse.GetValue(concurrency),
                WaylayFaults = new WaylayFaultOptions
                {
                    FailRate = parse.GetValue(failRate),
                    ThrottleRate = parse.GetValue(throttleRate),
                    Latency = parse.GetValue(latency),
                    Seed = parse.GetValue(seed),
                },
                Acks = new AckBehaviour(parse.GetValue(ackFailureRate), parse.GetValue(ackSilenceRate)),
                RetryDelay = parse.GetValue(retryDelay),
                DrainTimeout = parse.GetValue(drainTimeout),
                View = parse.GetValue(plain) || parse.GetValue(json) || !cli.Interactive ? UpView.Plain : UpView.Live,
                Json = parse.GetValue(json),
                LogFile = parse.GetValue(logFile),
            }),
            cancellationToken));
        return command;
    }

    /// <summary>Parses <c>N</c> (seconds), <c>Nms</c>, <c>Ns</c>, <c>Nm</c>.</summary>
    internal static TimeSpan Duration(ArgumentResult result, string option, bool allowZero)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value.Trim() : string.Empty;
        var (number, scale) = text.EndsWith("ms", StringComparison.Ordinal) ? (text[..^2], 0.001)
            : text.EndsWith('s') ? (text[..^1], 1.0)
            : text.EndsWith('m') ? (text[..^1], 60.0)
            : (text, 1.0);
        if (double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            && !double.IsNaN(value) && !double.IsInfinity(value) && (value > 0 || (allowZero && value == 0)) && value * scale <= TimeSpan.FromDays(1).TotalSeconds)
        {
            return TimeSpan.FromSeconds(value * scale);
        }

        result.AddError($"{option} must be a {(allowZero ? "non-negative" : "positive")} duration such as 500ms, 30s or 2m (got '{text}').");
        return TimeSpan.Zero;
    }
}
