using System.Text.Json;
using System.Text.RegularExpressions;
using Amazon.SQS.Model;
using Queueing.Contracts.DeadLetters;
using Queueing.Contracts.Settings;
using Queueing.Emulators.Waylay.Faults;
using Queueing.Local.Cli;
using Queueing.Local.Tests.Support;
using Queueing.Local.Up;
using Queueing.Testing;

namespace Queueing.Local.Tests.Up;

/// <summary>
/// <c>up</c> end to end on the real serverless.template: moto, the local IoT Core, the real Ingest and Actuate
/// executables, the Waylay sandbox running waylay/templates and the real queueingCommand plug under Node.js, 5 simulated
/// devices. A bounded run must account for every message: delivered, or dead-lettered with its reason.
/// </summary>
[Collection(UpCollection.Name)]
public sealed partial class UpEndToEndTests
{
    private const int Devices = 5;
    private const int MessagesPerDevice = 20;

    [Fact]
    public async Task BoundedRun_TelemetryReachesWaylay_RulesFire_DevicesGetTheirCommandsInOrder_NothingLost()
    {
        var inspected = false;
        var (exitCode, output) = await RunAsync(WaylayFaultOptions.None, async stack =>
        {
            inspected = true;
            var waylay = stack.Waylay.Snapshot();
            // Telemetry events: the command outcomes (issue 15) are events of the same resources, with a commandStatus.
            Assert.Equal(Devices * MessagesPerDevice, waylay.Broker.UntalliedEvents);
            Assert.Equal(Devices, waylay.Broker.LastEvents.Count);
            Assert.True(waylay.Rules.RulesFired >= Devices, $"rules fired {waylay.Rules.RulesFired}");
            foreach (var device in stack.Fleet.Devices)
            {
                // The API accepted these, in this order; the device got exactly these, in the same order.
                var accepted = stack.Commands.AcceptedFor(device.ThingName);
                Assert.NotEmpty(accepted);
                Assert.Equal(accepted, device.Commands.Select(c => c.CommandId));
                Assert.All(device.Commands, c => Assert.Equal(device.CommandTopic, c.Topic));

                // The light rule's actuators: Above -> off, Below -> on, exactly the payload the rule sent.
                Assert.All(device.Commands, c => Assert.Contains(
                    JsonDocument.Parse(c.Payload).RootElement.GetProperty("lightStatus").GetString(), new[] { "on", "off" }));
            }

            // The light crosses the threshold both ways, so both commands went out.
            var statuses = stack.Fleet.Devices.SelectMany(d => d.Commands)
                .Select(c => JsonDocument.Parse(c.Payload).RootElement.GetProperty("lightStatus").GetString())
                .ToHashSet();
            Assert.Equal(new HashSet<string?> { "on", "off" }, statuses);

            foreach (var queue in stack.Model.Queues.Values)
            {
                Assert.Equal(0, await CountAsync(stack, queue.Url));
            }
        });

        Assert.True(inspected, output.ToString());
        Assert.True(exitCode == ExitCodes.Success, output.ToString());
        var lines = output.Out.TrimEnd().Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        Assert.Equal($"telemetry: sent {Devices * MessagesPerDevice}, delivered {Devices * MessagesPerDevice}, dead-lettered 0, lost 0", lines[^2]);
        // The devices timed the loop: the line above the books, for commands that answered a threshold crossing.
        var latency = LatencyLine().Match(lines[^3]);
        Assert.True(latency.Success, lines[^3]);
        var commands = CommandsLine().Match(lines[^1]);
        Assert.True(commands.Success, lines[^1]);
        Assert.Equal(commands.Groups["sent"].Value, commands.Groups["delivered"].Value);
        Assert.True(int.Parse(commands.Groups["sent"].Value, System.Globalization.CultureInfo.InvariantCulture) >= Devices, lines[^1]);
        Assert.InRange(int.Parse(latency.Groups["count"].Value, System.Globalization.CultureInfo.InvariantCulture), Devices, int.Parse(commands.Groups["sent"].Value, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task BoundedRun_LegacyDevicesOnALegacyTopic_TheirTelemetryReachesWaylayFlatAndTheirCommandsComeBack()
    {
        // The replaced setup's devices, unchanged: {"deviceID","data"} on a topic without a device id, beside today's
        // devices; the legacy rule takes their id from the MQTT client id.
        const int legacyDevices = 3;
        const int flatDevices = Devices - legacyDevices;
        var inspected = false;
        var (exitCode, output) = await RunAsync(
            WaylayFaultOptions.None,
            async stack =>
            {
                inspected = true;
                Assert.Equal(Devices * MessagesPerDevice, stack.Waylay.Snapshot().Broker.UntalliedEvents);
                var legacy = stack.Fleet.Devices.Where(d => d.ThingName.StartsWith("legacy-", StringComparison.Ordinal)).ToList();
                Assert.Equal(["legacy-001", "legacy-002", "legacy-003"], legacy.Select(d => d.ThingName));
                Assert.Equal(flatDevices, stack.Fleet.Devices.Count(d => d.TelemetryTopic == $"devices/{d.ThingName}/telemetry"));
                foreach (var device in legacy)
                {
                    Assert.Equal("sensors/light", device.TelemetryTopic);
                    // Every message of the device reached Waylay as a flat event of its own resource: lightValue at the
                    // top, so the light rule reads it, and nothing of the envelope left.
                    // Counted by event time: under load a batch can be redelivered after Waylay took it (at least
                    // once is the contract; the broker's distinct count above is exact).
                    var events = stack.Waylay.Broker.Messages.Messages(device.ThingName)
                        .Where(e => !e.Json.TryGetProperty(QueueingApplication.CommandStatusField, out _))
                        .ToList();
                    Assert.Equal(MessagesPerDevice, events.Select(e => e.Timestamp).Distinct().Count());
                    Assert.All(events, e => Assert.Equal(["resource", "timestamp", "lightValue"], e.Json.EnumerateObject().Select(p => p.Name)));
                    Assert.Equal(device.LastValue, events[^1].Json.GetProperty("lightValue").GetInt32());

                    // And the light rule's commands came back to it, all of them, in the order the API accepted them.
                    var accepted = stack.Commands.AcceptedFor(device.ThingName);
                    Assert.NotEmpty(accepted);
                    Assert.Equal(accepted, device.Commands.Select(c => c.CommandId));
                    Assert.All(device.Commands, c => Assert.Equal($"devices/{device.ThingName}/commands", c.Topic));
                }

                foreach (var queue in stack.Model.Queues.Values)
                {
                    Assert.Equal(0, await CountAsync(stack, queue.Url));
                }
            },
            options => options with
            {
                Devices = flatDevices,
                LegacyDevices = legacyDevices,
                ParameterOverrides = new Dictionary<string, string>(options.ParameterOverrides) { ["LegacyTelemetryTopicFilter"] = "sensors/light" },
            });

        Assert.True(inspected, output.ToString());
        Assert.True(exitCode == ExitCodes.Success, output.ToString());
        var lines = output.Out.TrimEnd().Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        Assert.Equal($"telemetry: sent {Devices * MessagesPerDevice}, delivered {Devices * MessagesPerDevice}, dead-lettered 0, lost 0", lines[^2]);
        Assert.Matches(CommandsLine(), lines[^1]);
    }

    [Fact]
    public async Task BoundedRun_WithWaylayFaults_EveryMessageIsDeliveredOrDeadLetteredWithItsReason()
    {
        // A broker failing a quarter of its requests: the ingest function retries within its invocation, what still
        // fails is redelivered (after the default retry delay) or, on its last receive, parked as exhausted.
        var faults = new WaylayFaultOptions { FailRate = 0.15, ThrottleRate = 0.1, Latency = LatencyRange.Parse("0-30ms"), Seed = 7 };
        var inspected = false;
        var (exitCode, output) = await RunAsync(faults, async stack =>
        {
            inspected = true;
            var waylay = stack.Waylay.Snapshot();
            Assert.True(waylay.Broker.FaultsInjected > 0, "no fault was injected");
            Assert.True(waylay.Broker.DistinctEvents > 0);
            foreach (var dlq in stack.TelemetryDeadLetters.Concat(stack.CommandDeadLetters))
            {
                // Whatever was dead-lettered says why: the consumers' reason attributes.
                var parked = await stack.Sqs.ReceiveMessageAsync(new ReceiveMessageRequest
                {
                    QueueUrl = dlq.Url,
                    MaxNumberOfMessages = 10,
                    MessageAttributeNames = ["All"],
                    VisibilityTimeout = 0,
                });
                foreach (var message in parked.Messages ?? [])
                {
                    Assert.Contains(message.MessageAttributes[DeadLetterAttributes.Kind].StringValue, new[] { "exhausted", "rejected", "expired" });
                    Assert.False(string.IsNullOrWhiteSpace(message.MessageAttributes[DeadLetterAttributes.Error].StringValue));
                }
            }
        });

        Assert.True(inspected, output.ToString());
        Assert.True(exitCode == ExitCodes.Success, output.ToString());
        var lines = output.Out.TrimEnd().Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        var telemetry = TelemetryLine().Match(lines[^2]);
        Assert.True(telemetry.Success, output.ToString());
        // At least once: a message delivered, then failed by a timeout and parked later, counts on both sides.
        Assert.True(
            int.Parse(telemetry.Groups["delivered"].Value, System.Globalization.CultureInfo.InvariantCulture)
            + int.Parse(telemetry.Groups["dead"].Value, System.Globalization.CultureInfo.InvariantCulture) >= Devices * MessagesPerDevice,
            output.ToString());
        Assert.Matches(CommandsLine(), lines[^1]);
        Assert.Contains("Waylay faults injected", output.Out);
    }

    [Fact]
    public async Task Interrupted_StopsEveryFunctionProcessAndMoto_AndExits130WithTheCountsSoFar()
    {
        using var directory = new TempDirectory();
        using var interrupt = new CancellationTokenSource();
        var output = new CapturedWriter();
        var error = new CapturedWriter();
        var processes = new List<int>();
        Uri? aws = null;
        var run = new UpRun(new CliContext(output, error, new StringReader(string.Empty), RepositoryRoot.Path, ProcessEnvironment.Read(), TimeProvider.System))
        {
            Started = stack =>
            {
                processes.AddRange(stack.Runtimes.Values.SelectMany(r => r.Instances).Select(i => i.ProcessId).OfType<int>());
                aws = stack.Access.Endpoint;
                interrupt.CancelAfter(TimeSpan.FromSeconds(2));
                return Task.CompletedTask;
            },
        };

        // Unbounded: it runs until interrupted, as Ctrl+C does through System.CommandLine's token.
        var exitCode = await run.RunAsync(
            new UpOptions { NoBuild = true, Devices = 2, Interval = TimeSpan.FromMilliseconds(100), View = UpView.Plain, LogFile = directory.File("up.log") },
            interrupt.Token);

        Assert.Equal(ExitCodes.Cancelled, exitCode);
        Assert.Equal(3, processes.Count);
        Assert.All(processes, pid => Assert.True(HasExited(pid), $"function process {pid} is still running"));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync(aws));
        Assert.Matches(@"telemetry: sent \d+, delivered \d+, dead-lettered \d+, lost \d+", output.ToString());
        Assert.Contains("Interrupted", error.ToString());
    }

    private static bool HasExited(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return process.HasExited;
        }
        catch (ArgumentException)
        {
            return true;
        }
    }

    private static async Task<(int ExitCode, CliRun Output)> RunAsync(
        WaylayFaultOptions faults, Func<EmulatedStack, Task> inspect, Func<UpOptions, UpOptions>? configure = null)
    {
        using var directory = new TempDirectory();
        var output = new CapturedWriter();
        var error = new CapturedWriter();
        var cli = new CliContext(output, error, new StringReader(string.Empty), RepositoryRoot.Path, ProcessEnvironment.Read(), TimeProvider.System);
        var run = new UpRun(cli) { BeforeStop = inspect };
        var options = new UpOptions
        {
            // The test project builds the function projects (Debug) before the tests run.
            NoBuild = true,
            Devices = Devices,
            MessagesPerDevice = MessagesPerDevice,
            Interval = TimeSpan.FromMilliseconds(50),
            WaylayFaults = faults,
            DrainTimeout = TimeSpan.FromSeconds(150),
            View = UpView.Plain,
            LogFile = directory.File("up.log"),
        };
        var exitCode = await run.RunAsync(configure?.Invoke(options) ?? options, CancellationToken.None);
        var log = File.Exists(directory.File("up.log")) ? await File.ReadAllTextAsync(directory.File("up.log")) : string.Empty;
        return (exitCode, new CliRun(exitCode, output.ToString(), error + "\n--- log (tail)\n" + Tail(log, 60)));
    }

    private static async Task<int> CountAsync(EmulatedStack stack, string queueUrl)
    {
        var attributes = await stack.Sqs.GetQueueAttributesAsync(queueUrl, ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]);
        return attributes.ApproximateNumberOfMessages + attributes.ApproximateNumberOfMessagesNotVisible;
    }

    private static string Tail(string text, int lines) => string.Join('\n', text.Split('\n').TakeLast(lines));

    [GeneratedRegex(@"^commands: sent (?<sent>\d+), delivered (?<delivered>\d+), dead-lettered 0, lost 0$")]
    private static partial Regex CommandsLine();

    [GeneratedRegex(@"^loop latency: p50 \d+ ms, p95 \d+ ms, max \d+ ms \((?<count>\d+) commands?\)$")]
    private static partial Regex LatencyLine();

    [GeneratedRegex(@"^telemetry: sent 100, delivered (?<delivered>\d+), dead-lettered (?<dead>\d+), lost 0$")]
    private static partial Regex TelemetryLine();
}
