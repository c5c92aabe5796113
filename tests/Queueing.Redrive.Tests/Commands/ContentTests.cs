using System.Text;
using Queueing.Contracts.DeadLetters;
using Queueing.Redrive.Messages;
using Queueing.Redrive.Tests.Support;
using Queueing.Testing;

namespace Queueing.Redrive.Tests.Commands;

/// <summary><c>list</c>, <c>peek</c> and <c>export</c> show what each parked message carries: telemetry, a command,
/// a device's ack or a command publisher's status message (issue 15).</summary>
public sealed class ContentTests(MotoServer moto) : IClassFixture<MotoServer>
{
    private static readonly string Ack =
        $$"""{"commandEvent":"ack","deviceId":"lamp-1","receivedAt":1764288000000,"base64OriginalPayload":"{{Convert.ToBase64String(Encoding.UTF8.GetBytes("""{"commandId":"c1","status":"maybe"}"""))}}"}""";

    private const string Status =
        """{"commandEvent":"published","deviceId":"lamp-2","commandId":"c2","acceptedAt":"2026-11-27T08:00:00Z","at":"2026-11-27T08:00:01Z"}""";

    private const string UnknownStatus = """{"commandEvent":"teleported","deviceId":"lamp-2","commandId":"c3"}""";

    // What TelemetryClaimRule records of telemetry that claims a command event: still telemetry.
    private const string Claim = """{"topicDeviceId":"lamp-3","claimedCommandEvent":"ack","base64OriginalPayload":"e30="}""";

    private readonly CliRunner _cli = new(moto);

    [Theory]
    [InlineData("""{"commandEvent":"ack","deviceId":"d"}""", null, "command-ack")]
    [InlineData("""{"commandEvent":"expired","deviceId":"d"}""", null, "command-status")]
    [InlineData("""{"commandEvent":"ackDue"}""", null, "command-status")]
    [InlineData("""{"commandEvent":1}""", null, "command-status")]
    [InlineData("""{"commandId":"c","deviceId":"d","expiresAt":"2026-11-27T08:00:30Z","payload":{}}""", null, "command")]
    [InlineData("not json", "lamp-1", "command")]
    [InlineData("""{"lightValue":1,"deviceId":"d"}""", null, "telemetry")]
    [InlineData("""{"claimedCommandEvent":"ack"}""", null, "telemetry")]
    [InlineData("not json { 1", null, "telemetry")]
    [InlineData("", null, "telemetry")]
    [InlineData("[1,2]", null, "telemetry")]
    public void Of_ReadsTheContentFromTheBody(string body, string? groupId, string expected) =>
        Assert.Equal(expected, MessageContents.Of(body, groupId));

    [Fact]
    public async Task Peek_ShowsTheContentOfEachKind_InJsonAndInTheTable()
    {
        using var sqs = moto.CreateSqs();
        var (ingest, commands) = await FillAsync(sqs);

        var json = await _cli.RunAsync("peek", ingest.DlqName, "--json", "--max", "50");
        var fifo = await _cli.RunAsync("peek", commands.DlqName, "--json");
        var table = await _cli.RunAsync("peek", ingest.DlqName, "--max", "50");

        Assert.True(json.ExitCode == 0, json.ToString());
        var contents = json.JsonLines().ToDictionary(l => l.GetProperty("body").GetString()!, l => l.GetProperty("content").GetString());
        Assert.Equal("command-ack", contents[Ack]);
        Assert.Equal("command-status", contents[Status]);
        Assert.Equal("command-status", contents[UnknownStatus]);
        Assert.Equal("telemetry", contents[Claim]);
        Assert.Equal("telemetry", contents[TestMessage.Telemetry("lamp-1", 7).Body]);
        Assert.True(fifo.ExitCode == 0, fifo.ToString());
        Assert.All(fifo.JsonLines(), l => Assert.Equal("command", l.GetProperty("content").GetString()));
        Assert.Equal(2, fifo.JsonLines().Count);
        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Contains("Content", table.Output);
        Assert.Contains("command-ack", table.Output);
        Assert.Contains("command-status", table.Output);
    }

    [Fact]
    public async Task List_CountsTheContentsOfTheMessagesItExamined()
    {
        using var sqs = moto.CreateSqs();
        var (ingest, commands) = await FillAsync(sqs);

        var json = await _cli.RunAsync("list", "--json");
        var table = await _cli.RunAsync("list");
        var noAge = await _cli.RunAsync("list", "--json", "--no-age");

        Assert.True(json.ExitCode == 0, json.ToString());
        var lines = json.JsonLines().ToDictionary(l => l.GetProperty("name").GetString()!);
        Assert.Equal(
            new Dictionary<string, int> { ["command-ack"] = 1, ["command-status"] = 2, ["telemetry"] = 2 },
            lines[ingest.DlqName].GetProperty("contents").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt32()));
        Assert.Equal(
            new Dictionary<string, int> { ["command"] = 2 },
            lines[commands.DlqName].GetProperty("contents").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt32()));
        var row = Assert.Single(table.Output.Split('\n'), l => l.Contains(ingest.DlqName, StringComparison.Ordinal));
        Assert.Contains("telemetry 2, command-ack 1, command-status 2", row);
        Assert.False(noAge.JsonLines().Single(l => l.GetProperty("name").GetString() == ingest.DlqName).TryGetProperty("contents", out _));
    }

    [Fact]
    public async Task Export_SummaryCountsWhatWasExported()
    {
        using var sqs = moto.CreateSqs();
        using var files = new TempDirectory();
        var (ingest, _) = await FillAsync(sqs);

        var json = await _cli.RunAsync("export", ingest.DlqName, "--out", files.File("all.jsonl"), "--json");
        var text = await _cli.RunAsync("export", ingest.DlqName, "--out", files.File("acks.jsonl"), "--kind", "malformed");

        Assert.True(json.ExitCode == 0, json.ToString());
        var summary = Assert.Single(json.JsonLines());
        Assert.Equal(
            new Dictionary<string, int> { ["command-ack"] = 1, ["command-status"] = 2, ["telemetry"] = 2 },
            summary.GetProperty("contents").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt32()));
        Assert.True(text.ExitCode == 0, text.ToString());
        Assert.Contains("Exported 2 message(s)", text.Error);
        Assert.Contains("; command-ack 1, command-status 1)", text.Error);
    }

    /// <summary>An IngestDLQ with telemetry (parked and a claim), an ack and two status messages parked as
    /// malformed or exhausted; a CommandDLQ.fifo with two commands.</summary>
    private static async Task<(QueuePair Ingest, QueuePair Commands)> FillAsync(Amazon.SQS.IAmazonSQS sqs)
    {
        var ingest = await QueuePair.CreateAsync(sqs, Scenario.NewStack(), fifo: false);
        var filler = new DeadLetterFiller(sqs, ingest);
        await filler.ThroughParkerAsync(DeadLetterKind.Malformed, "ack: status must be done or failed", TestMessage.Raw(Ack, 1));
        await filler.ThroughParkerAsync(DeadLetterKind.Malformed, "unknown commandEvent 'teleported'", TestMessage.Raw(UnknownStatus, 2));
        await filler.ThroughParkerAsync(DeadLetterKind.Exhausted, "Waylay answered 503 Service Unavailable", TestMessage.Raw(Status, 3), TestMessage.Telemetry("lamp-1", 7));
        await filler.ThroughParkerAsync(DeadLetterKind.Rejected, "claimed commandEvent 'ack'", TestMessage.Raw(Claim, 4));
        var commands = await QueuePair.CreateAsync(sqs, Scenario.NewStack(), fifo: true);
        await new DeadLetterFiller(sqs, commands).ThroughParkerAsync(
            DeadLetterKind.Expired, "expired before it could be published", Scenario.CommandMessage("c8", "lamp-1", 8), Scenario.CommandMessage("c9", "lamp-1", 9));
        return (ingest, commands);
    }
}
