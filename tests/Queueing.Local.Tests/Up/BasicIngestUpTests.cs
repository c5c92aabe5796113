using System.Globalization;
using System.Text.RegularExpressions;
using Queueing.Contracts.Settings;
using Queueing.Local.Cli;
using Queueing.Local.Tests.IoT;
using Queueing.Local.Tests.Support;
using Queueing.Local.Up;
using Queueing.Testing;

namespace Queueing.Local.Tests.Up;

/// <summary>
/// <c>up --parameter-overrides TelemetryIngest=basic</c>: the simulated devices and a device of our own (a real MQTT
/// client) publish on TelemetryRule's Basic Ingest topic, which <c>up</c> prints; their telemetry goes through the rule,
/// IngestQueue and the real Ingest executable to the Waylay sandbox, whose light rule sends the command back.
/// </summary>
[Collection(UpCollection.Name)]
public sealed partial class BasicIngestUpTests
{
    private const int Devices = 2;
    private const int MessagesPerDevice = 10;

    [Fact]
    public async Task BoundedRun_BasicIngest_TelemetryReachesWaylayThroughIngest_OwnDeviceGetsItsCommand_NothingLost()
    {
        using var directory = new TempDirectory();
        var output = new CapturedWriter();
        var error = new CapturedWriter();
        var cli = new CliContext(output, error, new StringReader(string.Empty), RepositoryRoot.Path, ProcessEnvironment.Read(), TimeProvider.System);
        string? printedTopic = null;
        MqttTestClient.ReceivedMessage? command = null;
        Exception? failure = null;
        var inspected = false;
        var run = new UpRun(cli)
        {
            Started = async _ =>
            {
                try
                {
                    var printed = error.ToString();
                    var port = int.Parse(MqttLine().Match(printed).Groups["port"].Value, CultureInfo.InvariantCulture);
                    printedTopic = TelemetryLine().Match(printed).Groups["telemetry"].Value;
                    await using var device = await MqttTestClient.ConnectAsync(port, "lamp-88");
                    await device.SubscribeAsync("devices/lamp-88/commands");
                    var published = await device.PublishAsync(printedTopic, """{"lightValue":420}""");
                    Assert.True(published.IsSuccess, published.ReasonString);
                    command = await device.ReceiveAsync();
                }
                catch (Exception ex)
                {
                    failure = ex;
                }
            },
            BeforeStop = stack =>
            {
                inspected = true;
                Assert.All(stack.Fleet.Devices, d => Assert.Equal($"$aws/rules/queueing_TelemetryRule/devices/{d.ThingName}/telemetry", d.TelemetryTopic));
                // Every message, ours included, reached Waylay as an event of the device the topic names (counted by
                // event time: a QoS 1 publish retried under load is delivered twice, at least once is the contract).
                foreach (var device in stack.Fleet.Devices)
                {
                    // Telemetry only: the command outcomes (issue 15) are events of the same resource, with a commandStatus.
                    Assert.Equal(MessagesPerDevice, stack.Waylay.Broker.Messages.Messages(device.ThingName)
                        .Where(e => !e.Json.TryGetProperty(QueueingApplication.CommandStatusField, out _))
                        .Select(e => e.Timestamp).Distinct().Count());
                }

                var own = stack.Waylay.Broker.Messages.Messages("lamp-88")
                    .Where(e => !e.Json.TryGetProperty(QueueingApplication.CommandStatusField, out _))
                    .ToList();
                Assert.NotEmpty(own);
                Assert.All(own, e => Assert.Equal(420, e.Json.GetProperty("lightValue").GetInt32()));
                Assert.True(stack.Rules.CountersByRule["queueing_TelemetryRule"].MessagesMatched >= (MessagesPerDevice * Devices) + 1);
                Assert.Equal(0, stack.Rules.CountersByRule["queueing_TelemetryClaimRule"].MessagesMatched);
                Assert.Equal(0, stack.Rules.RulesNotFound);
                return Task.CompletedTask;
            },
        };

        var exitCode = await run.RunAsync(
            new UpOptions
            {
                NoBuild = true,
                Devices = Devices,
                MessagesPerDevice = MessagesPerDevice,
                Interval = TimeSpan.FromMilliseconds(50),
                DrainTimeout = TimeSpan.FromSeconds(150),
                View = UpView.Plain,
                LogFile = directory.File("up.log"),
                ParameterOverrides = new Dictionary<string, string> { ["TelemetryIngest"] = "basic" },
            },
            CancellationToken.None);

        Assert.True(failure is null, failure?.ToString());
        Assert.True(exitCode == ExitCodes.Success, output + "\n" + error);
        Assert.True(inspected, output.ToString());
        Assert.Equal("$aws/rules/queueing_TelemetryRule/devices/lamp-88/telemetry", printedTopic);
        // Above the threshold from no state: the light rule's lightOff came back to the device.
        Assert.Equal(("devices/lamp-88/commands", """{"lightStatus":"off"}"""), (command!.Topic, command.Payload));
        // The printed mosquitto lines quote the topic, or a shell would expand $aws.
        Assert.Contains("-t '$aws/rules/queueing_TelemetryRule/devices/lamp-88/telemetry'", error.ToString(), StringComparison.Ordinal);
        var total = (Devices * MessagesPerDevice) + 1;
        Assert.Contains($"telemetry: sent {total}, delivered {total}, dead-lettered 0, lost 0", output.ToString(), StringComparison.Ordinal);
        Assert.Matches(@"(?m)^commands: sent (\d+), delivered \1, dead-lettered 0, lost 0$", output.ToString());
    }

    [GeneratedRegex(@"^  MQTT +mqtt://127\.0\.0\.1:(?<port>\d+)/? ", RegexOptions.Multiline)]
    private static partial Regex MqttLine();

    [GeneratedRegex(@"^  telemetry +\S+, e\.g\. (?<telemetry>\S+) with", RegexOptions.Multiline)]
    private static partial Regex TelemetryLine();
}
