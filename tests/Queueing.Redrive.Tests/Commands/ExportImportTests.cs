using System.Text.Json;
using Queueing.Redrive.Tests.Support;
using Queueing.Testing;

namespace Queueing.Redrive.Tests.Commands;

public sealed class ExportImportTests(MotoServer moto) : IClassFixture<MotoServer>
{
    private readonly CliRunner _cli = new(moto);

    [Fact]
    public async Task ExportThenImport_StandardQueue_RoundTripsBodiesAndAttributesByteForByte()
    {
        using var sqs = moto.CreateSqs();
        using var files = new TempDirectory();
        var scenario = await Scenario.IngestAsync(sqs);
        var originals = (await QueueContents.ReadAndReleaseAsync(sqs, scenario.Queues.DlqUrl)).Select(m => m.Snapshot).ToDictionary(s => s.Body);
        var file = files.File("ingest.jsonl");

        var export = await _cli.RunAsync("export", scenario.Queues.DlqName, "--out", file, "--json");

        Assert.True(export.ExitCode == 0, export.ToString());
        Assert.Equal(6, File.ReadAllLines(file).Length);
        Assert.Equal(6, export.JsonLines()[0].GetProperty("exported").GetInt32());
        Assert.Equal(6, await DeadLetterFiller.CountAsync(sqs, scenario.Queues.DlqUrl));
        var first = JsonDocument.Parse(File.ReadAllLines(file)[0]).RootElement;
        Assert.Equal(scenario.Queues.DlqArn, first.GetProperty("eventSourceARN").GetString());
        Assert.Equal("Binary", first.GetProperty("messageAttributes").GetProperty("Test.Trace").GetProperty("dataType").GetString());

        var restore = (await sqs.CreateQueueAsync(Scenario.NewStack() + "-Restore")).QueueUrl;
        var import = await _cli.RunAsync("import", restore, "--in", file);

        Assert.True(import.ExitCode == 0, import.ToString());
        Assert.Contains("Sent 6 message(s)", import.Output);
        var imported = await QueueContents.DrainAsync(sqs, restore);
        Assert.Equal(originals.Keys.Order(), imported.Select(m => m.Body).Order());
        foreach (var message in imported)
        {
            Assert.Equal(originals[message.Body].Attributes, message.Attributes);
        }
    }

    [Fact]
    public async Task ExportThenImport_EditedBody_SendsTheEditedMessage()
    {
        using var sqs = moto.CreateSqs();
        using var files = new TempDirectory();
        var scenario = await Scenario.IngestAsync(sqs);
        var file = files.File("malformed.jsonl");
        Assert.Equal(0, (await _cli.RunAsync("export", scenario.Queues.DlqName, "--kind", "malformed", "--out", file)).ExitCode);

        var line = Assert.Single(File.ReadAllLines(file));
        File.WriteAllText(file, line.Replace("not json { 103", "{\\\"deviceId\\\":\\\"lamp-9\\\",\\\"lightValue\\\":103}", StringComparison.Ordinal) + "\n");
        var import = await _cli.RunAsync("import", scenario.Queues.SourceName, "--in", file);

        Assert.True(import.ExitCode == 0, import.ToString());
        var sent = Assert.Single(await QueueContents.DrainAsync(sqs, scenario.Queues.SourceUrl));
        Assert.Equal("{\"deviceId\":\"lamp-9\",\"lightValue\":103}", sent.Body);
        Assert.Equal("String:malformed", sent.Attributes["Queueing.Kind"]);
    }

    [Fact]
    public async Task ExportThenImport_FifoQueue_KeepsGroupsAndOrder()
    {
        using var sqs = moto.CreateSqs();
        using var files = new TempDirectory();
        var scenario = await Scenario.CommandsAsync(sqs);
        var file = files.File("commands.jsonl");
        Assert.Equal(0, (await _cli.RunAsync("export", scenario.Queues.DlqName, "--out", file, "--device", "lamp-1")).ExitCode);
        var restore = (await sqs.CreateQueueAsync(new Amazon.SQS.Model.CreateQueueRequest
        {
            QueueName = Scenario.NewStack() + "-Restore.fifo",
            Attributes = QueuePair.FifoAttributes(fifo: true),
        })).QueueUrl;

        var import = await _cli.RunAsync("import", restore, "--in", file, "--json");

        Assert.True(import.ExitCode == 0, import.ToString());
        Assert.Equal(2, import.JsonLines()[^1].GetProperty("sent").GetInt32());
        var imported = await QueueContents.DrainAsync(sqs, restore);
        Assert.Equal(scenario.BodiesOf("c1", "c2"), imported.Select(m => m.Body));
        Assert.All(imported, m => Assert.Equal("lamp-1", m.Group));
        Assert.Equal(6, await DeadLetterFiller.CountAsync(sqs, scenario.Queues.DlqUrl));
    }

    [Fact]
    public async Task Import_FileWithBadLines_ReportsEveryProblemAndSendsNothing()
    {
        using var sqs = moto.CreateSqs();
        using var files = new TempDirectory();
        var queue = (await sqs.CreateQueueAsync(Scenario.NewStack() + "-Target")).QueueUrl;
        var file = files.File("bad.jsonl");
        File.WriteAllLines(file, ["{\"messageId\":\"a\",\"body\":\"fine\"}", "not json", "{\"messageId\":\"b\"}"]);

        var result = await _cli.RunAsync("import", queue, "--in", file);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("line 2", result.Error);
        Assert.Contains("line 3: no body", result.Error);
        Assert.Equal(0, await DeadLetterFiller.CountAsync(sqs, queue));
    }
}
