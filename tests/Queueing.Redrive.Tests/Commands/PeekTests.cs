using Queueing.Redrive.Tests.Support;
using Queueing.Testing;

namespace Queueing.Redrive.Tests.Commands;

public sealed class PeekTests(MotoServer moto) : IClassFixture<MotoServer>
{
    private readonly CliRunner _cli = new(moto);

    [Fact]
    public async Task Peek_StandardDlqFilledByPolicyAndParker_ShowsEveryReasonAndLeavesTheQueueUnchanged()
    {
        using var sqs = moto.CreateSqs();
        var scenario = await Scenario.IngestAsync(sqs);
        var countBefore = await DeadLetterFiller.CountAsync(sqs, scenario.Queues.DlqUrl);

        var result = await _cli.RunAsync("peek", scenario.Queues.DlqName, "--json", "--max", "50");

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.JsonLines().ToDictionary(l => l.GetProperty("body").GetString()!);
        Assert.Equal(6, lines.Count);
        Assert.Equal("unknown", lines[scenario.Body("policy-lamp-1")].GetProperty("kind").GetString());
        Assert.Equal("lamp-2", lines[scenario.Body("policy-lamp-2")].GetProperty("device").GetString());
        var malformed = lines[scenario.Body("malformed")];
        Assert.Equal("malformed", malformed.GetProperty("kind").GetString());
        Assert.Equal("body is not a JSON object", malformed.GetProperty("error").GetString());
        Assert.False(malformed.TryGetProperty("device", out _));
        var exhausted = lines[scenario.Body("exhausted-lamp-2")];
        Assert.Equal("exhausted", exhausted.GetProperty("kind").GetString());
        Assert.Equal("Waylay answered 503 Service Unavailable", exhausted.GetProperty("error").GetString());
        Assert.Equal(scenario.Queues.SourceArn, exhausted.GetProperty("sourceQueue").GetString());
        Assert.Equal("ingest", exhausted.GetProperty("function").GetString());
        Assert.Equal("lamp-2", exhausted.GetProperty("device").GetString());
        Assert.Equal(1, exhausted.GetProperty("receiveCount").GetInt32());
        Assert.Equal("rejected", lines[scenario.Body("rejected-lamp-1")].GetProperty("kind").GetString());
        Assert.Contains("SQS raised ApproximateReceiveCount", result.Error);
        Assert.Contains("has no redrive policy of its own", result.Error);

        Assert.Equal(countBefore, await DeadLetterFiller.CountAsync(sqs, scenario.Queues.DlqUrl));
        var after = await QueueContents.DrainAsync(sqs, scenario.Queues.DlqUrl);
        Assert.Equal(scenario.Bodies.Values.Order(), after.Select(s => s.Body).Order());
        Assert.Equal(lines.Values.Select(l => l.GetProperty("messageId").GetString()).Order(), after.Select(s => s.MessageId).Order());
    }

    [Fact]
    public async Task Peek_FifoDlq_ShowsGroupsAndLeavesContentsAndGroupOrderUnchanged()
    {
        using var sqs = moto.CreateSqs();
        var scenario = await Scenario.CommandsAsync(sqs);

        var result = await _cli.RunAsync("peek", scenario.Queues.DlqArn, "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.JsonLines().ToDictionary(l => l.GetProperty("body").GetString()!);
        Assert.Equal(6, lines.Count);
        Assert.Equal("expired", lines[scenario.Body("c1")].GetProperty("kind").GetString());
        Assert.Equal("lamp-1", lines[scenario.Body("c1")].GetProperty("groupId").GetString());
        Assert.Equal("rejected", lines[scenario.Body("c4")].GetProperty("kind").GetString());
        Assert.Equal("unknown", lines[scenario.Body("c6")].GetProperty("kind").GetString());
        Assert.Equal("lamp-3", lines[scenario.Body("c6")].GetProperty("device").GetString());

        var after = await QueueContents.DrainAsync(sqs, scenario.Queues.DlqUrl);
        Assert.Equal(6, after.Count);
        foreach (var (device, first, second) in new[] { ("lamp-1", "c1", "c2"), ("lamp-2", "c3", "c4"), ("lamp-3", "c5", "c6") })
        {
            Assert.Equal([scenario.Body(first), scenario.Body(second)], after.Where(s => s.Group == device).Select(s => s.Body));
        }
    }

    [Theory]
    [InlineData(new[] { "--kind", "exhausted" }, new[] { "exhausted-lamp-2", "exhausted-lamp-3" })]
    [InlineData(new[] { "--kind", "unknown" }, new[] { "policy-lamp-1", "policy-lamp-2" })]
    [InlineData(new[] { "--kind", "rejected,malformed" }, new[] { "rejected-lamp-1", "malformed" })]
    [InlineData(new[] { "--kind", "rejected", "--kind", "malformed" }, new[] { "rejected-lamp-1", "malformed" })]
    [InlineData(new[] { "--device", "lamp-2" }, new[] { "policy-lamp-2", "exhausted-lamp-2" })]
    [InlineData(new[] { "--kind", "exhausted", "--device", "lamp-3" }, new[] { "exhausted-lamp-3" })]
    [InlineData(new[] { "--grep", "503" }, new[] { "exhausted-lamp-2" })]
    [InlineData(new[] { "--grep", "LAMP-1" }, new[] { "policy-lamp-1", "rejected-lamp-1" })]
    [InlineData(new[] { "--since", "1h" }, new[] { "policy-lamp-1", "policy-lamp-2", "malformed", "rejected-lamp-1", "exhausted-lamp-2", "exhausted-lamp-3" })]
    [InlineData(new[] { "--since", "2999-01-01T00:00:00Z" }, new string[0])]
    public async Task Peek_Filter_SelectsExactlyTheMatchingMessages(string[] filter, string[] expected)
    {
        using var sqs = moto.CreateSqs();
        var scenario = await Scenario.IngestAsync(sqs);

        var result = await _cli.RunAsync(["peek", scenario.Queues.DlqName, "--json", .. filter]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(scenario.BodiesOf(expected).Order(), result.JsonLines().Select(l => l.GetProperty("body").GetString()).Order());
        Assert.Equal(6, await DeadLetterFiller.CountAsync(sqs, scenario.Queues.DlqUrl));
    }

    [Fact]
    public async Task Peek_ByUrl_ReadsTheSameQueue()
    {
        using var sqs = moto.CreateSqs();
        var scenario = await Scenario.IngestAsync(sqs);

        var result = await _cli.RunAsync("peek", scenario.Queues.DlqUrl, "--json", "--kind", "malformed");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(scenario.Body("malformed"), Assert.Single(result.JsonLines()).GetProperty("body").GetString());
    }

    [Fact]
    public async Task Peek_EmptyDlq_SaysSoAndCountsNoReceive()
    {
        using var sqs = moto.CreateSqs();
        var pair = await QueuePair.CreateAsync(sqs, Scenario.NewStack(), fifo: false);

        var result = await _cli.RunAsync("peek", pair.DlqName);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("No matching message in " + pair.DlqName + " (0 examined)", result.Output);
        Assert.DoesNotContain("ApproximateReceiveCount", result.Error);
    }

    [Fact]
    public async Task Peek_Max_ShowsNoMoreThanMaxAndReturnsEveryMessage()
    {
        using var sqs = moto.CreateSqs();
        var scenario = await Scenario.IngestAsync(sqs);

        var result = await _cli.RunAsync("peek", scenario.Queues.DlqName, "--json", "--max", "2");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(2, result.JsonLines().Count);
        Assert.Equal(6, (await QueueContents.DrainAsync(sqs, scenario.Queues.DlqUrl)).Count);
    }

    [Fact]
    public async Task Peek_Table_ShowsKindErrorDeviceAndBodyPreview()
    {
        using var sqs = moto.CreateSqs();
        var scenario = await Scenario.IngestAsync(sqs);

        var result = await _cli.RunAsync("peek", scenario.Queues.DlqName, "--kind", "exhausted");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("exhausted", result.Output);
        Assert.Contains("Waylay answered 503 Service Unavailable", result.Output);
        Assert.Contains("lamp-3", result.Output);
        Assert.Contains("\"lightValue\":105", result.Output);
        Assert.Contains("2 shown", result.Output);
        Assert.DoesNotContain("rejected", result.Output);
    }

    [Fact]
    public async Task Peek_ShortLogicalName_ResolvesTheStackPrefixedQueue()
    {
        using var sqs = moto.CreateSqs();
        var stack = Scenario.NewStack();
        await sqs.CreateQueueAsync($"{stack}-Only{stack}DLQ");
        await sqs.CreateQueueAsync(new Amazon.SQS.Model.CreateQueueRequest
        {
            QueueName = $"{stack}-Source",
            Attributes = new() { ["RedrivePolicy"] = $"{{\"deadLetterTargetArn\":\"arn:aws:sqs:{MotoServer.Region}:{MotoServer.AccountId}:{stack}-Only{stack}DLQ\",\"maxReceiveCount\":3}}" },
        });

        var result = await _cli.RunAsync("peek", $"Only{stack}DLQ", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"is queue {stack}-Only{stack}DLQ", result.Error);
    }

    [Fact]
    public async Task RedriveTo_ShortLogicalName_SaysWhichQueueItMatched()
    {
        using var sqs = moto.CreateSqs();
        var stack = Scenario.NewStack();
        await sqs.CreateQueueAsync($"{stack}-DLQ");
        await sqs.CreateQueueAsync($"{stack}-Restore{stack}");
        await sqs.CreateQueueAsync(new Amazon.SQS.Model.CreateQueueRequest
        {
            QueueName = $"{stack}-Source",
            Attributes = new() { ["RedrivePolicy"] = $"{{\"deadLetterTargetArn\":\"arn:aws:sqs:{MotoServer.Region}:{MotoServer.AccountId}:{stack}-DLQ\",\"maxReceiveCount\":3}}" },
        });

        var result = await _cli.RunAsync("redrive", $"{stack}-DLQ", "--to", $"Restore{stack}", "--dry-run");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"is queue {stack}-Restore{stack}", result.Error);
    }
}
