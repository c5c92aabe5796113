using System.Text.Json;
using Amazon.SQS;
using Amazon.SQS.Model;
using Queueing.Contracts.Events;
using Queueing.Redrive.Tests.Support;
using Queueing.Testing;

namespace Queueing.Redrive.Tests.Commands;

/// <summary>
/// A dead letter keeps the X-Ray trace it came with (<c>AWSTraceHeader</c>) through redrive and export/import. moto
/// keeps the header on SendMessage and on its redrive policy's move, but drops it on SendMessageBatch, which the CLI
/// sends with; so the CLI's requests are read on the wire, on their way to the real moto.
/// </summary>
public sealed class TraceHeaderTests(MotoServer moto) : IClassFixture<MotoServer>
{
    private const string Trace = "Root=1-692f8c00-0123456789abcdef01234567;Parent=89abcdef01234567;Sampled=1";
    private readonly SqsRequestLog _requests = new();

    [Fact]
    public async Task Redrive_DeadLetterWithATrace_SendsItBackWithItsAWSTraceHeader()
    {
        using var sqs = moto.CreateSqs();
        var queues = await QueuePair.CreateAsync(sqs, Scenario.NewStack(), fifo: false);
        await ParkWithTraceAsync(sqs, queues, "{\"deviceId\":\"lamp-1\"}", Trace);
        await ParkWithTraceAsync(sqs, queues, "{\"deviceId\":\"lamp-2\"}", null);

        var result = await new CliRunner(moto, requests: _requests).RunAsync("redrive", queues.DlqUrl);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(2, (await QueueContents.DrainAsync(sqs, queues.SourceUrl)).Count);
        var entries = Entries("SendMessageBatch");
        Assert.Equal(Trace, TraceOf(entries.Single(e => e["MessageBody"]!.ToString().Contains("lamp-1", StringComparison.Ordinal))));
        Assert.Null(TraceOf(entries.Single(e => e["MessageBody"]!.ToString().Contains("lamp-2", StringComparison.Ordinal))));
    }

    [Fact]
    public async Task ExportThenImport_DeadLetterWithATrace_TheFileAndTheImportKeepIt()
    {
        using var sqs = moto.CreateSqs();
        using var files = new TempDirectory();
        var queues = await QueuePair.CreateAsync(sqs, Scenario.NewStack(), fifo: false);
        await ParkWithTraceAsync(sqs, queues, "{\"deviceId\":\"lamp-1\"}", Trace);
        var file = files.File("traced.jsonl");
        var cli = new CliRunner(moto, requests: _requests);

        var export = await cli.RunAsync("export", queues.DlqName, "--out", file);
        var line = JsonDocument.Parse(Assert.Single(File.ReadAllLines(file))).RootElement;
        var import = await cli.RunAsync("import", queues.SourceName, "--in", file);

        Assert.True(export.ExitCode == 0, export.ToString());
        Assert.Equal(Trace, line.GetProperty("attributes").GetProperty(SqsAttributeNames.AwsTraceHeader).GetString());
        Assert.True(import.ExitCode == 0, import.ToString());
        Assert.Equal(Trace, TraceOf(Assert.Single(Entries("SendMessageBatch"))));
    }

    /// <summary>A message in the DLQ as SQS's redrive policy leaves it: moved from the source queue with its trace.</summary>
    private static async Task ParkWithTraceAsync(IAmazonSQS sqs, QueuePair queues, string body, string? trace)
    {
        var send = new SendMessageRequest { QueueUrl = queues.SourceUrl, MessageBody = body };
        if (trace is not null)
        {
            send.MessageSystemAttributes = new() { [SqsAttributeNames.AwsTraceHeader] = new() { DataType = "String", StringValue = trace } };
        }

        await sqs.SendMessageAsync(send);
        // Received maxReceiveCount times without a delete; the next receive moves it to the DLQ.
        for (var i = 0; i <= queues.MaxReceiveCount; i++)
        {
            await sqs.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = queues.SourceUrl, VisibilityTimeout = 0, MaxNumberOfMessages = 10 });
        }

        var parked = await sqs.ReceiveMessageAsync(new ReceiveMessageRequest
        {
            QueueUrl = queues.DlqUrl,
            VisibilityTimeout = 0,
            MaxNumberOfMessages = 10,
            MessageSystemAttributeNames = ["All"],
        });
        var message = Assert.Single(parked.Messages ?? [], m => m.Body == body);
        Assert.Equal(trace, message.Attributes.GetValueOrDefault(SqsAttributeNames.AwsTraceHeader));
    }

    private List<System.Text.Json.Nodes.JsonNode> Entries(string action) =>
        [.. _requests.Of(action).SelectMany(r => r["Entries"]!.AsArray()).Select(e => e!)];

    private static string? TraceOf(System.Text.Json.Nodes.JsonNode entry) =>
        entry["MessageSystemAttributes"]?["AWSTraceHeader"]?["StringValue"]?.ToString();
}
