using Amazon.SQS.Model;
using Queueing.Contracts.DeadLetters;
using Queueing.Redrive.Tests.Support;
using Queueing.Testing;

namespace Queueing.Redrive.Tests.Commands;

public sealed class RedriveTests(MotoServer moto) : IClassFixture<MotoServer>
{
    private readonly CliRunner _cli = new(moto);

    [Fact]
    public async Task Redrive_KindFilter_MovesExactlyThoseWithBodyAndAttributesByteForByte()
    {
        using var sqs = moto.CreateSqs();
        var scenario = await Scenario.IngestAsync(sqs);
        var before = (await QueueContents.ReadAndReleaseAsync(sqs, scenario.Queues.DlqUrl)).ToDictionary(m => m.Snapshot.Body, m => m.Snapshot);

        var result = await _cli.RunAsync("redrive", scenario.Queues.DlqName, "--kind", "exhausted", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var summary = result.JsonLines()[^1];
        Assert.Equal(2, summary.GetProperty("moved").GetInt32());
        Assert.Equal(4, summary.GetProperty("skippedByFilter").GetInt32());
        Assert.Equal(0, summary.GetProperty("failed").GetInt32());

        var moved = await QueueContents.DrainAsync(sqs, scenario.Queues.SourceUrl);
        Assert.Equal(scenario.BodiesOf("exhausted-lamp-2", "exhausted-lamp-3").Order(), moved.Select(m => m.Body).Order());
        foreach (var message in moved)
        {
            var original = before[message.Body];
            Assert.Equal(original.AttributesExcept(DeadLetterAttributes.RedriveCount), message.AttributesExcept(DeadLetterAttributes.RedriveCount));
            Assert.Equal("Number:1", message.Attributes[DeadLetterAttributes.RedriveCount]);
            Assert.Equal("Binary:0x00FFFE" + (message.Body.Contains("105", StringComparison.Ordinal) ? "69" : "6A") + "800A", message.Attributes["Test.Trace"]);
            Assert.Equal("exhausted", message.Attributes[DeadLetterAttributes.Kind].Split(':', 2)[1]);
        }

        var left = await QueueContents.DrainAsync(sqs, scenario.Queues.DlqUrl);
        Assert.Equal(scenario.BodiesOf("policy-lamp-1", "policy-lamp-2", "malformed", "rejected-lamp-1").Order(), left.Select(m => m.Body).Order());
        var movedBodies = moved.Select(m => m.Body).ToHashSet();
        Assert.Equal(before.Values.Where(s => !movedBodies.Contains(s.Body)).Select(s => s.MessageId).Order(), left.Select(m => m.MessageId).Order());
    }

    [Fact]
    public async Task Redrive_MessagesMovedByRedrivePolicy_GoBackToTheOnlySourceQueue()
    {
        using var sqs = moto.CreateSqs();
        var scenario = await Scenario.IngestAsync(sqs);

        var result = await _cli.RunAsync("redrive", scenario.Queues.DlqUrl, "--kind", "unknown");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("went to " + scenario.Queues.SourceName + ": 2", result.Output);
        var moved = await QueueContents.DrainAsync(sqs, scenario.Queues.SourceUrl);
        Assert.Equal(scenario.BodiesOf("policy-lamp-1", "policy-lamp-2").Order(), moved.Select(m => m.Body).Order());
        Assert.All(moved, m => Assert.Equal("Number:1", m.Attributes[DeadLetterAttributes.RedriveCount]));
        Assert.All(moved, m => Assert.Equal(3, m.Attributes.Count(a => a.Key.StartsWith("Test.", StringComparison.Ordinal))));
    }

    [Fact]
    public async Task Redrive_FifoDeviceFilter_MovesThatGroupInOrderAndKeepsItsGroupId()
    {
        using var sqs = moto.CreateSqs();
        var scenario = await Scenario.CommandsAsync(sqs);

        var result = await _cli.RunAsync("redrive", scenario.Queues.DlqName, "--device", "lamp-2", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(2, result.JsonLines()[^1].GetProperty("moved").GetInt32());
        var moved = await QueueContents.DrainAsync(sqs, scenario.Queues.SourceUrl);
        Assert.Equal(scenario.BodiesOf("c3", "c4"), moved.Select(m => m.Body));
        Assert.All(moved, m => Assert.Equal("lamp-2", m.Group));
        Assert.All(moved, m => Assert.Equal("String:c" + (m.Body.Contains("\"c3\"", StringComparison.Ordinal) ? "3" : "4"), m.Attributes["Queueing.CommandId"]));
        var left = await QueueContents.DrainAsync(sqs, scenario.Queues.DlqUrl);
        Assert.Equal(scenario.BodiesOf("c1", "c2", "c5", "c6").Order(), left.Select(m => m.Body).Order());
    }

    [Fact]
    public async Task Redrive_FifoWithoutFilter_MovesEveryGroupInOrder()
    {
        using var sqs = moto.CreateSqs();
        var scenario = await Scenario.CommandsAsync(sqs);

        var result = await _cli.RunAsync("redrive", scenario.Queues.DlqName);

        Assert.True(result.ExitCode == 0, result.ToString());
        var moved = await QueueContents.DrainAsync(sqs, scenario.Queues.SourceUrl);
        Assert.Equal(6, moved.Count);
        foreach (var (device, first, second) in new[] { ("lamp-1", "c1", "c2"), ("lamp-2", "c3", "c4"), ("lamp-3", "c5", "c6") })
        {
            Assert.Equal([scenario.Body(first), scenario.Body(second)], moved.Where(m => m.Group == device).Select(m => m.Body));
        }

        Assert.Empty(await QueueContents.DrainAsync(sqs, scenario.Queues.DlqUrl));
    }

    [Fact]
    public async Task Redrive_DryRun_ListsWhatWouldMoveAndChangesNothing()
    {
        using var sqs = moto.CreateSqs();
        var scenario = await Scenario.IngestAsync(sqs);
        var before = await QueueContents.ReadAndReleaseAsync(sqs, scenario.Queues.DlqUrl);

        var result = await _cli.RunAsync("redrive", scenario.Queues.DlqName, "--kind", "exhausted", "--dry-run");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Would move", result.Output);
        Assert.Contains("would go to " + scenario.Queues.SourceName + ": 2", result.Output);
        Assert.Contains("Dry run: nothing was sent or deleted.", result.Error);
        Assert.Equal(0, await DeadLetterFiller.CountAsync(sqs, scenario.Queues.SourceUrl));
        var after = await QueueContents.DrainAsync(sqs, scenario.Queues.DlqUrl);
        Assert.Equal(before.Select(b => b.Snapshot.MessageId).Order(), after.Select(a => a.MessageId).Order());
        Assert.DoesNotContain(after, a => a.Attributes.ContainsKey(DeadLetterAttributes.RedriveCount));
    }

    [Fact]
    public async Task Redrive_Max_MovesNoMoreThanMax()
    {
        using var sqs = moto.CreateSqs();
        var scenario = await Scenario.IngestAsync(sqs);

        var result = await _cli.RunAsync("redrive", scenario.Queues.DlqName, "--max", "3", "--rate", "100/s");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(3, (await QueueContents.DrainAsync(sqs, scenario.Queues.SourceUrl)).Count);
        Assert.Equal(3, (await QueueContents.DrainAsync(sqs, scenario.Queues.DlqUrl)).Count);
    }

    [Fact]
    public async Task Redrive_ToAnotherQueue_SendsThereInsteadOfTheSource()
    {
        using var sqs = moto.CreateSqs();
        var scenario = await Scenario.IngestAsync(sqs);
        var other = (await sqs.CreateQueueAsync(Scenario.NewStack() + "-Replay")).QueueUrl;

        var result = await _cli.RunAsync("redrive", scenario.Queues.DlqName, "--kind", "rejected", "--to", await QueuePair.ArnAsync(sqs, other));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal([scenario.Body("rejected-lamp-1")], (await QueueContents.DrainAsync(sqs, other)).Select(m => m.Body));
        Assert.Equal(0, await DeadLetterFiller.CountAsync(sqs, scenario.Queues.SourceUrl));
    }

    [Fact]
    public async Task Redrive_SeveralSourcesAndNoRecordedSource_FailsWithReasonUntilToIsGiven()
    {
        using var sqs = moto.CreateSqs();
        var scenario = await Scenario.IngestAsync(sqs);
        var secondSource = (await sqs.CreateQueueAsync(new CreateQueueRequest
        {
            QueueName = Scenario.NewStack() + "-SecondSource",
            Attributes = new() { ["RedrivePolicy"] = $"{{\"deadLetterTargetArn\":\"{scenario.Queues.DlqArn}\",\"maxReceiveCount\":2}}" },
        })).QueueUrl;

        var refused = await _cli.RunAsync("redrive", scenario.Queues.DlqName, "--kind", "unknown");

        Assert.True(refused.ExitCode == 1, refused.ToString());
        Assert.Contains("has 2 source queues", refused.Output);
        Assert.Contains("pass --to", refused.Output);
        Assert.Equal(6, await DeadLetterFiller.CountAsync(sqs, scenario.Queues.DlqUrl));

        // Parked messages name their source themselves and still go back without --to.
        var parked = await _cli.RunAsync("redrive", scenario.Queues.DlqName, "--kind", "exhausted");
        Assert.True(parked.ExitCode == 0, parked.ToString());
        Assert.Equal(2, await DeadLetterFiller.CountAsync(sqs, scenario.Queues.SourceUrl));

        var directed = await _cli.RunAsync("redrive", scenario.Queues.DlqName, "--kind", "unknown", "--to", secondSource);
        Assert.True(directed.ExitCode == 0, directed.ToString());
        Assert.Equal(scenario.BodiesOf("policy-lamp-1", "policy-lamp-2").Order(), (await QueueContents.DrainAsync(sqs, secondSource)).Select(m => m.Body).Order());
    }

    [Fact]
    public async Task Redrive_MessageThatFailsAgain_CountsTheSecondRedrive()
    {
        using var sqs = moto.CreateSqs();
        var scenario = await Scenario.IngestAsync(sqs);
        Assert.Equal(0, (await _cli.RunAsync("redrive", scenario.Queues.DlqName, "--kind", "malformed")).ExitCode);

        // The consumer fails it again: the redrive policy moves it back to the DLQ, attributes and all.
        for (var i = 0; i < 10 && await DeadLetterFiller.CountAsync(sqs, scenario.Queues.SourceUrl) > 0; i++)
        {
            await sqs.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = scenario.Queues.SourceUrl, VisibilityTimeout = 0 });
        }

        var again = await _cli.RunAsync("redrive", scenario.Queues.DlqName, "--kind", "malformed");

        Assert.True(again.ExitCode == 0, again.ToString());
        var moved = Assert.Single(await QueueContents.DrainAsync(sqs, scenario.Queues.SourceUrl));
        Assert.Equal(scenario.Body("malformed"), moved.Body);
        Assert.Equal("Number:2", moved.Attributes[DeadLetterAttributes.RedriveCount]);
    }
}
