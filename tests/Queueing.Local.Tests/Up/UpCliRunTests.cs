using System.Text.Json;
using System.Text.RegularExpressions;
using Queueing.Local.Cli;
using Queueing.Local.Tests.Support;
using Queueing.Testing;

namespace Queueing.Local.Tests.Up;

/// <summary><c>up</c> through its command line, as a user runs it: the flags reach the stack, the books end stdout.</summary>
[Collection(UpCollection.Name)]
public sealed partial class UpCliRunTests
{
    [Fact]
    public async Task WaylayAlwaysFailing_EveryMessageIsDeadLetteredAsExhaustedWithTheReason_AndNothingIsLost()
    {
        using var directory = new TempDirectory();
        var log = directory.File("up.log");

        var run = await CliRun.RunAsync(
        [
            "up", "--devices", "2", "--messages", "3", "--interval", "100ms", "--waylay-fail-rate", "1", "--retry-delay", "0",
            "--parameter-overrides", "MaxReceiveCount=2", "--no-build", "--plain", "--log-file", log,
        ]);

        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
        var lines = Lines(run.Out);
        Assert.Equal("telemetry: sent 6, delivered 0, dead-lettered 6, lost 0", lines[^2]);
        Assert.Equal("commands: sent 0, delivered 0, dead-lettered 0, lost 0", lines[^1]);
        Assert.Contains("queue queueing-IngestDLQ: 6 visible", run.Out);
        // Each parked message says why, in the function's log and on the message (Queueing.Kind / Queueing.Error).
        var parked = ExhaustedParking().Matches(await File.ReadAllTextAsync(log));
        Assert.Equal(6, parked.Count);
        Assert.All(parked, m => Assert.Contains("Waylay", m.Groups["reason"].Value));
        // The line names the device (the body's deviceId, set by the IoT rule), for "follow one device".
        Assert.All(parked, m => Assert.NotEqual("unknown", m.Groups["device"].Value));
    }

    [Fact]
    public async Task Duration_BoundsTheRun_AndTheBooksBalance()
    {
        using var directory = new TempDirectory();

        var run = await CliRun.RunAsync(
        [
            "up", "--devices", "2", "--duration", "2s", "--interval", "200ms",
            "--no-build", "--plain", "--log-file", directory.File("up.log"),
        ]);

        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
        var telemetry = Books().Match(Lines(run.Out)[^2]);
        Assert.True(telemetry.Success, run.ToString());
        Assert.Equal("telemetry", telemetry.Groups["flow"].Value);
        Assert.True(int.Parse(telemetry.Groups["sent"].Value, System.Globalization.CultureInfo.InvariantCulture) >= 4, run.Out);
        Assert.Equal(telemetry.Groups["sent"].Value, telemetry.Groups["delivered"].Value);
        Assert.Matches(Books(), Lines(run.Out)[^1]);
    }

    [Fact]
    public async Task Json_StdoutIsOneObjectWithTheBooksLoopLatencyAndBatching_MatchingTheSummaryOnStderr()
    {
        using var directory = new TempDirectory();

        var run = await CliRun.RunAsync(
        [
            "up", "--devices", "2", "--messages", "10", "--interval", "200ms", "--json", "--no-build", "--log-file", directory.File("up.log"),
        ]);

        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
        using var json = JsonDocument.Parse(run.Out);
        var root = json.RootElement;
        Assert.Equal("completed", root.GetProperty("outcome").GetString());
        Assert.Equal(20, root.GetProperty("telemetry").GetProperty("sent").GetInt32());
        Assert.Equal(20, root.GetProperty("telemetry").GetProperty("delivered").GetInt32());
        Assert.Equal(0, root.GetProperty("telemetry").GetProperty("lost").GetInt32());
        var commands = root.GetProperty("commands").GetProperty("sent").GetInt32();
        Assert.Equal(commands, root.GetProperty("commands").GetProperty("delivered").GetInt32());

        // Every signal crosses the threshold: commands come back, and the devices timed them.
        var latency = root.GetProperty("loopLatency");
        var measured = latency.GetProperty("commands").GetInt32();
        Assert.InRange(measured, 1, commands);
        var (p50, p95, max) = (latency.GetProperty("p50Ms").GetInt64(), latency.GetProperty("p95Ms").GetInt64(), latency.GetProperty("maxMs").GetInt64());
        Assert.True(0 < p50 && p50 <= p95 && p95 <= max, latency.ToString());
        Assert.Contains($"loop latency: p50 {p50} ms, p95 {p95} ms, max {max} ms ({measured} command", run.Error, StringComparison.Ordinal);

        // The ingest event source received the telemetry and the command outcomes that share its queue (issue 15):
        // a published status per command, an ack per answered command (ackDue waits out the time-to-live).
        var ingest = root.GetProperty("ingest");
        var statuses = root.GetProperty("waylayCommandStatus");
        var outcomes = statuses.GetProperty("published").GetInt32() + statuses.GetProperty("acknowledged").GetInt32() + statuses.GetProperty("failed").GetInt32();
        Assert.Equal(commands, statuses.GetProperty("published").GetInt32());
        Assert.Equal(root.GetProperty("acks").GetProperty("acknowledged").GetInt32(), statuses.GetProperty("acknowledged").GetInt32());
        // With no failure or silence rate, every device answers every command done.
        Assert.Contains($"acks: sent {commands}, acknowledged {commands}, failed 0, silent 0", run.Error, StringComparison.Ordinal);
        Assert.Contains($"command status in Waylay: published {commands}, acknowledged {commands}, failed 0, expired 0, rejected 0, ", run.Error, StringComparison.Ordinal);
        var messages = ingest.GetProperty("messages").GetInt32();
        Assert.True(messages >= 20 + outcomes, $"{messages} messages, {outcomes} command outcomes in Waylay");
        var invocations = ingest.GetProperty("invocations").GetInt32();
        Assert.InRange(invocations, 2, messages);
        Assert.Equal(Math.Round(invocations * 1000.0 / messages, 1), ingest.GetProperty("invocationsPer1000Messages").GetDouble());
    }

    private static string[] Lines(string text) => [.. text.TrimEnd().Split('\n').Select(l => l.TrimEnd('\r'))];

    [GeneratedRegex(@"Parked [0-9a-f-]+ of device (?<device>[^ ]+) as exhausted: (?<reason>[^""]+)")]
    private static partial Regex ExhaustedParking();

    [GeneratedRegex(@"^(?<flow>telemetry|commands): sent (?<sent>\d+), delivered (?<delivered>\d+), dead-lettered 0, lost 0$")]
    private static partial Regex Books();
}
