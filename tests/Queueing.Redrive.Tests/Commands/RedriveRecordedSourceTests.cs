using System.Text.Json;
using Queueing.Contracts.DeadLetters;
using Queueing.Redrive.Tests.Support;
using Queueing.Testing;

namespace Queueing.Redrive.Tests.Commands;

/// <summary>
/// A dead letter's Queueing.SourceQueue is a claim the message carries (an imported or hand-sent one can name any
/// queue): redrive follows it only to one of the DLQ's source queues, and counts what went where.
/// </summary>
public sealed class RedriveRecordedSourceTests(MotoServer moto) : IClassFixture<MotoServer>
{
    private readonly CliRunner _cli = new(moto);

    private sealed record Setup(QueuePair Queues, string ForeignUrl, string ForeignArn, string StrayBody, string GoodBody);

    /// <summary>An IngestDLQ with one dead letter that names a queue which is not its source, and one that names its source.</summary>
    private static async Task<Setup> SetUpAsync(Amazon.SQS.IAmazonSQS sqs, Func<QueuePair, string, string>? recorded = null)
    {
        var stack = Scenario.NewStack();
        var queues = await QueuePair.CreateAsync(sqs, stack, fifo: false);
        var foreignUrl = (await sqs.CreateQueueAsync(stack + "-Foreign")).QueueUrl;
        var foreignArn = await QueuePair.ArnAsync(sqs, foreignUrl);
        var filler = new DeadLetterFiller(sqs, queues);
        var stray = TestMessage.Telemetry("lamp-1", 201);
        var good = TestMessage.Telemetry("lamp-2", 202);
        await filler.ThroughParkerAsync((recorded ?? ((_, arn) => arn))(queues, foreignArn), DeadLetterKind.Exhausted, "Waylay answered 503", stray);
        await filler.ThroughParkerAsync(DeadLetterKind.Exhausted, "Waylay answered 503", good);
        return new Setup(queues, foreignUrl, foreignArn, stray.Body, good.Body);
    }

    private static JsonElement FailedLine(CliResult result) =>
        Assert.Single(result.JsonLines(), line => line.TryGetProperty("outcome", out var outcome) && outcome.GetString() == "failed");

    [Fact]
    public async Task Redrive_RecordedSourceIsAnotherQueueHere_SkippedWithAReasonAskingForToAndLeftInTheDlq()
    {
        using var sqs = moto.CreateSqs();
        var setup = await SetUpAsync(sqs);
        var before = (await QueueContents.ReadAndReleaseAsync(sqs, setup.Queues.DlqUrl)).Single(m => m.Snapshot.Body == setup.StrayBody).Snapshot;

        var result = await _cli.RunAsync("redrive", setup.Queues.DlqName, "--json");

        Assert.True(result.ExitCode == 1, result.ToString());
        var summary = result.JsonLines()[^1];
        Assert.Equal((1, 1), (summary.GetProperty("moved").GetInt32(), summary.GetProperty("failed").GetInt32()));
        Assert.Equal(
            $"its recorded source queue {setup.ForeignArn} is not a source queue of {setup.Queues.DlqName} (those are {setup.Queues.SourceName}); it stays in the DLQ: pass --to to choose where it goes",
            FailedLine(result).GetProperty("error").GetString());
        Assert.Equal(0, await DeadLetterFiller.CountAsync(sqs, setup.ForeignUrl));
        Assert.Equal([setup.GoodBody], (await QueueContents.DrainAsync(sqs, setup.Queues.SourceUrl)).Select(m => m.Body));
        var left = Assert.Single(await QueueContents.DrainAsync(sqs, setup.Queues.DlqUrl));
        Assert.Equal((before.MessageId, before.Body), (left.MessageId, left.Body));
        Assert.Equal(before.Attributes, left.Attributes);
    }

    [Theory]
    [InlineData("arn:aws:sqs:eu-west-1:999999999999:{0}")]
    [InlineData("arn:aws:sqs:us-east-1:999999999999:{0}")]
    [InlineData("https://sqs.eu-west-1.amazonaws.com/999999999999/{0}")]
    public async Task Redrive_RecordedSourceInAnotherAccountOrRegion_SkippedEvenThoughASourceHereHasThatName(string format)
    {
        using var sqs = moto.CreateSqs();
        string? claimed = null;
        var setup = await SetUpAsync(sqs, (queues, _) => claimed = string.Format(System.Globalization.CultureInfo.InvariantCulture, format, queues.SourceName));

        var result = await _cli.RunAsync("redrive", setup.Queues.DlqName, "--json");

        Assert.True(result.ExitCode == 1, result.ToString());
        var error = FailedLine(result).GetProperty("error").GetString();
        Assert.StartsWith($"its recorded source queue {claimed} is not a source queue of {setup.Queues.DlqName}", error);
        Assert.EndsWith("pass --to to choose where it goes", error);
        Assert.Equal([setup.GoodBody], (await QueueContents.DrainAsync(sqs, setup.Queues.SourceUrl)).Select(m => m.Body));
        Assert.Equal([setup.StrayBody], (await QueueContents.DrainAsync(sqs, setup.Queues.DlqUrl)).Select(m => m.Body));
    }

    [Fact]
    public async Task Redrive_RecordedSourceGivenAsTheSourcesUrl_Followed()
    {
        using var sqs = moto.CreateSqs();
        var setup = await SetUpAsync(sqs, (queues, _) => queues.SourceUrl);

        var result = await _cli.RunAsync("redrive", setup.Queues.DlqName);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(new[] { setup.StrayBody, setup.GoodBody }.Order(), (await QueueContents.DrainAsync(sqs, setup.Queues.SourceUrl)).Select(m => m.Body).Order());
        Assert.Equal(0, await DeadLetterFiller.CountAsync(sqs, setup.Queues.DlqUrl));
    }

    [Fact]
    public async Task Redrive_RecordedSourceNotASourceAndToGiven_MovedWhereToSays()
    {
        using var sqs = moto.CreateSqs();
        var setup = await SetUpAsync(sqs);

        var result = await _cli.RunAsync("redrive", setup.Queues.DlqName, "--to", setup.ForeignUrl, "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(2, result.JsonLines()[^1].GetProperty("moved").GetInt32());
        Assert.Equal(new[] { setup.GoodBody, setup.StrayBody }.Order(), (await QueueContents.DrainAsync(sqs, setup.ForeignUrl)).Select(m => m.Body).Order());
        Assert.Equal(0, await DeadLetterFiller.CountAsync(sqs, setup.Queues.SourceUrl));
        Assert.Equal(0, await DeadLetterFiller.CountAsync(sqs, setup.Queues.DlqUrl));
    }
}
