using System.Globalization;
using Queueing.Contracts.Settings;
using Queueing.Local.Cli;
using Queueing.Local.Devices;
using Queueing.Local.Tests.Support;
using Queueing.Local.Up;
using Queueing.Testing;

namespace Queueing.Local.Tests.Up;

/// <summary>
/// Issue 15 end to end on the real serverless.template: the devices acknowledge (some fail, some stay silent), and
/// every command's outcome is counted. Commands published = acknowledged + failed + silent; Waylay got one
/// <c>published</c> per published command and one <c>acknowledged</c> / <c>failed</c> per ack, with the command's id;
/// and the light rule failed its reading of every status event (no lightValue), so only telemetry made it fire.
/// </summary>
[Collection(UpCollection.Name)]
public sealed class UpCommandOutcomeTests
{
    private const int Devices = 5;
    private const int MessagesPerDevice = 20;

    [Fact]
    public async Task BoundedRun_WithFailingAndSilentDevices_EveryCommandsOutcomeIsCountedOnceInWaylay()
    {
        var inspected = false;
        var acks = new AckBehaviour(FailureRate: 0.3, SilenceRate: 0.2);
        var (exitCode, output) = await RunAsync(acks, async stack =>
        {
            inspected = true;
            var published = stack.IotData.Counters.Published;
            var devices = stack.Fleet.Acks;
            var statuses = stack.Waylay.Snapshot().Broker.Tallies[QueueingApplication.CommandStatusField];
            long Status(string status) => statuses.TryGetValue(status, out var n) ? n : 0;

            // Every command IoT Core took reached its device once, and the device answered it one way.
            Assert.True(published >= Devices, $"published {published}");
            Assert.Equal(new AckCounters(published, devices.Acknowledged, devices.Failed, devices.Silent, 0, 0), devices);
            Assert.Equal(published, devices.Acknowledged + devices.Failed + devices.Silent);
            Assert.True(devices.Failed > 0 && devices.Silent > 0 && devices.Acknowledged > 0, devices.Line);

            // Waylay saw one published per published command and one acknowledged / failed per ack, nothing parked.
            var cached = stack.Fleet.Devices.SelectMany(d => stack.Waylay.Broker.Messages.Messages(d.ThingName)).ToList();
            var collisions = string.Join("; ", cached.GroupBy(e => (e.Resource, e.Timestamp)).Where(g => g.Count() > 1)
                .Select(g => $"{g.Key.Resource}@{g.Key.Timestamp}: " + string.Join(" & ", g.Select(e => e.ToJsonString()))));
            Assert.True(published == Status("published"), $"published {published}, Waylay: {string.Join(", ", statuses)}; same resource and timestamp: {collisions}");
            Assert.Equal(devices.Acknowledged, Status("acknowledged"));
            Assert.Equal(devices.Failed, Status("failed"));
            Assert.Equal(0, Status("expired") + Status("rejected"));
            Assert.Equal(Devices * MessagesPerDevice, stack.Waylay.Snapshot().Broker.UntalliedEvents);

            foreach (var device in stack.Fleet.Devices)
            {
                var events = stack.Waylay.Broker.Messages.Messages(device.ThingName)
                    .Where(e => e.Json.TryGetProperty(QueueingApplication.CommandStatusField, out _))
                    .ToList();
                string[] Ids(string status) => [.. events
                    .Where(e => e.Json.GetProperty(QueueingApplication.CommandStatusField).GetString() == status)
                    .Select(e => e.Json.GetProperty("commandId").GetString()!)
                    // At least once: a batch redelivered after Waylay took it posts its events again (same timestamp).
                    .Distinct(StringComparer.Ordinal)
                    .Order(StringComparer.Ordinal)];
                string[] Answered(AckOutcome outcome) => [.. device.Commands.Where(c => c.Ack == outcome).Select(c => c.CommandId!).Order(StringComparer.Ordinal)];

                Assert.Equal([.. device.Commands.Select(c => c.CommandId!).Order(StringComparer.Ordinal)], Ids("published"));
                Assert.Equal(Answered(AckOutcome.Done), Ids("acknowledged"));
                Assert.Equal(Answered(AckOutcome.Failed), Ids("failed"));
                foreach (var e in events.Where(e => e.Json.GetProperty(QueueingApplication.CommandStatusField).GetString() is "acknowledged" or "failed"))
                {
                    // The device echoed acceptedAt, so Waylay knows how long the command took; no status carries a light value.
                    Assert.True(e.Json.GetProperty("commandLatencyMs").GetInt64() >= 0, e.ToJsonString());
                    Assert.Equal(0, e.Json.GetProperty("commandPending").GetInt32());
                }

                Assert.All(
                    events.Where(e => e.Json.GetProperty(QueueingApplication.CommandStatusField).GetString() == "failed"),
                    e => Assert.Equal(AckBehaviour.FailureDetail, e.Json.GetProperty("commandDetail").GetString()));

                Assert.All(events, e => Assert.False(e.Json.TryGetProperty("lightValue", out _), e.ToJsonString()));
            }

            // The light rule read every status event and failed to (no lightValue): no state, no firing. Every firing
            // was a command, and every command one of its firings. (How many crossings it saw depends on the order
            // SQS delivered the telemetry in, so the count of commands is not pinned.)
            var rules = stack.Waylay.Snapshot().Rules;
            Assert.True(rules.SensorFailures >= statuses.Values.Sum(), $"sensor failures {rules.SensorFailures}, status events {statuses.Values.Sum()}");
            Assert.Equal(rules.RulesFired, rules.PlugRuns);
            Assert.Equal(stack.Commands.Accepted, rules.CommandsAccepted);
            Assert.Equal(published, stack.Commands.Accepted);
            await Task.CompletedTask;
        });

        Assert.True(inspected, output.ToString());
        Assert.True(exitCode == ExitCodes.Success, output.ToString());
        var lines = output.Out.TrimEnd().Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        var acksLine = Assert.Single(lines, l => l.StartsWith("acks: ", StringComparison.Ordinal));
        var statusLine = Assert.Single(lines, l => l.StartsWith("command status in Waylay: ", StringComparison.Ordinal));
        var figures = Numbers(acksLine);
        Assert.Equal(figures["sent"], figures["acknowledged"] + figures["failed"] + figures["silent"]);
        var waylay = Numbers(statusLine["command status in Waylay: ".Length..]);
        Assert.Equal(figures["sent"], waylay["published"]);
        Assert.Equal((figures["acknowledged"], figures["failed"]), (waylay["acknowledged"], waylay["failed"]));
        Assert.Equal($"telemetry: sent {Devices * MessagesPerDevice}, delivered {Devices * MessagesPerDevice}, dead-lettered 0, lost 0", lines[^2]);
        Assert.Equal($"commands: sent {figures["sent"]}, delivered {figures["sent"]}, dead-lettered 0, lost 0", lines[^1]);
    }

    /// <summary><c>name N, name N, ...</c> -> name -> N.</summary>
    private static Dictionary<string, long> Numbers(string line) =>
        line.Split(", ").Select(part => part.Trim().Split(' ')).Where(p => p.Length >= 2)
            .ToDictionary(p => p[^2], p => long.Parse(p[^1], CultureInfo.InvariantCulture));

    private static async Task<(int ExitCode, CliRun Output)> RunAsync(AckBehaviour acks, Func<EmulatedStack, Task> inspect)
    {
        using var directory = new TempDirectory();
        var output = new CapturedWriter();
        var error = new CapturedWriter();
        var cli = new CliContext(output, error, new StringReader(string.Empty), RepositoryRoot.Path, ProcessEnvironment.Read(), TimeProvider.System);
        var run = new UpRun(cli) { BeforeStop = inspect };
        var exitCode = await run.RunAsync(
            new UpOptions
            {
                // The test project builds the function projects (Debug) before the tests run.
                NoBuild = true,
                Devices = Devices,
                MessagesPerDevice = MessagesPerDevice,
                Interval = TimeSpan.FromMilliseconds(250),
                Acks = acks,
                DrainTimeout = TimeSpan.FromSeconds(150),
                View = UpView.Plain,
                LogFile = directory.File("up.log"),
            },
            CancellationToken.None);
        var log = File.Exists(directory.File("up.log")) ? await File.ReadAllTextAsync(directory.File("up.log")) : string.Empty;
        return (exitCode, new CliRun(exitCode, output.ToString(), error + "\n--- log (tail)\n" + string.Join('\n', log.Split('\n').TakeLast(60))));
    }
}
