using Amazon.SQS.Model;
using Microsoft.Extensions.Time.Testing;
using Queueing.Redrive.Tests.Support;
using Queueing.Testing;

namespace Queueing.Redrive.Tests.Commands;

public sealed class ListTests(MotoServer moto) : IClassFixture<MotoServer>
{
    [Fact]
    public async Task List_DeadLetterQueues_ShowsDepthInFlightOldestAgeAndSources()
    {
        using var sqs = moto.CreateSqs();
        var ingest = await Scenario.IngestAsync(sqs);
        var commands = await Scenario.CommandsAsync(sqs);
        var oldestSent = (await QueueContents.ReadAndReleaseAsync(sqs, ingest.Queues.DlqUrl))
            .Min(m => long.Parse(m.Message.Attributes["SentTimestamp"], System.Globalization.CultureInfo.InvariantCulture));
        // One message held by someone else: in flight, and not offered to list's own receive.
        var held = await sqs.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = commands.Queues.DlqUrl, MaxNumberOfMessages = 1, VisibilityTimeout = 120 });
        Assert.Single(held.Messages!);
        var now = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(oldestSent) + TimeSpan.FromHours(3) + TimeSpan.FromMilliseconds(400));

        var result = await new CliRunner(moto, now).RunAsync("list", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.JsonLines().ToDictionary(l => l.GetProperty("name").GetString()!);
        Assert.DoesNotContain(ingest.Queues.SourceName, lines.Keys);
        var ingestLine = lines[ingest.Queues.DlqName];
        Assert.Equal(6, ingestLine.GetProperty("messages").GetInt64());
        Assert.Equal(0, ingestLine.GetProperty("inFlight").GetInt64());
        Assert.Equal(3 * 3600, ingestLine.GetProperty("oldestAgeSeconds").GetInt64());
        Assert.False(ingestLine.GetProperty("oldestAgeIsLowerBound").GetBoolean());
        Assert.Equal([ingest.Queues.SourceName], ingestLine.GetProperty("sources").EnumerateArray().Select(s => s.GetString()));
        var commandLine = lines[commands.Queues.DlqName];
        Assert.True(commandLine.GetProperty("fifo").GetBoolean());
        Assert.Equal(5, commandLine.GetProperty("messages").GetInt64());
        Assert.Equal(1, commandLine.GetProperty("inFlight").GetInt64());
        Assert.True(commandLine.GetProperty("oldestAgeIsLowerBound").GetBoolean());
        Assert.Equal([commands.Queues.SourceName], commandLine.GetProperty("sources").EnumerateArray().Select(s => s.GetString()));
        Assert.Contains("ApproximateReceiveCount", result.Error);
        Assert.Equal(6, await DeadLetterFiller.CountAsync(sqs, ingest.Queues.DlqUrl));
    }

    [Fact]
    public async Task List_Table_ShowsAgeAndSourcesAndNoAgeSkipsTheReceive()
    {
        using var sqs = moto.CreateSqs();
        var ingest = await Scenario.IngestAsync(sqs);

        var table = await new CliRunner(moto).RunAsync("list");
        var noAge = await new CliRunner(moto).RunAsync("list", "--no-age", "--json");

        Assert.True(table.ExitCode == 0, table.ToString());
        var row = Assert.Single(table.Output.Split('\n'), l => l.Contains(ingest.Queues.DlqName, StringComparison.Ordinal));
        Assert.Contains(ingest.Queues.SourceName, row);
        Assert.Matches(@"│\s+(\d+m )?\d+s\s+│", row);
        Assert.True(noAge.ExitCode == 0, noAge.ToString());
        var line = Assert.Single(noAge.JsonLines(), l => l.GetProperty("name").GetString() == ingest.Queues.DlqName);
        Assert.False(line.TryGetProperty("oldestAgeSeconds", out _));
        Assert.DoesNotContain("ApproximateReceiveCount", noAge.Error);
    }
}
